/* The host end of the guest's virtio-vsock: CIDs 2 (host) and 3 (the Nitro parent), with the
 * heartbeat listener (docs/boot-contract.md#the-heartbeat) on one port, and sinks: CID 3 listeners that
 * append what the guest sends to a file. Packets in and out are raw virtio-vsock packets
 * (44-byte little-endian header, then payload). */
#ifndef VSOCK_HOST_H
#define VSOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSOCK_HDR_SIZE 44
#define VSOCK_MAX_CONNECTIONS 16
#define VSOCK_MAX_PENDING 64
#define VSOCK_HEARTBEAT_BYTE 0xB7
#define VSOCK_MAX_SINKS 4

struct vsock_connection {
	bool used;
	uint64_t host_cid;
	uint32_t host_port, guest_port;
	uint32_t peer_buf_alloc, peer_fwd_cnt;	/* the guest's receive credit */
	uint32_t fwd_cnt;			/* payload bytes we consumed */
	uint32_t tx_cnt;			/* payload bytes we sent */
	uint32_t credit_sent;			/* fwd_cnt the guest last heard of */
	int sink_fd;				/* -1: the heartbeat connection */
	uint64_t sink_bytes;
	bool answered;				/* heartbeat echoed */
	bool we_shut_down;
};

struct vsock_sink {
	uint32_t port;
	int fd;
};

struct vsock_packet {
	uint8_t hdr[VSOCK_HDR_SIZE];
	uint8_t payload[1];
	uint32_t payload_len;
};

struct vsock_host {
	uint64_t guest_cid;
	bool heartbeat_listening;
	uint32_t heartbeat_port;
	bool heartbeat_served;			/* nitro-cli accepts one connection only */
	struct vsock_sink sinks[VSOCK_MAX_SINKS];
	unsigned sink_count;
	struct vsock_connection conns[VSOCK_MAX_CONNECTIONS];
	struct vsock_packet pending[VSOCK_MAX_PENDING];	/* to the guest, oldest first */
	unsigned pending_head, pending_count;
	void (*log)(const char *fmt, ...);
};

void vsock_host_init(struct vsock_host *h, uint64_t guest_cid, bool heartbeat, uint32_t port,
		     void (*log)(const char *fmt, ...));
/* Listen on CID 3 PORT and append every byte the guest sends there to FD; 0, or -1 when
 * the table is full. */
int vsock_host_add_sink(struct vsock_host *h, uint32_t port, int fd);
/* Forget every connection and queued packet (the guest reset its device). */
void vsock_host_reset(struct vsock_host *h);
/* One packet the guest sent on its tx queue. */
void vsock_host_receive(struct vsock_host *h, const uint8_t *pkt, size_t len);
/* The oldest packet waiting for a guest rx buffer, or NULL; drop it with vsock_host_sent(). */
const struct vsock_packet *vsock_host_next(const struct vsock_host *h);
void vsock_host_sent(struct vsock_host *h);

#endif
