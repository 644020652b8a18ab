/* vhost-user back-end for a vsock device. Each message is a 12-byte header (request, flags,
 * size; little-endian), SIZE payload bytes, and up to 8 fds as SCM_RIGHTS ancillary data. */
#include "vhost_user.h"
#include "le.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	GET_FEATURES = 1, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE, SET_LOG_BASE,
	SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE,
	SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES,
	SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE,
	GET_CONFIG = 24, SET_CONFIG = 25, GET_MAX_MEM_SLOTS = 36, SET_STATUS = 39, GET_STATUS = 40,
};

#define HDR_SIZE 12
#define MAX_PAYLOAD 4096
#define MAX_FDS 8
#define FLAG_VERSION 0x1
#define FLAG_REPLY 0x4
#define FLAG_NEED_REPLY 0x8
#define VRING_INDEX_MASK 0xff
#define VRING_NOFD 0x100
#define MAX_CONFIG 256

#define F_VERSION_1 (1ull << 32)
#define F_PROTOCOL_FEATURES (1ull << 30)
#define PROTOCOL_F_REPLY_ACK (1ull << 3)
#define PROTOCOL_F_CONFIG (1ull << 9)

static const uint64_t offered_features = F_VERSION_1 | F_PROTOCOL_FEATURES;
static const uint64_t offered_protocol = PROTOCOL_F_CONFIG | PROTOCOL_F_REPLY_ACK;

struct message {
	uint32_t request, flags, size;
	uint8_t payload[MAX_PAYLOAD];
	int fds[MAX_FDS];
	unsigned nfds;
};

/* Take the first fd of M (the caller now owns it), or -1. */
static int take_fd(struct message *m)
{
	if (m->nfds == 0)
		return -1;
	int fd = m->fds[0];
	memmove(m->fds, m->fds + 1, (m->nfds - 1) * sizeof(int));
	m->nfds--;
	return fd;
}

static void close_fds(struct message *m)
{
	while (m->nfds)
		close(take_fd(m));
}

void vhost_user_device_init(struct vhost_user_device *d, int fd, struct vsock_host *host,
			    bool trace, void (*log)(const char *fmt, ...))
{
	memset(d, 0, sizeof(*d));
	d->fd = fd;
	d->host = host;
	d->trace = trace;
	d->log = log;
	guest_memory_init(&d->mem);
	for (unsigned i = 0; i < VSOCK_QUEUES; i++)
		virtqueue_init(&d->vq[i], i);
}

