/* virtio-vsock stream protocol (virtio 1.2 section 5.10) from the host's side. The guest is
 * untrusted: any packet we cannot place is answered with RST or dropped, never trusted. */
#include "vsock_host.h"
#include "le.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

enum { OP_REQUEST = 1, OP_RESPONSE, OP_RST, OP_SHUTDOWN, OP_RW, OP_CREDIT_UPDATE, OP_CREDIT_REQUEST };
enum { TYPE_STREAM = 1 };
enum { SHUTDOWN_RCV = 1, SHUTDOWN_SEND = 2 };
#define HOST_CID 2
#define PARENT_CID 3
#define OUR_BUF_ALLOC (256u * 1024)

struct vsock_header {
	uint64_t src_cid, dst_cid;
	uint32_t src_port, dst_port, len;
	uint16_t type, op;
	uint32_t flags, buf_alloc, fwd_cnt;
};

static void decode_header(const uint8_t *p, struct vsock_header *h)
{
	h->src_cid = get_le(p, 8);
	h->dst_cid = get_le(p + 8, 8);
	h->src_port = (uint32_t)get_le(p + 16, 4);
	h->dst_port = (uint32_t)get_le(p + 20, 4);
	h->len = (uint32_t)get_le(p + 24, 4);
	h->type = (uint16_t)get_le(p + 28, 2);
	h->op = (uint16_t)get_le(p + 30, 2);
	h->flags = (uint32_t)get_le(p + 32, 4);
	h->buf_alloc = (uint32_t)get_le(p + 36, 4);
	h->fwd_cnt = (uint32_t)get_le(p + 40, 4);
}

void vsock_host_init(struct vsock_host *h, uint64_t guest_cid, bool heartbeat, uint32_t port,
		     void (*log)(const char *fmt, ...))
{
	memset(h, 0, sizeof(*h));
	h->guest_cid = guest_cid;
	h->heartbeat_listening = heartbeat;
	h->heartbeat_port = port;
	h->log = log;
}

int vsock_host_add_sink(struct vsock_host *h, uint32_t port, int fd)
{
	if (h->sink_count == VSOCK_MAX_SINKS)
		return -1;
	h->sinks[h->sink_count++] = (struct vsock_sink){ port, fd };
	return 0;
}

void vsock_host_reset(struct vsock_host *h)
{
	memset(h->conns, 0, sizeof(h->conns));
	h->pending_head = h->pending_count = 0;
}

/* Queue a packet from (HOST_CID, HOST_PORT) to the guest's GUEST_PORT. */
static void send_packet(struct vsock_host *h, uint64_t host_cid, uint32_t host_port,
			uint32_t guest_port, uint16_t op, uint32_t flags,
			struct vsock_connection *c, const uint8_t *payload, uint32_t len)
{
	if (h->pending_count == VSOCK_MAX_PENDING || len > sizeof(h->pending[0].payload)) {
		h->log("vsock: dropping a packet to guest port %u: %u packets already wait for rx buffers",
		       guest_port, h->pending_count);
		return;
	}
	struct vsock_packet *p = &h->pending[(h->pending_head + h->pending_count) % VSOCK_MAX_PENDING];
	h->pending_count++;
	memset(p, 0, sizeof(*p));
	put_le(p->hdr, host_cid, 8);
	put_le(p->hdr + 8, h->guest_cid, 8);
	put_le(p->hdr + 16, host_port, 4);
	put_le(p->hdr + 20, guest_port, 4);
	put_le(p->hdr + 24, len, 4);
	put_le(p->hdr + 28, TYPE_STREAM, 2);
	put_le(p->hdr + 30, op, 2);
	put_le(p->hdr + 32, flags, 4);
	put_le(p->hdr + 36, OUR_BUF_ALLOC, 4);
	put_le(p->hdr + 40, c ? c->fwd_cnt : 0, 4);
	if (c)
		c->credit_sent = c->fwd_cnt;
	if (len)
		memcpy(p->payload, payload, len);
	p->payload_len = len;
}

static void reset_peer(struct vsock_host *h, const struct vsock_header *in)
{
	send_packet(h, in->dst_cid, in->dst_port, in->src_port, OP_RST, 0, NULL, NULL, 0);
}

