/* virtio-vsock stream protocol (virtio 1.2 section 5.10) from the host's side. The guest is
 * untrusted: any packet we cannot place is answered with RST or dropped, never trusted. */
#include "vsock_host.h"
#include "le.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int vsock_host_add_stream(struct vsock_host *h, uint32_t port, bool strict)
{
	if (h->stream_count == VSOCK_MAX_STREAMS)
		return -1;
	h->streams[h->stream_count].port = port;
	h->streams[h->stream_count++].strict = strict;
	return 0;
}

int vsock_host_add_fault(struct vsock_host *h, const struct vsock_fault *f)
{
	if (h->fault_count == VSOCK_MAX_FAULTS)
		return -1;
	struct vsock_fault *to = &h->faults[h->fault_count++];
	to->kind = f->kind;
	to->direction = f->direction;
	to->port = f->port;
	to->packet = f->packet;
	return 0;
}

/* The fault that takes this data packet (counting it for every fault that watches), or NULL. */
static struct vsock_fault *fault_chosen(struct vsock_host *h, enum vsock_fault_direction direction,
				       const struct vsock_connection *c)
{
	struct vsock_fault *chosen = NULL;
	for (unsigned i = 0; i < h->fault_count; i++) {
		struct vsock_fault *f = &h->faults[i];
		if (f->done || f->direction != direction || (f->port && f->port != c->host_port))
			continue;
		if (++f->seen == f->packet && !chosen) {
			f->done = true;
			chosen = f;
		}
	}
	return chosen;
}

static const char *const fault_names[] = { "", "drop", "duplicate", "reorder" };

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
	for (unsigned i = 0; i < h->fault_count; i++)
		h->faults[i].held_conn = NULL;
}

static void encode_header(struct vsock_host *h, uint8_t *hdr, uint64_t host_cid, uint32_t host_port,
			  uint32_t guest_port, uint16_t op, uint32_t flags, struct vsock_connection *c,
			  uint32_t len)
{
	memset(hdr, 0, VSOCK_HDR_SIZE);
	put_le(hdr, host_cid, 8);
	put_le(hdr + 8, h->guest_cid, 8);
	put_le(hdr + 16, host_port, 4);
	put_le(hdr + 20, guest_port, 4);
	put_le(hdr + 24, len, 4);
	put_le(hdr + 28, TYPE_STREAM, 2);
	put_le(hdr + 30, op, 2);
	put_le(hdr + 32, flags, 4);
	put_le(hdr + 36, OUR_BUF_ALLOC, 4);
	put_le(hdr + 40, c ? c->fwd_cnt : 0, 4);
	if (c)
		c->credit_sent = c->fwd_cnt;
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
	encode_header(h, p->hdr, host_cid, host_port, guest_port, op, flags, c, len);
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

/* The stream listener on the request's port: its index, or -1. */
static int stream_for(const struct vsock_host *h, const struct vsock_header *in)
{
	for (unsigned i = 0; in->dst_cid == PARENT_CID && i < h->stream_count; i++)
		if (h->streams[i].port == in->dst_port)
			return (int)i;
	return -1;
}

static const char *const kind_names[] = { "heartbeat", "sink", "stream" };

static void accept_connection(struct vsock_host *h, const struct vsock_header *in)
{
	/* Only the parent (CID 3) listens, as on a Nitro host. */
	const struct vsock_sink *sink = sink_for(h, in);
	int stream = stream_for(h, in);
	bool heartbeat = h->heartbeat_listening && in->dst_cid == PARENT_CID && in->dst_port == h->heartbeat_port;
	if (!heartbeat && !sink && stream < 0) {
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
		h->log("vsock: guest port %u: all %d connections in use, reset", in->src_port, VSOCK_MAX_CONNECTIONS);
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
	c->kind = heartbeat ? VSOCK_HEARTBEAT : sink ? VSOCK_SINK : VSOCK_STREAM;
	c->sink_fd = sink ? sink->fd : -1;
	if (heartbeat)
		h->heartbeat_served = true;
	if (c->kind == VSOCK_STREAM) {
		c->stream.strict = h->streams[stream].strict;
		c->stream.start = now_seconds();
	}
	h->log("vsock: %s connection from guest cid %llu port %u to cid %llu port %u accepted",
	       kind_names[c->kind], (unsigned long long)in->src_cid, in->src_port,
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

static void reset_connection(struct vsock_host *h, struct vsock_connection *c, const char *how);

/* Give the guest back credit for what it sent, as its free space runs low. */
static void consume(struct vsock_host *h, struct vsock_connection *c, uint32_t len)
{
	c->fwd_cnt += len;
	if (c->fwd_cnt - c->credit_sent >= OUR_BUF_ALLOC / 2)
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_CREDIT_UPDATE, 0, c, NULL, 0);
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
			reset_connection(h, c, "reset");
			return;
		}
		off += (uint32_t)n;
	}
	c->sink_bytes += len;
	consume(h, c, len);
}

static void stream_report(struct vsock_host *h, struct vsock_connection *c, const char *how);

static void close_connection(struct vsock_host *h, struct vsock_connection *c, const char *how)
{
	if (c->kind == VSOCK_SINK)
		h->log("vsock: sink port %u: guest port %u closed after %llu bytes", c->host_port,
		       c->guest_port, (unsigned long long)c->sink_bytes);
	for (unsigned i = 0; i < h->fault_count; i++) {
		struct vsock_fault *f = &h->faults[i];
		if (f->held_conn != c)
			continue;
		f->held_conn = NULL;
		/* No later packet to swap with: the held one comes last, in order after all. */
		if (f->direction == VSOCK_FAULT_TO_HOST && c->stream.requested)
			stream_check_update(&c->stream.received, f->held, f->held_len);
	}
	if (c->kind == VSOCK_STREAM)
		stream_report(h, c, how);
	c->used = false;
}

static void reset_connection(struct vsock_host *h, struct vsock_connection *c, const char *how)
{
	send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_RST, 0, c, NULL, 0);
	close_connection(h, c, how);
}