void vhost_user_device_close(struct vhost_user_device *d)
{
	for (unsigned i = 0; i < VSOCK_QUEUES; i++)
		virtqueue_reset(&d->vq[i]);
	guest_memory_clear(&d->mem);
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

/* Read exactly LEN bytes, collecting any fds into M: LEN, 0 at EOF before the first byte, or -1. */
static ssize_t read_full(int fd, uint8_t *buf, size_t len, struct message *m, char *err, size_t err_len)
{
	size_t got = 0;
	while (got < len) {
		union {
			char buf[CMSG_SPACE(MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { buf + got, len - got };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			unsigned count = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (unsigned i = 0; i < count; i++) {
				int f;
				memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (m->nfds < MAX_FDS)
					m->fds[m->nfds++] = f;
				else
					close(f);
			}
		}
		if (n < 0) {
			snprintf(err, err_len, "reading from QEMU: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (got == 0)
				return 0;
			snprintf(err, err_len, "QEMU closed the connection in the middle of a message (%zu of %zu bytes)",
				 got, len);
			return -1;
		}
		got += (size_t)n;
	}
	return (ssize_t)len;
}

static void send_reply(struct vhost_user_device *d, const struct message *m, const uint8_t *payload,
		       uint32_t size)
{
	uint8_t buf[HDR_SIZE + MAX_PAYLOAD];
	put_le(buf, m->request, 4);
	put_le(buf + 4, FLAG_VERSION | FLAG_REPLY, 4);
	put_le(buf + 8, size, 4);
	memcpy(buf + HDR_SIZE, payload, size);
	size_t len = HDR_SIZE + size, off = 0;
	while (off < len) {
		ssize_t n = send(d->fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* The next read sees the same dead connection and ends the session. */
			d->log("vhost-user: reply to request %u: %s", m->request, strerror(errno));
			return;
		}
		off += (size_t)n;
	}
}

static void reply_u64(struct vhost_user_device *d, const struct message *m, uint64_t v)
{
	uint8_t p[8];
	put_le(p, v, 8);
	send_reply(d, m, p, 8);
}

/* Handlers return 0 on success, -1 on failure (logged); failure is what REPLY_ACK reports. */
typedef int handler_fn(struct vhost_user_device *d, struct message *m);

static struct virtqueue *queue_of(struct vhost_user_device *d, const struct message *m, uint64_t index)
{
	if (index < VSOCK_QUEUES)
		return &d->vq[index];
	d->log("vhost-user: request %u names queue %llu; a vsock device has %d", m->request,
	       (unsigned long long)index, VSOCK_QUEUES);
	return NULL;
}

static int get_features(struct vhost_user_device *d, struct message *m)
{
	reply_u64(d, m, offered_features);
	return 0;
}

static int set_features(struct vhost_user_device *d, struct message *m)
{
	d->acked_features = get_le(m->payload, 8) & offered_features;
	return 0;
}

static int get_protocol_features(struct vhost_user_device *d, struct message *m)
{
	reply_u64(d, m, offered_protocol);
	return 0;
}

static int set_protocol_features(struct vhost_user_device *d, struct message *m)
{
	d->protocol_features = get_le(m->payload, 8) & offered_protocol;
	return 0;
}

static int set_owner(struct vhost_user_device *d, struct message *m)
{
	(void)d;
	(void)m;
	return 0;
}

static int reset_owner(struct vhost_user_device *d, struct message *m)
{
	(void)m;
	for (unsigned i = 0; i < VSOCK_QUEUES; i++)
		virtqueue_reset(&d->vq[i]);
	vsock_host_reset(d->host);
	return 0;
}

/* The new table is built aside and replaces the old one only when every region mapped: a
 * refused table leaves the device as it was, so started rings never point into unmapped memory. */
static int set_mem_table(struct vhost_user_device *d, struct message *m)
{
	uint32_t count = (uint32_t)get_le(m->payload, 4);
	if (count > GUEST_MEMORY_MAX_REGIONS || m->size < 8 + 32 * count || m->nfds != count) {
		d->log("vhost-user: SET_MEM_TABLE with %u regions, %u payload bytes and %u fds is inconsistent",
		       count, m->size, m->nfds);
		return -1;
	}
	struct guest_memory fresh;
	guest_memory_init(&fresh);
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *r = m->payload + 8 + 32 * i;
		char err[200];
		int fd = take_fd(m);
		int rc = guest_memory_add(&fresh, get_le(r, 8), get_le(r + 8, 8), get_le(r + 16, 8),
					  get_le(r + 24, 8), fd, err, sizeof(err));
		close(fd);
		if (rc < 0) {
			d->log("vhost-user: SET_MEM_TABLE refused, the previous table stays: %s", err);
			guest_memory_clear(&fresh);
			return -1;
		}
	}
	/* Running rings point into the old mapping: resolve them in the new one before it goes;
	 * a ring the new table does not hold stops (virtqueue_start clears started). */
	for (unsigned i = 0; i < VSOCK_QUEUES; i++) {
		char err[200];
		if (d->vq[i].started && virtqueue_start(&d->vq[i], &fresh, err, sizeof(err)) < 0)
			d->log("vhost-user: %s; queue stopped", err);
	}
	guest_memory_clear(&d->mem);
	d->mem = fresh;
	return 0;
}

static int set_vring_num(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq = queue_of(d, m, get_le(m->payload, 4));
	uint32_t num = (uint32_t)get_le(m->payload + 4, 4);
	if (!vq)
		return -1;
	if (num == 0 || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1))) {
		d->log("vhost-user: queue %u: size %u is not a power of two up to %d", vq->index, num,
		       VIRTQUEUE_MAX_SIZE);
		return -1;
	}
	vq->num = num;
	vq->started = false;
	return 0;
}

static int set_vring_addr(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq = queue_of(d, m, get_le(m->payload, 4));
	if (!vq)
		return -1;
	vq->desc_addr = get_le(m->payload + 8, 8);
	vq->used_addr = get_le(m->payload + 16, 8);
	vq->avail_addr = get_le(m->payload + 24, 8);
	vq->addr_set = true;
	vq->started = false;
	return 0;
}

static int set_vring_base(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq = queue_of(d, m, get_le(m->payload, 4));
	if (!vq)
		return -1;
	vq->last_avail = (uint16_t)get_le(m->payload + 4, 4);
	return 0;
}

/* Stops the ring and reports where it stopped. */
static int get_vring_base(struct vhost_user_device *d, struct message *m)
{
	uint32_t index = (uint32_t)get_le(m->payload, 4);
	struct virtqueue *vq = queue_of(d, m, index);
	uint8_t p[8];
	put_le(p, index, 4);
	put_le(p + 4, vq ? vq->last_avail : 0, 4);
	send_reply(d, m, p, 8);
	if (!vq)
		return -1;
	vq->started = false;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = -1;
	if (index == VSOCK_QUEUE_RX)
		vsock_host_reset(d->host);
	return 0;
}

/* SET_VRING_KICK/CALL/ERR: queue index in the low byte, bit 8 set when no fd comes along. */
static int ring_fd(struct vhost_user_device *d, struct message *m, struct virtqueue **vq, int *fd)
{
	uint64_t v = get_le(m->payload, 8);
	bool nofd = v & VRING_NOFD;
	*fd = nofd ? -1 : take_fd(m);
	*vq = queue_of(d, m, v & VRING_INDEX_MASK);
	if ((!nofd && *fd < 0) || !*vq) {
		if (!nofd && *fd < 0)
			d->log("vhost-user: request %u promises an fd and carries none", m->request);
		if (*fd >= 0)
			close(*fd);
		return -1;
	}
	return 0;
}

static int set_vring_kick(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq;
	int fd;
	if (ring_fd(d, m, &vq, &fd) < 0)
		return -1;
	if (vq->kick_fd >= 0)
		close(vq->kick_fd);
	vq->kick_fd = fd;
	/* Draining it must never block the one thread that also serves QEMU. */
	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		d->log("vhost-user: queue %u: making its kick fd non-blocking: %s", vq->index, strerror(errno));
	char err[200];
	if (virtqueue_start(vq, &d->mem, err, sizeof(err)) < 0) {
		d->log("vhost-user: %s", err);
		return -1;
	}
	if (d->trace)
		d->log("vhost-user: queue %u started (size %u)", vq->index, vq->num);
	/* Buffers may already be waiting. */
	vhost_user_queue_kicked(d, vq->index);
	return 0;
}

static int set_vring_call(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq;
	int fd;
	if (ring_fd(d, m, &vq, &fd) < 0)
		return -1;
	if (vq->call_fd >= 0)
		close(vq->call_fd);
	vq->call_fd = fd;
	return 0;
}

/* We never report ring errors that way; the fd is not needed. */
static int set_vring_err(struct vhost_user_device *d, struct message *m)
{
	struct virtqueue *vq;
	int fd;
	if (ring_fd(d, m, &vq, &fd) < 0)
		return -1;
	if (fd >= 0)
		close(fd);
	return 0;
}

static int get_queue_num(struct vhost_user_device *d, struct message *m)
{
	reply_u64(d, m, VSOCK_QUEUES);
	return 0;
}

static int set_vring_enable(struct vhost_user_device *d, struct message *m)
{
	return queue_of(d, m, get_le(m->payload, 4)) ? 0 : -1;
}

/* The vsock config space is the guest CID, u64 little-endian; bytes past it read as zero. */
static int get_config(struct vhost_user_device *d, struct message *m)
{
	uint32_t offset = (uint32_t)get_le(m->payload, 4);
	uint32_t size = (uint32_t)get_le(m->payload + 4, 4);
	uint8_t space[8], p[12 + MAX_CONFIG];
	put_le(space, d->host->guest_cid, 8);
	if (size > MAX_CONFIG) {
		d->log("vhost-user: GET_CONFIG of %u bytes, more than the %d the protocol allows", size, MAX_CONFIG);
		size = 0;
	}
	memcpy(p, m->payload, 12);
	put_le(p + 4, size, 4);
	for (uint32_t i = 0; i < size; i++)
		p[12 + i] = (uint64_t)offset + i < sizeof(space) ? space[offset + i] : 0;
	send_reply(d, m, p, 12 + size);
	return size ? 0 : -1;
}

static int set_config(struct vhost_user_device *d, struct message *m)
{
	(void)m;
	d->log("vhost-user: SET_CONFIG ignored: the vsock config space is read-only");
	return -1;
}

static int get_max_mem_slots(struct vhost_user_device *d, struct message *m)
{
	reply_u64(d, m, GUEST_MEMORY_MAX_REGIONS);
	return 0;
}

static int set_status(struct vhost_user_device *d, struct message *m)
{
	d->status = get_le(m->payload, 8) & 0xff;
	return 0;
}

static int get_status(struct vhost_user_device *d, struct message *m)
{
	reply_u64(d, m, d->status);
	return 0;
}

struct request_kind {
	const char *name;
	uint32_t min_size;
	bool replies;	/* sends its own reply, so no REPLY_ACK */
	handler_fn *handle;
};

static const struct request_kind requests[] = {
	[GET_FEATURES] = { "GET_FEATURES", 0, true, get_features },
	[SET_FEATURES] = { "SET_FEATURES", 8, false, set_features },
	[SET_OWNER] = { "SET_OWNER", 0, false, set_owner },
	[RESET_OWNER] = { "RESET_OWNER", 0, false, reset_owner },
	[SET_MEM_TABLE] = { "SET_MEM_TABLE", 8, false, set_mem_table },
	[SET_VRING_NUM] = { "SET_VRING_NUM", 8, false, set_vring_num },
	[SET_VRING_ADDR] = { "SET_VRING_ADDR", 40, false, set_vring_addr },
	[SET_VRING_BASE] = { "SET_VRING_BASE", 8, false, set_vring_base },
	[GET_VRING_BASE] = { "GET_VRING_BASE", 8, true, get_vring_base },
	[SET_VRING_KICK] = { "SET_VRING_KICK", 8, false, set_vring_kick },
	[SET_VRING_CALL] = { "SET_VRING_CALL", 8, false, set_vring_call },
	[SET_VRING_ERR] = { "SET_VRING_ERR", 8, false, set_vring_err },
	[GET_PROTOCOL_FEATURES] = { "GET_PROTOCOL_FEATURES", 0, true, get_protocol_features },
	[SET_PROTOCOL_FEATURES] = { "SET_PROTOCOL_FEATURES", 8, false, set_protocol_features },
	[GET_QUEUE_NUM] = { "GET_QUEUE_NUM", 0, true, get_queue_num },
	[SET_VRING_ENABLE] = { "SET_VRING_ENABLE", 8, false, set_vring_enable },
	[GET_CONFIG] = { "GET_CONFIG", 12, true, get_config },
	[SET_CONFIG] = { "SET_CONFIG", 12, false, set_config },
	[GET_MAX_MEM_SLOTS] = { "GET_MAX_MEM_SLOTS", 0, true, get_max_mem_slots },
	[SET_STATUS] = { "SET_STATUS", 8, false, set_status },
	[GET_STATUS] = { "GET_STATUS", 0, true, get_status },
};

int vhost_user_handle_message(struct vhost_user_device *d, char *err, size_t err_len)
{
	static struct message m;
	uint8_t hdr[HDR_SIZE];
	m.nfds = 0;
	err[0] = 0;
	ssize_t n = read_full(d->fd, hdr, HDR_SIZE, &m, err, err_len);
	if (n <= 0) {
		close_fds(&m);
		return (int)n;
	}
	m.request = (uint32_t)get_le(hdr, 4);
	m.flags = (uint32_t)get_le(hdr + 4, 4);
	m.size = (uint32_t)get_le(hdr + 8, 4);
	if ((m.flags & 0x3) != FLAG_VERSION || m.size > MAX_PAYLOAD) {
		snprintf(err, err_len, "message header request %u flags 0x%x size %u is not vhost-user version 1 "
			 "with at most %d payload bytes", m.request, m.flags, m.size, MAX_PAYLOAD);
		close_fds(&m);
		return -1;
	}
	memset(m.payload, 0, sizeof(m.payload));
	if (m.size && read_full(d->fd, m.payload, m.size, &m, err, err_len) <= 0) {
		if (!err[0])
			snprintf(err, err_len, "QEMU closed the connection after a message header");
		close_fds(&m);
		return -1;
	}
	const struct request_kind *k = m.request < sizeof(requests) / sizeof(requests[0]) ?
		&requests[m.request] : NULL;
	int rc = -1;
	if (!k || !k->handle) {
		d->log("vhost-user: ignoring request %u (%u bytes, %u fds): not used by a vsock device",
		       m.request, m.size, m.nfds);
		k = NULL;
	} else if (m.size < k->min_size) {
		d->log("vhost-user: %s with %u payload bytes, needs %u; ignored", k->name, m.size, k->min_size);
	} else {
		if (d->trace)
			d->log("vhost-user: %s (%u bytes, %u fds)", k->name, m.size, m.nfds);
		rc = k->handle(d, &m);
	}
	close_fds(&m);
	if ((m.flags & FLAG_NEED_REPLY) && !(k && k->replies))
		reply_u64(d, &m, rc == 0 ? 0 : 1);
	return 1;
}

/* How many descriptors of chain C carry bytes of the payload, which starts after the header. */
static unsigned payload_descriptors(const struct chain *c, size_t len)
{
	unsigned n = 0;
	size_t at = 0;
	for (unsigned i = 0; i < c->count && at < len; i++) {
		if (c->seg[i].writable)
			continue;
		size_t end = at + c->seg[i].len < len ? at + c->seg[i].len : len;
		if (end > VSOCK_HDR_SIZE && end > at)
			n++;
		at = end;
	}
	return n;
}

/* Take the guest's tx packets; false when it stopped early to push back. */
static bool move_guest_packets(struct vhost_user_device *d)
{
	static uint8_t pkt[VSOCK_HDR_SIZE + VSOCK_MAX_PAYLOAD];
	struct virtqueue *tx = &d->vq[VSOCK_QUEUE_TX];
	struct chain c;
	char err[200];
	bool used = false, all = true;
	for (int rc;;) {
		if (vsock_host_pushing_back(d->host)) {
			all = false;
			break;
		}
		if ((rc = virtqueue_pop(tx, &d->mem, &c, err, sizeof(err))) == 0)
			break;
		if (rc < 0) {
			d->log("vhost-user: %s", err);
			used = true;
			continue;
		}
		size_t len = chain_gather(&c, pkt, sizeof(pkt));
		vsock_host_receive(d->host, pkt, len, payload_descriptors(&c, len));
		virtqueue_push(tx, c.head, 0);
		used = true;
	}
	if (used)
		virtqueue_notify(tx);
	return all;
}

/* Fill the guest's rx buffers; whether any was filled. */
static bool move_host_packets(struct vhost_user_device *d)
{
	static uint8_t buf[VSOCK_HDR_SIZE + VSOCK_MAX_PAYLOAD];
	struct virtqueue *rx = &d->vq[VSOCK_QUEUE_RX];
	struct chain c;
	char err[200];
	bool used = false;
	while (vsock_host_has_output(d->host)) {
		int rc = virtqueue_pop(rx, &d->mem, &c, err, sizeof(err));
		if (rc == 0)
			break;
		used = true;
		if (rc < 0) {
			d->log("vhost-user: %s", err);
			continue;
		}
		size_t cap = 0;
		for (unsigned i = 0; i < c.count; i++)
			cap += c.seg[i].writable ? c.seg[i].len : 0;
		size_t len = vsock_host_pull(d->host, buf, cap < sizeof(buf) ? cap : sizeof(buf));
		virtqueue_push(rx, c.head, (uint32_t)chain_scatter(&c, buf, len));
	}
	if (used)
		virtqueue_notify(rx);
	return used;
}

void vhost_user_queue_kicked(struct vhost_user_device *d, unsigned index)
{
	struct virtqueue *vq = &d->vq[index];
	uint64_t count;
	if (vq->kick_fd >= 0 && read(vq->kick_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		d->log("vhost-user: queue %u: reading its kick eventfd: %s", index, strerror(errno));
	/* Tx packets left behind while pushing back are taken as soon as replies went out: the
	 * guest kicked for them once and will not again. */
	while (!move_guest_packets(d) && move_host_packets(d))
		;
	move_host_packets(d);
}
