/* The host end of the guest's virtio-vsock: CIDs 2 (host) and 3 (the Nitro parent), with the
 * heartbeat listener (docs/boot-contract.md#the-heartbeat) on one port, sinks: CID 3 listeners that
 * append what the guest sends to a file, and streams: CID 3 listeners that play the test stream
 * of stream.h both ways. Packets in and out are raw virtio-vsock packets (44-byte little-endian
 * header, then payload). */
#ifndef VSOCK_HOST_H
#define VSOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"

#define VSOCK_HDR_SIZE 44
#define VSOCK_MAX_CONNECTIONS 16
#define VSOCK_MAX_PENDING 64
#define VSOCK_HEARTBEAT_BYTE 0xB7
#define VSOCK_MAX_SINKS 4
#define VSOCK_MAX_STREAMS 8
#define VSOCK_MAX_PAYLOAD (64u * 1024)	/* Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE */

enum vsock_kind { VSOCK_HEARTBEAT, VSOCK_SINK, VSOCK_STREAM };

/* One test stream connection (stream.h), seen from the host. */
struct vsock_stream_state {
	bool strict;				/* refuse a payload in several descriptors */
	uint8_t request[STREAM_REQUEST_SIZE];
	unsigned request_have;
	bool requested;
	struct stream_request req;
	struct stream_check received;
	struct sha256 sent_hash;
	uint64_t sent;
	uint32_t held, max_held;		/* received, credit not yet given back */
	bool draining, guest_was_full;
	bool guest_done, host_done;		/* SHUTDOWN(SEND) seen / sent */
	uint64_t packets, multi_descriptor;
	double start;
};

struct vsock_connection {
	bool used;
	uint64_t host_cid;
	uint32_t host_port, guest_port;
	uint32_t peer_buf_alloc, peer_fwd_cnt;	/* the guest's receive credit */
	uint32_t fwd_cnt;			/* payload bytes we consumed */
	uint32_t tx_cnt;			/* payload bytes we sent */
	uint32_t credit_sent;			/* fwd_cnt the guest last heard of */
	enum vsock_kind kind;
	int sink_fd;
	uint64_t sink_bytes;
	bool answered;				/* heartbeat echoed */
	bool we_shut_down;
	struct vsock_stream_state stream;
};

struct vsock_sink {
	uint32_t port;
	int fd;
};

/* A control packet (or the heartbeat's one byte) waiting for a guest rx buffer. */
struct vsock_packet {
	uint8_t hdr[VSOCK_HDR_SIZE];
	uint8_t payload[1];
	uint32_t payload_len;
};

/* Fault injection, to prove the tests can fail: one stream data packet (counted from 1 over
 * the stream connections of one port, or of all, in one direction) is dropped, delivered
 * twice, or delivered after the next data packet of its connection. */
#define VSOCK_MAX_FAULTS 8
enum vsock_fault_kind { VSOCK_FAULT_NONE, VSOCK_FAULT_DROP, VSOCK_FAULT_DUPLICATE, VSOCK_FAULT_REORDER };
enum vsock_fault_direction { VSOCK_FAULT_TO_HOST, VSOCK_FAULT_TO_GUEST };
struct vsock_fault {
	enum vsock_fault_kind kind;
	enum vsock_fault_direction direction;
	uint32_t port;				/* 0: every stream port */
	uint64_t packet;			/* 1 is the first */
	uint64_t seen;
	bool done;
	/* A packet waiting to be delivered again or late. */
	struct vsock_connection *held_conn;
	bool held_wait_next;			/* until one more data packet of held_conn went */
	uint32_t held_len;
	uint8_t held[VSOCK_HDR_SIZE + VSOCK_MAX_PAYLOAD];
};

/* Guest tx data packets, by how many descriptors carried their payload. */
struct vsock_tx_counts {
	uint64_t data_packets, multi_descriptor, refused;
};

struct vsock_host {
	uint64_t guest_cid;
	bool heartbeat_listening;
	uint32_t heartbeat_port;
	bool heartbeat_served;			/* nitro-cli accepts one connection only */
	struct vsock_sink sinks[VSOCK_MAX_SINKS];
	unsigned sink_count;
	struct { uint32_t port; bool strict; } streams[VSOCK_MAX_STREAMS];
	unsigned stream_count;
	struct vsock_fault faults[VSOCK_MAX_FAULTS];
	unsigned fault_count;
	struct vsock_tx_counts tx;
	unsigned next_stream;			/* round robin over stream senders */
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
/* Listen on CID 3 PORT as a test stream peer (stream.h); STRICT: reset a connection whose
 * guest sends a packet with its payload in several descriptors. 0, or -1 when full. */
int vsock_host_add_stream(struct vsock_host *h, uint32_t port, bool strict);
/* Spoil one packet as F says (kind, direction, port, packet); 0, or -1 when full. */
int vsock_host_add_fault(struct vsock_host *h, const struct vsock_fault *f);
/* Forget every connection and queued packet (the guest reset its device). */
void vsock_host_reset(struct vsock_host *h);
/* One packet the guest sent on its tx queue, its payload spread over PAYLOAD_DESCRIPTORS
 * descriptors. */
void vsock_host_receive(struct vsock_host *h, const uint8_t *pkt, size_t len, unsigned payload_descriptors);
/* Whether a packet waits for a guest rx buffer. */
bool vsock_host_has_output(struct vsock_host *h);
/* Whether the control queue is nearly full: stop taking guest tx packets (each may need a
 * reply) until the guest gave rx buffers, as Linux's vhost does. */
bool vsock_host_pushing_back(const struct vsock_host *h);
/* Write the next packet for the guest into BUF (an rx buffer of CAP bytes); its length, or 0
 * when nothing waits or it does not fit (then it stays queued and is logged). */
size_t vsock_host_pull(struct vsock_host *h, uint8_t *buf, size_t cap);
/* Log the tx descriptor counts (and the fault, if one was asked for). */
void vsock_host_summary(const struct vsock_host *h);

#endif