/* What a stream connection received and sent, for the test to compare with the guest's. */
static void stream_report(struct vsock_host *h, struct vsock_connection *c, const char *how)
{
	struct vsock_stream_state *s = &c->stream;
	char received[2 * SHA256_DIGEST_SIZE + 1], sent[2 * SHA256_DIGEST_SIZE + 1], check[64];
	stream_check_hex(&s->received, received);
	stream_hash_hex(&s->sent_hash, sent);
	if (s->received.mismatch)
		snprintf(check, sizeof(check), "differs from the pattern at byte %llu",
			 (unsigned long long)s->received.mismatch_at);
	else
		snprintf(check, sizeof(check), "pattern ok");
	h->log("vsock: stream port %u guest port %u %s after %.2f s: received %llu bytes sha256 %s (%s);"
	       " sent %llu of %llu bytes sha256 %s; %llu data packets, %llu with the payload in several"
	       " descriptors; pushback %s, held at most %u bytes, guest buffer full %s",
	       c->host_port, c->guest_port, how, now_seconds() - s->start,
	       (unsigned long long)s->received.bytes, received, check, (unsigned long long)s->sent,
	       (unsigned long long)s->req.host_bytes, sent, (unsigned long long)s->packets,
	       (unsigned long long)s->multi_descriptor, s->req.flags & STREAM_PUSHBACK ? "on" : "off",
	       s->max_held, s->guest_was_full ? "yes" : "no");
}

