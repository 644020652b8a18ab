/* The vhost-user protocol (QEMU docs/interop/vhost-user.rst) for one vsock device: QEMU is the
 * front-end on a Unix stream socket, we are the back-end that owns the two data virtqueues. */
#ifndef VHOST_USER_H
#define VHOST_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_memory.h"
#include "virtqueue.h"
#include "vsock_host.h"

#define VSOCK_QUEUE_RX 0	/* device to guest */
#define VSOCK_QUEUE_TX 1	/* guest to device */
#define VSOCK_QUEUES 2

struct vhost_user_device {
	int fd;				/* the connection to QEMU */
	uint64_t acked_features;
	uint64_t protocol_features;
	uint64_t status;
	struct guest_memory mem;
	struct virtqueue vq[VSOCK_QUEUES];
	struct vsock_host *host;
	bool trace;
	void (*log)(const char *fmt, ...);
};

void vhost_user_device_init(struct vhost_user_device *d, int fd, struct vsock_host *host,
			    bool trace, void (*log)(const char *fmt, ...));
/* Release the mappings, the ring fds and the connection. */
void vhost_user_device_close(struct vhost_user_device *d);
/* Read and answer one message: 1 done, 0 QEMU closed the connection between messages,
 * -1 the stream cannot be parsed any further (ERR says why). */
int vhost_user_handle_message(struct vhost_user_device *d, char *err, size_t err_len);
/* A kick arrived on queue INDEX: drain its eventfd and move packets both ways. */
void vhost_user_queue_kicked(struct vhost_user_device *d, unsigned index);

#endif
