/* One split virtqueue as seen from the device side, in guest RAM shared by QEMU. */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_memory.h"

#define VIRTQUEUE_MAX_SIZE 32768
#define VIRTQUEUE_MAX_SEGMENTS 64

struct virtqueue {
	unsigned index;
	uint32_t num;			/* ring size from SET_VRING_NUM */
	uint64_t desc_addr, avail_addr, used_addr;	/* QEMU virtual addresses */
	bool addr_set;
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* next used entry to fill */
	int kick_fd, call_fd;
	bool started;			/* kick fd received and rings resolved */
	bool broken;			/* the guest gave us an impossible ring; ignore it */
	uint8_t *desc, *avail, *used;	/* resolved on start */
};

struct chain_segment {
	uint8_t *data;
	uint32_t len;
	bool writable;
};

struct chain {
	uint16_t head;
	unsigned count;
	struct chain_segment seg[VIRTQUEUE_MAX_SEGMENTS];
};

void virtqueue_init(struct virtqueue *vq, unsigned index);
/* Close the fds and forget the ring (keeps index). */
void virtqueue_reset(struct virtqueue *vq);
/* Resolve the ring addresses through MEM and start; 0, or -1 with ERR filled. */
int virtqueue_start(struct virtqueue *vq, const struct guest_memory *mem, char *err, size_t err_len);
/* Take the next available chain: 1 taken, 0 ring empty, -1 the chain is malformed (it was
 * returned to the guest as used with length 0, ERR says why; call again) or the ring broke. */
int virtqueue_pop(struct virtqueue *vq, const struct guest_memory *mem, struct chain *out,
		  char *err, size_t err_len);
/* Return chain HEAD to the guest with LEN bytes written. */
void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len);
/* Interrupt the guest unless it asked not to be. */
void virtqueue_notify(struct virtqueue *vq);
/* Copy chain bytes: gather from the readable segments, scatter into the writable ones;
 * each returns the byte count moved. */
size_t chain_gather(const struct chain *c, uint8_t *buf, size_t cap);
size_t chain_scatter(const struct chain *c, const uint8_t *buf, size_t len);

#endif