/* Stream bytes in order: the request first, then the guest's pattern. */
static void stream_bytes(struct vsock_host *h, struct vsock_connection *c, const uint8_t *data, uint32_t len)
{
	struct vsock_stream_state *s = &c->stream;
	if (!s->requested) {
		uint32_t take = len < STREAM_REQUEST_SIZE - s->request_have ? len : STREAM_REQUEST_SIZE - s->request_have;
		memcpy(s->request + s->request_have, data, take);
		s->request_have += take;
		data += take;
		len -= take;
		if (s->request_have < STREAM_REQUEST_SIZE)
			return;
		if (stream_request_decode(s->request, &s->req) < 0) {
			h->log("vsock: stream port %u guest port %u: the first %d bytes are not a stream request; reset",
			       c->host_port, c->guest_port, STREAM_REQUEST_SIZE);
			reset_connection(h, c, "refused (bad request)");
			return;
		}
		s->requested = true;
		stream_check_init(&s->received, s->req.seed);
		sha256_init(&s->sent_hash);
	}
	stream_check_update(&s->received, data, len);
}

/* One data packet of a stream, through the fault injector when it is the chosen one. */
static void stream_data(struct vsock_host *h, struct vsock_connection *c, const uint8_t *data, uint32_t len)
{
	struct vsock_stream_state *s = &c->stream;
	if (s->req.flags & STREAM_PUSHBACK && !s->draining) {
		s->held += len;
		if (s->held > s->max_held)
			s->max_held = s->held;
	} else {
		consume(h, c, len);
	}
	struct vsock_fault *f = fault_chosen(h, VSOCK_FAULT_TO_HOST, c);
	if (f) {
		h->log("vsock: fault: %s guest data packet %llu of port %u (%u bytes, guest port %u)",
		       fault_names[f->kind], (unsigned long long)f->packet, c->host_port, len, c->guest_port);
		if (f->kind == VSOCK_FAULT_DROP)
			return;
		if (f->kind == VSOCK_FAULT_REORDER) {
			memcpy(f->held, data, len);
			f->held_len = len;
			f->held_conn = c;
			return;
		}
		stream_bytes(h, c, data, len);
	}
	if (c->used)
		stream_bytes(h, c, data, len);
	/* A packet held back comes after this one. */
	for (unsigned i = 0; i < h->fault_count && c->used; i++) {
		struct vsock_fault *held = &h->faults[i];
		if (held->held_conn == c && held->direction == VSOCK_FAULT_TO_HOST) {
			held->held_conn = NULL;
			stream_bytes(h, c, held->held, held->held_len);
		}
	}
}

void vsock_host_receive(struct vsock_host *h, const uint8_t *pkt, size_t len, unsigned payload_descriptors)
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
	if (in.op == OP_RW && in.len) {
		h->tx.data_packets++;
		if (payload_descriptors > 1)
			h->tx.multi_descriptor++;
	}
	if (in.op == OP_RST) {
		if (c)
			close_connection(h, c, "reset by the guest");
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
			close_connection(h, c, "re-requested");
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
		if (c->kind == VSOCK_SINK) {
			sink_data(h, c, data, in.len);
		} else if (c->kind == VSOCK_HEARTBEAT) {
			heartbeat_data(h, c, data, in.len);
		} else if (in.len) {
			c->stream.packets++;
			if (payload_descriptors > 1) {
				c->stream.multi_descriptor++;
				if (c->stream.strict) {
					h->tx.refused++;
					h->log("vsock: strict: stream port %u guest port %u sent a packet of %u payload"
					       " bytes in %u descriptors; refused (reset)", c->host_port, c->guest_port,
					       in.len, payload_descriptors);
					reset_connection(h, c, "refused by the strict mode");
					return;
				}
			}
			stream_data(h, c, data, in.len);
		}
		return;
	case OP_CREDIT_REQUEST:
		send_packet(h, c->host_cid, c->host_port, c->guest_port, OP_CREDIT_UPDATE, 0, c, NULL, 0);
		return;
	case OP_CREDIT_UPDATE:
		return;
	case OP_SHUTDOWN:
		if (in.flags & SHUTDOWN_SEND && c->kind == VSOCK_STREAM) {
			c->stream.guest_done = true;
			/* Nothing more comes: what was held back is read now. */
			if (c->stream.held) {
				c->stream.draining = true;
				consume(h, c, c->stream.held);
				c->stream.held = 0;
			}
		}
		/* Either side's full shutdown ends the stream; the receiver of it resets. */
		if (c->we_shut_down || (in.flags & (SHUTDOWN_RCV | SHUTDOWN_SEND)) == (SHUTDOWN_RCV | SHUTDOWN_SEND))
			reset_connection(h, c, "closed");
		return;
	default:
		h->log("vsock: guest port %u: unexpected op %u, reset", in.src_port, in.op);
		close_connection(h, c, "reset (unexpected op)");
		reset_peer(h, &in);
		return;
	}
}