static struct vsock_connection *find(struct vsock_host *h, const struct vsock_header *in)
{
	for (int i = 0; i < VSOCK_MAX_CONNECTIONS; i++) {
		struct vsock_connection *c = &h->conns[i];
		if (c->used && c->host_cid == in->dst_cid && c->host_port == in->dst_port &&
		    c->guest_port == in->src_port)
			return c;
	}
	return NULL;
}

static const struct vsock_sink *sink_for(const struct vsock_host *h, const struct vsock_header *in)
{
	for (unsigned i = 0; in->dst_cid == PARENT_CID && i < h->sink_count; i++)
		if (h->sinks[i].port == in->dst_port)
			return &h->sinks[i];
	return NULL;
}

static void accept_connection(struct vsock_host *h, const struct vsock_header *in)
{
	/* Only the parent (CID 3) listens, as on a Nitro host. */
	const struct vsock_sink *sink = sink_for(h, in);
	bool heartbeat = h->heartbeat_listening && in->dst_cid == PARENT_CID && in->dst_port == h->heartbeat_port;
	if (!heartbeat && !sink) {
		h->log("vsock: guest port %u connected to cid %llu port %u: no listener, reset",
		       in->src_port, (unsigned long long)in->dst_cid, in->dst_port);
		reset_peer(h, in);
		return;
	}
	if (heartbeat && h->heartbeat_served) {
		h->log("vsock: second heartbeat connection from guest port %u: the parent accepts one, reset",
		       in->src_port);
		reset_peer(h, in);
		return;
	}
	struct vsock_connection *c = NULL;
	for (int i = 0; i < VSOCK_MAX_CONNECTIONS && !c; i++)
		if (!h->conns[i].used)
			c = &h->conns[i];
	if (!c) {
		reset_peer(h, in);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->used = true;
	c->host_cid = in->dst_cid;
	c->host_port = in->dst_port;
	c->guest_port = in->src_port;
	c->peer_buf_alloc = in->buf_alloc;
	c->peer_fwd_cnt = in->fwd_cnt;
	c->sink_fd = heartbeat ? -1 : sink->fd;
	if (heartbeat)
		h->heartbeat_served = true;
	h->log("vsock: %s connection from guest cid %llu port %u to cid %llu port %u accepted",
	       heartbeat ? "heartbeat" : "sink", (unsigned long long)in->src_cid, in->src_port,
	       (unsigned long long)in->dst_cid, in->dst_port);
	send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RESPONSE, 0, c, NULL, 0);
}

/* The parent reads one byte, requires 0xB7, echoes it and closes (docs/boot-contract.md#the-heartbeat). */
static void heartbeat_data(struct vsock_host *h, struct vsock_connection *c, const uint8_t *data,
			   uint32_t len)
{
	c->fwd_cnt += len;
	if (c->answered || len == 0)
		return;
	c->answered = true;
	if (data[0] != VSOCK_HEARTBEAT_BYTE) {
		h->log("vsock: heartbeat from guest port %u: got byte 0x%02x, expected 0x%02x; reset",
		       c->guest_port, data[0], VSOCK_HEARTBEAT_BYTE);
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RST, 0, c, NULL, 0);
		c->used = false;
		return;
	}
	uint32_t credit = c->peer_buf_alloc - (c->tx_cnt - c->peer_fwd_cnt);
	if (credit < 1) {
		h->log("vsock: heartbeat from guest port %u: guest advertises no receive space; reset",
		       c->guest_port);
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RST, 0, c, NULL, 0);
		c->used = false;
		return;
	}
	const uint8_t reply = VSOCK_HEARTBEAT_BYTE;
	c->tx_cnt++;
	send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RW, 0, c, &reply, 1);
	send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_SHUTDOWN,
		    SHUTDOWN_RCV | SHUTDOWN_SEND, c, NULL, 0);
	c->we_shut_down = true;
	h->log("vsock: heartbeat 0x%02x from guest port %u, answered 0x%02x", data[0], c->guest_port, reply);
}