bool vsock_host_pushing_back(const struct vsock_host *h)
{
	/* A heartbeat byte needs two packets; a little room for the rest. */
	return h->pending_count + 4 > VSOCK_MAX_PENDING;
}

static uint32_t guest_credit(const struct vsock_connection *c)
{
	return c->peer_buf_alloc - (c->tx_cnt - c->peer_fwd_cnt);
}

/* Whether stream C has bytes for the guest now. A pushback stream blocked by the guest's
 * full buffer starts draining what it held, as the deadlock's other half would. */
static bool stream_can_send(struct vsock_host *h, struct vsock_connection *c)
{
	struct vsock_stream_state *s = &c->stream;
	if (!c->used || c->kind != VSOCK_STREAM || !s->requested || s->host_done)
		return false;
	bool more = s->sent < s->req.host_bytes;
	bool credit = guest_credit(c) > 0 && guest_credit(c) <= c->peer_buf_alloc;
	/* Drain only once both buffers are full: ours (the guest's writes block) and the guest's. */
	if (s->req.flags & STREAM_PUSHBACK && !s->draining && s->held >= OUR_BUF_ALLOC && (!more || !credit)) {
		s->guest_was_full = more;
		s->draining = true;
		consume(h, c, s->held);
		s->held = 0;
	}
	return !more || credit;	/* the SHUTDOWN(SEND) after the last byte needs no credit */
}

/* A held packet to the guest that may go now. */
static struct vsock_fault *fault_ready(struct vsock_host *h)
{
	for (unsigned i = 0; i < h->fault_count; i++) {
		struct vsock_fault *f = &h->faults[i];
		if (f->held_conn && !f->held_wait_next && f->direction == VSOCK_FAULT_TO_GUEST)
			return f;
	}
	return NULL;
}

bool vsock_host_has_output(struct vsock_host *h)
{
	if (h->pending_count || fault_ready(h))
		return true;
	bool any = false;
	for (int i = 0; i < VSOCK_MAX_CONNECTIONS; i++)
		any |= stream_can_send(h, &h->conns[i]);
	return any;
}

/* The next data packet of stream C, at most CAP bytes with the header; its length. */
static size_t stream_packet(struct vsock_host *h, struct vsock_connection *c, uint8_t *buf, size_t cap)
{
	struct vsock_stream_state *s = &c->stream;
	uint64_t left = s->req.host_bytes - s->sent;
	if (left == 0) {
		s->host_done = true;
		encode_header(h, buf, c->host_cid, c->host_port, c->guest_port, OP_SHUTDOWN, SHUTDOWN_SEND, c, 0);
		return VSOCK_HDR_SIZE;
	}
	uint64_t len = cap - VSOCK_HDR_SIZE;
	if (len > VSOCK_MAX_PAYLOAD)
		len = VSOCK_MAX_PAYLOAD;
	if (len > left)
		len = left;
	if (len > guest_credit(c))
		len = guest_credit(c);
	stream_pattern(stream_host_seed(s->req.seed), s->sent, buf + VSOCK_HDR_SIZE, (size_t)len);
	sha256_update(&s->sent_hash, buf + VSOCK_HDR_SIZE, (size_t)len);
	s->sent += len;
	c->tx_cnt += (uint32_t)len;
	encode_header(h, buf, c->host_cid, c->host_port, c->guest_port, OP_RW, 0, c, (uint32_t)len);
	return VSOCK_HDR_SIZE + (size_t)len;
}

/* The chosen data packet to the guest goes away, or also into the fault's slot; the length
 * to deliver now. */
static size_t fault_to_guest(struct vsock_host *h, struct vsock_connection *c, uint8_t *buf, size_t len)
{
	for (unsigned i = 0; i < h->fault_count; i++) {
		struct vsock_fault *f = &h->faults[i];
		if (f->held_conn == c && f->held_wait_next) {
			f->held_wait_next = false;	/* the packet it waited for is this one */
			return len;
		}
	}
	struct vsock_fault *f = fault_chosen(h, VSOCK_FAULT_TO_GUEST, c);
	if (!f)
		return len;
	h->log("vsock: fault: %s host data packet %llu of port %u (%zu bytes, guest port %u)", fault_names[f->kind],
	       (unsigned long long)f->packet, c->host_port, len - VSOCK_HDR_SIZE, c->guest_port);
	if (f->kind == VSOCK_FAULT_DROP)
		return 0;
	memcpy(f->held, buf, len);
	f->held_len = (uint32_t)len;
	f->held_conn = c;
	if (f->kind == VSOCK_FAULT_DUPLICATE) {
		c->tx_cnt += (uint32_t)(len - VSOCK_HDR_SIZE);
		return len;
	}
	f->held_wait_next = true;
	return 0;
}

size_t vsock_host_pull(struct vsock_host *h, uint8_t *buf, size_t cap)
{
	if (cap < VSOCK_HDR_SIZE + 1) {
		h->log("vsock: guest rx buffer of %zu bytes cannot hold a packet; returned empty", cap);
		return 0;
	}
	if (h->pending_count) {
		const struct vsock_packet *p = &h->pending[h->pending_head];
		memcpy(buf, p->hdr, VSOCK_HDR_SIZE);
		memcpy(buf + VSOCK_HDR_SIZE, p->payload, p->payload_len);
		h->pending_head = (h->pending_head + 1) % VSOCK_MAX_PENDING;
		h->pending_count--;
		return VSOCK_HDR_SIZE + p->payload_len;
	}
	struct vsock_fault *f = fault_ready(h);
	if (f) {
		f->held_conn = NULL;
		if (f->held_len <= cap) {
			memcpy(buf, f->held, f->held_len);
			return f->held_len;
		}
	}
	for (unsigned n = 0; n < VSOCK_MAX_CONNECTIONS; n++) {
		struct vsock_connection *c = &h->conns[(h->next_stream + n) % VSOCK_MAX_CONNECTIONS];
		if (!stream_can_send(h, c))
			continue;
		h->next_stream = (h->next_stream + n + 1) % VSOCK_MAX_CONNECTIONS;
		size_t len = stream_packet(h, c, buf, cap);
		if (len > VSOCK_HDR_SIZE)
			len = fault_to_guest(h, c, buf, len);
		if (len)
			return len;
		return vsock_host_pull(h, buf, cap);
	}
	return 0;
}

void vsock_host_summary(const struct vsock_host *h)
{
	h->log("vsock: guest tx: %llu data packets, %llu with the payload in several descriptors, %llu refused"
	       " by the strict mode", (unsigned long long)h->tx.data_packets,
	       (unsigned long long)h->tx.multi_descriptor, (unsigned long long)h->tx.refused);
	for (unsigned i = 0; i < h->fault_count; i++) {
		const struct vsock_fault *f = &h->faults[i];
		if (!f->done)
			h->log("vsock: fault: %s %s data packet %llu of port %u asked for, but only %llu came;"
			       " nothing was injected", fault_names[f->kind],
			       f->direction == VSOCK_FAULT_TO_HOST ? "guest" : "host", (unsigned long long)f->packet,
			       f->port, (unsigned long long)f->seen);
	}
}