/* A sink keeps everything; the guest hears of the freed space before it runs out. */
static void sink_data(struct vsock_host *h, struct vsock_connection *c, const uint8_t *data, uint32_t len)
{
	for (uint32_t off = 0; off < len;) {
		ssize_t n = write(c->sink_fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			h->log("vsock: sink port %u: writing %u bytes: %s; connection reset", c->host_port,
			       len - off, n < 0 ? strerror(errno) : "no progress");
			send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RST, 0, c, NULL, 0);
			c->used = false;
			return;
		}
		off += (uint32_t)n;
	}
	c->fwd_cnt += len;
	c->sink_bytes += len;
	if (c->fwd_cnt - c->credit_sent >= OUR_BUF_ALLOC / 2)
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_CREDIT_UPDATE, 0, c, NULL, 0);
}

static void close_connection(struct vsock_host *h, struct vsock_connection *c)
{
	if (c->sink_fd >= 0)
		h->log("vsock: sink port %u: guest port %u closed after %llu bytes", c->host_port,
		       c->guest_port, (unsigned long long)c->sink_bytes);
	c->used = false;
}

void vsock_host_receive(struct vsock_host *h, const uint8_t *pkt, size_t len)
{
	if (len < VSOCK_HDR_SIZE) {
		h->log("vsock: dropping a %zu-byte tx packet, shorter than the %d-byte header", len, VSOCK_HDR_SIZE);
		return;
	}
	struct vsock_header in;
	decode_header(pkt, &in);
	const uint8_t *data = pkt + VSOCK_HDR_SIZE;
	size_t have = len - VSOCK_HDR_SIZE;
	if (in.len > have) {
		h->log("vsock: dropping a tx packet claiming %u payload bytes with %zu present", in.len, have);
		return;
	}
	if (in.src_cid != h->guest_cid || (in.dst_cid != HOST_CID && in.dst_cid != PARENT_CID)) {
		h->log("vsock: dropping a packet from cid %llu to cid %llu (guest is %llu; we are %d and %d)",
		       (unsigned long long)in.src_cid, (unsigned long long)in.dst_cid,
		       (unsigned long long)h->guest_cid, HOST_CID, PARENT_CID);
		return;
	}
	struct vsock_connection *c = find(h, &in);
	if (in.op == OP_RST) {
		if (c)
			close_connection(h, c);
		return;
	}
	if (in.type != TYPE_STREAM) {
		h->log("vsock: guest port %u: socket type %u unsupported (stream only), reset", in.src_port, in.type);
		reset_peer(h, &in);
		return;
	}
	if (in.op == OP_REQUEST) {
		if (c) {
			h->log("vsock: guest port %u re-requested a live connection, reset", in.src_port);
			c->used = false;
			reset_peer(h, &in);
			return;
		}
		accept_connection(h, &in);
		return;
	}
	if (!c) {
		reset_peer(h, &in);
		return;
	}
	c->peer_buf_alloc = in.buf_alloc;
	c->peer_fwd_cnt = in.fwd_cnt;
	switch (in.op) {
	case OP_RW:
		if (c->sink_fd >= 0)
			sink_data(h, c, data, in.len);
		else
			heartbeat_data(h, c, data, in.len);
		return;
	case OP_CREDIT_REQUEST:
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_CREDIT_UPDATE, 0, c, NULL, 0);
		return;
	case OP_CREDIT_UPDATE:
		return;
	case OP_SHUTDOWN:
		/* Either side's full shutdown ends the stream; the receiver of it resets. */
		if (c->we_shut_down || (in.flags & (SHUTDOWN_RCV | SHUTDOWN_SEND)) == (SHUTDOWN_RCV | SHUTDOWN_SEND)) {
			send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RST, 0, c, NULL, 0);
			close_connection(h, c);
		}
		return;
	default:
		h->log("vsock: guest port %u: unexpected op %u, reset", in.src_port, in.op);
		c->used = false;
		reset_peer(h, &in);
		return;
	}
}

const struct vsock_packet *vsock_host_next(const struct vsock_host *h)
{
	return h->pending_count ? &h->pending[h->pending_head] : NULL;
}

void vsock_host_sent(struct vsock_host *h)
{
	if (!h->pending_count)
		return;
	h->pending_head = (h->pending_head + 1) % VSOCK_MAX_PENDING;
	h->pending_count--;
}
