/* vhost-user-probe: plays QEMU (and, for the data path, the guest's virtio-vsock driver)
 * against a vhost-user-vsock back-end, for tests/qemu-vsock-*.t.
 *
 *   vhost-user-probe config SOCKET           print the offered features and the guest CID
 *   vhost-user-probe garbage SOCKET SEED     send 64 KiB of pseudo-random bytes, then close
 *   vhost-user-probe fuzz SOCKET SEED COUNT  COUNT framed messages of random content, with
 *                                            fds, over random guest RAM
 *   vhost-user-probe hostile SOCKET          malformed but framed messages; each must be
 *                                            survived (a GET_FEATURES answer after each)
 *   vhost-user-probe hostile-guest SOCKET CID   impossible rings and descriptors
 *   vhost-user-probe bad-mem-table SOCKET CID   SET_MEM_TABLE messages the back-end must
 *                                            refuse, sent after the rings started, each
 *                                            followed by a connection attempt (kicks)
 *   vhost-user-probe connect SOCKET CID PORT BYTE [HOST-CID]   connect from guest CID to
 *                                            HOST-CID (default 3) PORT, send BYTE, print
 *                                            what the host answered
 *   vhost-user-probe send SOCKET CID PORT BYTES   stream BYTES pattern bytes to CID 3 PORT
 *                                            within the host's credit, then close
 *   vhost-user-probe send-burst SOCKET CID PORT BYTES   the same, adding the packets to the
 *                                            tx ring in bursts, one kick for each
 *   vhost-user-probe pattern BYTES           print the pattern the send scenario streams
 *   vhost-user-probe stream SOCKET CID PORT BYTES DESCRIPTORS   open a test stream
 *                                            (tests/vsock/stream.h) to CID 3 PORT, send BYTES
 *                                            of its pattern in one packet whose payload spans
 *                                            DESCRIPTORS descriptors, close; print the host's
 *                                            packets
 * Exit status 0 when the scenario ran to its end, 1 with the reason on stderr otherwise. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../le.h"
#include "../stream.h"

enum {
	GET_FEATURES = 1, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE,
	SET_VRING_NUM = 8, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_KICK,
	SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES,
	SET_VRING_ENABLE = 18, GET_CONFIG = 24,
};
#define FLAG_VERSION 1
#define FLAG_NEED_REPLY 8
#define NOFD 0x100
#define REPLY_TIMEOUT_MS 5000

#define MEM_SIZE (1u << 20)
#define GUEST_BASE 0x10000000ull
#define USER_BASE 0x7f1200000000ull
#define RING_SIZE 16
#define BUF_SIZE 4096
#define HDR 44

static int sock = -1;
static uint64_t host_cid = 3;	/* the CID the guest connects to */

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vhost-user-probe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	sock = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connecting to %s: %s", path, strerror(errno));
}

static void send_raw(const uint8_t *buf, size_t len, const int *fds, unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(8 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != (ssize_t)len)
		die("sending %zu bytes to the back-end: %s", len, strerror(errno));
}

static void send_msg(uint32_t req, uint32_t flags, const void *payload, uint32_t size,
		     const int *fds, unsigned nfds)
{
	uint8_t buf[12 + 512];
	put_le(buf, req, 4);
	put_le(buf + 4, flags, 4);
	put_le(buf + 8, size, 4);
	memcpy(buf + 12, payload, size);
	send_raw(buf, 12 + size, fds, nfds);
}

static void read_exact(uint8_t *buf, size_t len, const char *what)
{
	size_t got = 0;
	while (got < len) {
		struct pollfd p = { sock, POLLIN, 0 };
		if (poll(&p, 1, REPLY_TIMEOUT_MS) <= 0)
			die("no %s from the back-end within %d ms", what, REPLY_TIMEOUT_MS);
		ssize_t n = read(sock, buf + got, len - got);
		if (n <= 0)
			die("the back-end closed the connection instead of sending %s", what);
		got += (size_t)n;
	}
}

/* Read the reply to REQ into BUF (up to CAP bytes); returns its payload size. */
static uint32_t read_reply(uint32_t req, uint8_t *buf, uint32_t cap)
{
	uint8_t h[12];
	read_exact(h, 12, "reply header");
	uint32_t r = (uint32_t)get_le(h, 4), flags = (uint32_t)get_le(h + 4, 4), size = (uint32_t)get_le(h + 8, 4);
	if (r != req || flags != (FLAG_VERSION | 4) || size > cap)
		die("reply to request %u: expected request %u flags 0x5 size <= %u, got request %u flags 0x%x size %u",
		    req, req, cap, r, flags, size);
	read_exact(buf, size, "reply payload");
	return size;
}

static uint64_t get_u64(uint32_t req)
{
	uint8_t p[8];
	send_msg(req, FLAG_VERSION, NULL, 0, NULL, 0);
	if (read_reply(req, p, 8) != 8)
		die("reply to request %u is not a u64", req);
	return get_le(p, 8);
}

static void set_u64(uint32_t req, uint64_t v, const int *fds, unsigned nfds)
{
	uint8_t p[8];
	put_le(p, v, 8);
	send_msg(req, FLAG_VERSION, p, 8, fds, nfds);
}

/* Send REQ with NEED_REPLY and return the back-end's REPLY_ACK value. */
static uint64_t acked(uint32_t req, const void *payload, uint32_t size, const int *fds, unsigned nfds)
{
	uint8_t p[8];
	send_msg(req, FLAG_VERSION | FLAG_NEED_REPLY, payload, size, fds, nfds);
	if (read_reply(req, p, 8) != 8)
		die("REPLY_ACK to request %u is not a u64", req);
	return get_le(p, 8);
}

static void state(uint32_t req, uint32_t index, uint32_t num)
{
	uint8_t p[8];
	put_le(p, index, 4);
	put_le(p + 4, num, 4);
	send_msg(req, FLAG_VERSION, p, 8, NULL, 0);
}

static void expect_alive(const char *after)
{
	uint64_t f = get_u64(GET_FEATURES);
	printf("survived %s (features 0x%llx)\n", after, (unsigned long long)f);
}

static uint64_t get_cid(void)
{
	uint8_t p[12 + 8] = { 0 }, r[12 + 256];
	put_le(p + 4, 8, 4);
	send_msg(GET_CONFIG, FLAG_VERSION, p, sizeof(p), NULL, 0);
	uint32_t n = read_reply(GET_CONFIG, r, sizeof(r));
	if (n != 20 || get_le(r + 4, 4) != 8)
		die("GET_CONFIG reply has %u bytes (size field %llu), expected 20 (8)", n,
		    (unsigned long long)get_le(r + 4, 4));
	return get_le(r + 12, 8);
}

/* ---- the guest side: one memfd of guest RAM with both rings and their buffers ---- */

static uint8_t *ram;
static int ram_fd = -1;
static int kick[2], call[2];
static uint16_t tx_avail, tx_kicked, rx_avail, rx_used_seen, rx_notified;
static bool tx_burst;		/* kick the tx queue only before waiting (send-burst) */
static uint64_t tx_bytes;	/* payload bytes made available on the tx queue */
#define RING_OFF(q) ((uint32_t)(q) * 0x1000)
#define DESC(q) (RING_OFF(q))
#define AVAIL(q) (RING_OFF(q) + 0x400)
#define USED(q) (RING_OFF(q) + 0x800)
#define RX_BUF(i) (0x10000u + (uint32_t)(i) * BUF_SIZE)
#define TX_BUF(i) (0x30000u + (uint32_t)(i) * BUF_SIZE)

static void write_desc(unsigned q, unsigned i, uint64_t guest_addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + DESC(q) + 16 * i;
	put_le(d, guest_addr, 8);
	put_le(d + 8, len, 4);
	put_le(d + 12, flags, 2);
	put_le(d + 14, next, 2);
}

static void kick_queue(unsigned q)
{
	uint64_t one = 1;
	if (write(kick[q], &one, 8) != 8)
		die("kicking queue %u: %s", q, strerror(errno));
}

/* Make buffer HEAD available on queue Q; the device hears of it at the next kick. */
static void make_available(unsigned q, uint16_t *idx, uint16_t head)
{
	put_le(ram + AVAIL(q) + 4 + 2 * (*idx % RING_SIZE), head, 2);
	(*idx)++;
	__atomic_store_n((uint16_t *)(void *)(ram + AVAIL(q) + 2), *idx, __ATOMIC_RELEASE);
}

static void publish(unsigned q, uint16_t *idx, uint16_t head)
{
	make_available(q, idx, head);
	kick_queue(q);
}

/* Our guest RAM as one region: MEM_SIZE bytes of the memfd at GUEST_BASE / USER_BASE. */
static void send_guest_memory(int mem)
{
	uint8_t table[8 + 32] = { 0 };
	put_le(table, 1, 4);
	put_le(table + 8, GUEST_BASE, 8);
	put_le(table + 16, MEM_SIZE, 8);
	put_le(table + 24, USER_BASE, 8);
	send_msg(SET_MEM_TABLE, FLAG_VERSION, table, sizeof(table), &mem, 1);
}

/* Size and addresses of queue Q at its fixed place in our guest RAM. */
static void describe_ring(unsigned q)
{
	state(SET_VRING_NUM, q, RING_SIZE);
	uint8_t a[40] = { 0 };
	put_le(a, q, 4);
	put_le(a + 8, USER_BASE + DESC(q), 8);
	put_le(a + 16, USER_BASE + USED(q), 8);
	put_le(a + 24, USER_BASE + AVAIL(q), 8);
	send_msg(SET_VRING_ADDR, FLAG_VERSION, a, sizeof(a), NULL, 0);
}

static void setup_guest(uint64_t cid)
{
	int mem = memfd_create("guest-ram", MFD_CLOEXEC);
	if (mem < 0 || ftruncate(mem, MEM_SIZE) < 0)
		die("memfd: %s", strerror(errno));
	ram = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	if (ram == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (int q = 0; q < 2; q++) {
		kick[q] = eventfd(0, EFD_CLOEXEC);
		call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (kick[q] < 0 || call[q] < 0)
			die("eventfd: %s", strerror(errno));
	}
	if (get_cid() != cid)
		die("GET_CONFIG: guest cid %llu, expected %llu", (unsigned long long)get_cid(), (unsigned long long)cid);
	get_u64(GET_FEATURES);
	set_u64(SET_FEATURES, 1ull << 32 | 1ull << 30, NULL, 0);
	get_u64(GET_PROTOCOL_FEATURES);
	set_u64(SET_PROTOCOL_FEATURES, 1ull << 9, NULL, 0);
	send_msg(SET_OWNER, FLAG_VERSION, NULL, 0, NULL, 0);
	send_guest_memory(mem);
	ram_fd = mem;
	for (unsigned q = 0; q < 2; q++) {
		describe_ring(q);
		state(SET_VRING_BASE, q, 0);
		set_u64(SET_VRING_CALL, q, &call[q], 1);
		set_u64(SET_VRING_KICK, q, &kick[q], 1);
		state(SET_VRING_ENABLE, q, 1);
	}
	/* Eight receive buffers, device-writable. */
	for (unsigned i = 0; i < 8; i++) {
		write_desc(0, i, GUEST_BASE + RX_BUF(i), BUF_SIZE, 2, 0);
		publish(0, &rx_avail, (uint16_t)i);
	}
	get_u64(GET_FEATURES);
}

/* Tell the device of the tx buffers made available since the last kick. */
static void kick_tx(void)
{
	if (tx_kicked == tx_avail)
		return;
	tx_kicked = tx_avail;
	kick_queue(1);
}

/* A tx buffer is the device's from the moment it is available until it shows up in the used
 * ring, and the ring has RING_SIZE of them. Linux's driver meets a full ring as -ENOSPC from
 * virtqueue_add_sgs(), keeps the packet queued and sends it once the device has returned
 * buffers; likewise wait for the oldest one before reusing its slot. */
static void wait_for_tx_slot(void)
{
	for (int waited = 0;; waited++) {
		uint16_t used = __atomic_load_n((uint16_t *)(void *)(ram + USED(1) + 2), __ATOMIC_ACQUIRE);
		if ((uint16_t)(tx_avail - used) < RING_SIZE)
			return;
		if (waited > REPLY_TIMEOUT_MS)
			die("the host stopped taking tx buffers after %llu bytes", (unsigned long long)tx_bytes);
		/* In a burst the device may not have heard of the buffers it holds. */
		kick_tx();
		usleep(1000);
	}
}

/* A packet header from guest port 1234 to HOST-CID PORT, with our 256 KiB receive buffer. */
static void write_header(uint8_t *b, uint64_t cid, uint32_t port, uint16_t op, uint32_t flags, uint32_t len)
{
	memset(b, 0, HDR);
	put_le(b, cid, 8);
	put_le(b + 8, host_cid, 8);
	put_le(b + 16, 1234, 4);
	put_le(b + 20, port, 4);
	put_le(b + 24, len, 4);
	put_le(b + 28, 1, 2);
	put_le(b + 30, op, 2);
	put_le(b + 32, flags, 4);
	put_le(b + 36, 262144, 4);
}

static void guest_send(uint64_t cid, uint32_t port, uint16_t op, uint32_t flags, const uint8_t *data, uint32_t len)
{
	wait_for_tx_slot();
	unsigned i = tx_avail % RING_SIZE;
	uint8_t *b = ram + TX_BUF(i);
	write_header(b, cid, port, op, flags, len);
	memcpy(b + HDR, data, len);
	write_desc(1, i, GUEST_BASE + TX_BUF(i), HDR + len, 0, 0);
	make_available(1, &tx_avail, (uint16_t)i);
	tx_bytes += len;
	if (!tx_burst)
		kick_tx();
}

/* Wait for the next packet the host put in our rx ring; copy its header and payload. */
static int guest_receive(uint8_t *pkt, uint32_t *len, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		uint16_t used = __atomic_load_n((uint16_t *)(void *)(ram + USED(0) + 2), __ATOMIC_ACQUIRE);
		if (used != rx_used_seen) {
			const uint8_t *e = ram + USED(0) + 4 + 8 * (rx_used_seen % RING_SIZE);
			uint32_t id = (uint32_t)get_le(e, 4);
			*len = (uint32_t)get_le(e + 4, 4);
			if (id >= 8 || *len > BUF_SIZE)
				die("host returned rx buffer %u with length %u", id, *len);
			memcpy(pkt, ram + RX_BUF(id), *len);
			/* One interrupt may cover several used buffers; each must be covered by one. */
			if ((uint16_t)(rx_notified - rx_used_seen) == 0 || (uint16_t)(rx_notified - rx_used_seen) > RING_SIZE) {
				struct pollfd p = { call[0], POLLIN, 0 };
				uint64_t n;
				if (poll(&p, 1, 1000) != 1 || read(call[0], &n, 8) != 8)
					die("the host used an rx buffer without signalling the call eventfd");
				rx_notified = __atomic_load_n((uint16_t *)(void *)(ram + USED(0) + 2), __ATOMIC_ACQUIRE);
			}
			rx_used_seen++;
			publish(0, &rx_avail, (uint16_t)id);
			return 1;
		}
		usleep(10000);
	}
	return 0;
}

static const char *op_name(unsigned op)
{
	static const char *const names[] = { "op0", "request", "response", "reset", "shutdown",
					     "rw", "credit-update", "credit-request" };
	return op < 8 ? names[op] : "unknown-op";
}

/* Print the host's packets until it stops sending, one line each. */
static int print_host_packets(uint64_t cid, uint32_t port, unsigned max)
{
	uint8_t pkt[BUF_SIZE];
	uint32_t len;
	unsigned last = 0;
	for (unsigned n = 0; n < max && guest_receive(pkt, &len, REPLY_TIMEOUT_MS); n++) {
		if (len < HDR)
			die("host packet of %u bytes, shorter than a header", len);
		uint64_t src = get_le(pkt, 8), dst = get_le(pkt + 8, 8);
		uint32_t sport = (uint32_t)get_le(pkt + 16, 4), dport = (uint32_t)get_le(pkt + 20, 4);
		uint32_t plen = (uint32_t)get_le(pkt + 24, 4);
		last = (unsigned)get_le(pkt + 30, 2);
		if (src != host_cid || dst != cid || sport != port || dport != 1234 || HDR + plen != len)
			die("host packet %s from %llu:%u to %llu:%u with %u payload bytes in %u; expected from %llu:%u to %llu:1234",
			    op_name(last), (unsigned long long)src, sport, (unsigned long long)dst, dport, plen, len,
			    (unsigned long long)host_cid, port, (unsigned long long)cid);
		printf("host: %s", op_name(last));
		for (uint32_t i = 0; i < plen; i++)
			printf(" 0x%02x", pkt[HDR + i]);
		printf("\n");
		if (last == 3 || last == 4)
			return (int)last;
	}
	return (int)last;
}

/* The byte at OFFSET of the stream the send scenario writes. */
static uint8_t pattern_byte(uint64_t offset)
{
	return (uint8_t)(offset * 7 + offset / 251 + 3);
}

/* Connect to HOST-CID:PORT, stream TOTAL pattern bytes in packets of up to 4000 within the
 * host's advertised credit (waiting for its credit updates), then close. With BURST, the data
 * and the shutdown are added to the tx ring without kicks, as Linux's send worker adds its
 * whole backlog before one kick; the device is idle when the burst starts, so the ring fills
 * up before the device takes a buffer, and the guest kicks only when it has to wait. */
static void scenario_send(uint64_t cid, uint32_t port, uint64_t total, bool burst)
{
	uint8_t pkt[BUF_SIZE], data[4000];
	uint32_t len;
	setup_guest(cid);
	guest_send(cid, port, 1, 0, NULL, 0);
	if (!guest_receive(pkt, &len, REPLY_TIMEOUT_MS) || len < HDR || get_le(pkt + 30, 2) != 2) {
		printf("connection refused\n");
		return;
	}
	uint32_t buf_alloc = (uint32_t)get_le(pkt + 36, 4), fwd_cnt = (uint32_t)get_le(pkt + 40, 4);
	unsigned updates = 0;
	uint64_t sent = 0;
	if (burst) {
		/* The back-end serves its socket and its kicks in one thread: once it answers, it
		 * has handled every kick so far and looks at the tx ring again only when kicked. */
		get_u64(GET_FEATURES);
		tx_burst = true;
	}
	while (sent < total) {
		uint32_t chunk = total - sent < sizeof(data) ? (uint32_t)(total - sent) : (uint32_t)sizeof(data);
		while (buf_alloc - ((uint32_t)sent - fwd_cnt) < chunk) {
			/* The host grants credit only for data it has seen. */
			kick_tx();
			if (!guest_receive(pkt, &len, REPLY_TIMEOUT_MS))
				die("after %llu bytes the host's credit (%u buffer, %u consumed) is exhausted and no update came",
				    (unsigned long long)sent, buf_alloc, fwd_cnt);
			if (get_le(pkt + 30, 2) != 6)
				die("host sent op %s while we waited for credit", op_name((unsigned)get_le(pkt + 30, 2)));
			buf_alloc = (uint32_t)get_le(pkt + 36, 4);
			fwd_cnt = (uint32_t)get_le(pkt + 40, 4);
			updates++;
		}
		for (uint32_t i = 0; i < chunk; i++)
			data[i] = pattern_byte(sent + i);
		guest_send(cid, port, 5, 0, data, chunk);
		sent += chunk;
	}
	guest_send(cid, port, 4, 3, NULL, 0);
	kick_tx();
	for (;;) {
		if (!guest_receive(pkt, &len, REPLY_TIMEOUT_MS))
			die("no reset from the host after our shutdown");
		if (get_le(pkt + 30, 2) == 3)
			break;
	}
	printf("sent %llu bytes; credit updates seen: %s; host: reset\n", (unsigned long long)sent,
	       updates ? "yes" : "no");
}

/* Wait until the host has returned every tx buffer. */
static void wait_tx_idle(void)
{
	for (int waited = 0; tx_avail != __atomic_load_n((uint16_t *)(void *)(ram + USED(1) + 2), __ATOMIC_ACQUIRE);
	     waited++) {
		if (waited > REPLY_TIMEOUT_MS)
			die("the host did not return our tx buffers");
		kick_tx();
		usleep(1000);
	}
}

/* One packet with its header in one descriptor and its LEN payload bytes spread evenly over
 * DESCRIPTORS more (0: header and payload share one), sent while no other tx buffer is out,
 * and waited for, since its chain borrows the descriptors of the following slots. */
static void guest_send_split(uint64_t cid, uint32_t port, const uint8_t *data, uint32_t len, unsigned descriptors)
{
	wait_tx_idle();
	if (descriptors == 0) {
		guest_send(cid, port, 5, 0, data, len);
		return;
	}
	unsigned head = tx_avail % RING_SIZE, n = descriptors + 1;
	if (n > RING_SIZE || len > (uint32_t)(RING_SIZE - 1) * BUF_SIZE)
		die("a packet of %u bytes in %u descriptors does not fit our ring", len, descriptors);
	write_header(ram + TX_BUF(head), cid, port, 5, 0, len);
	write_desc(1, head, GUEST_BASE + TX_BUF(head), HDR, 1, (uint16_t)((head + 1) % RING_SIZE));
	uint32_t at = 0;
	for (unsigned k = 1; k < n; k++) {
		unsigned i = (head + k) % RING_SIZE;
		uint32_t part = k == n - 1 ? len - at : len / descriptors;
		memcpy(ram + TX_BUF(i), data + at, part);
		write_desc(1, i, GUEST_BASE + TX_BUF(i), part, k == n - 1 ? 0 : 1, (uint16_t)((i + 1) % RING_SIZE));
		at += part;
	}
	make_available(1, &tx_avail, (uint16_t)head);
	tx_bytes += len;
	wait_tx_idle();
}

/* Open a test stream, send BYTES of its pattern in one packet over DESCRIPTORS payload
 * descriptors, shut down; print the host's packets until its reset. */
static void scenario_stream(uint64_t cid, uint32_t port, uint32_t bytes, unsigned descriptors)
{
	static uint8_t data[(RING_SIZE - 1) * BUF_SIZE];
	uint8_t request[STREAM_REQUEST_SIZE];
	if (bytes > sizeof(data))
		die("at most %zu bytes", sizeof(data));
	setup_guest(cid);
	guest_send(cid, port, 1, 0, NULL, 0);
	if (print_host_packets(cid, port, 1) != 2) {
		printf("connection refused\n");
		return;
	}
	stream_request_encode(&(struct stream_request){ 0, 0, 77 }, request);
	guest_send(cid, port, 5, 0, request, sizeof(request));
	stream_pattern(77, 0, data, bytes);
	guest_send_split(cid, port, data, bytes, descriptors);
	guest_send(cid, port, 4, 3, NULL, 0);
	/* The host's SHUTDOWN (it sends nothing) and its RST, in whichever order they come. */
	for (int i = 0; i < 3 && print_host_packets(cid, port, 8) == 4;)
		i++;
}

static void scenario_connect(uint64_t cid, uint32_t port, uint8_t byte)
{
	setup_guest(cid);
	guest_send(cid, port, 1, 0, NULL, 0);
	if (print_host_packets(cid, port, 1) != 2) {
		printf("connection refused\n");
		return;
	}
	guest_send(cid, port, 5, 0, &byte, 1);
	int last = print_host_packets(cid, port, 4);
	if (last == 4) {
		/* The host closed; our full shutdown completes it with the host's reset. */
		guest_send(cid, port, 4, 3, NULL, 0);
		print_host_packets(cid, port, 1);
	}
}

static void scenario_hostile(void)
{
	get_u64(GET_FEATURES);
	set_u64(SET_PROTOCOL_FEATURES, 1ull << 9 | 1ull << 3, NULL, 0);
	uint8_t p[512] = { 0 };
	memset(p, 0xff, sizeof(p));
	send_msg(77, FLAG_VERSION, p, 64, NULL, 0);
	expect_alive("unknown request 77");
	memset(p, 0, sizeof(p));

	put_le(p, 9, 4);
	printf("SET_MEM_TABLE with 9 regions: ack %llu\n", (unsigned long long)acked(SET_MEM_TABLE, p, 8 + 32 * 9, NULL, 0));
	put_le(p, 1, 4);
	put_le(p + 16, 4096, 8);
	printf("SET_MEM_TABLE without its fd: ack %llu\n", (unsigned long long)acked(SET_MEM_TABLE, p, 40, NULL, 0));
	int mem = memfd_create("tiny", 0);
	put_le(p + 16, 1ull << 62, 8);
	printf("SET_MEM_TABLE of 2^62 bytes: ack %llu\n", (unsigned long long)acked(SET_MEM_TABLE, p, 40, &mem, 1));
	put_le(p + 16, 4096, 8);
	put_le(p + 32, UINT64_MAX - 100, 8);
	printf("SET_MEM_TABLE with a wrapping offset: ack %llu\n", (unsigned long long)acked(SET_MEM_TABLE, p, 40, &mem, 1));
	/* A region longer than its (empty) file: mapping works, touching it would raise SIGBUS. */
	put_le(p + 32, 0, 8);
	printf("SET_MEM_TABLE past the end of its file: ack %llu\n", (unsigned long long)acked(SET_MEM_TABLE, p, 40, &mem, 1));
	memset(p, 0, 64);
	put_le(p, 5, 4);
	put_le(p + 4, 16, 4);
	printf("SET_VRING_NUM for queue 5: ack %llu\n", (unsigned long long)acked(SET_VRING_NUM, p, 8, NULL, 0));
	put_le(p, 0, 4);
	put_le(p + 4, 3, 4);
	printf("SET_VRING_NUM of 3: ack %llu\n", (unsigned long long)acked(SET_VRING_NUM, p, 8, NULL, 0));
	put_le(p + 4, 16, 4);
	acked(SET_VRING_NUM, p, 8, NULL, 0);
	int efd = eventfd(0, 0);
	put_le(p, 0, 8);
	printf("SET_VRING_KICK before SET_VRING_ADDR: ack %llu\n", (unsigned long long)acked(SET_VRING_KICK, p, 8, &efd, 1));
	put_le(p + 8, 0xdead0000, 8);
	put_le(p + 16, 0xdead1000, 8);
	put_le(p + 24, 0xdead2000, 8);
	acked(SET_VRING_ADDR, p, 40, NULL, 0);
	printf("SET_VRING_KICK with rings outside memory: ack %llu\n", (unsigned long long)acked(SET_VRING_KICK, p, 8, &efd, 1));
	put_le(p, 1, 8);
	printf("SET_VRING_CALL promising an fd it lacks: ack %llu\n", (unsigned long long)acked(SET_VRING_CALL, p, 8, NULL, 0));
	put_le(p, 1 | NOFD, 8);
	printf("SET_VRING_CALL with NOFD and an fd: ack %llu\n", (unsigned long long)acked(SET_VRING_CALL, p, 8, &efd, 1));
	printf("SET_VRING_ADDR with 4 payload bytes: ack %llu\n", (unsigned long long)acked(SET_VRING_ADDR, p, 4, NULL, 0));
	int eight[8];
	for (int i = 0; i < 8; i++)
		eight[i] = efd;
	printf("SET_OWNER carrying 8 fds: ack %llu\n", (unsigned long long)acked(SET_OWNER, NULL, 0, eight, 8));
	memset(p, 0, 64);
	put_le(p + 4, 100000, 4);
	send_msg(GET_CONFIG, FLAG_VERSION, p, 12, NULL, 0);
	uint8_t r[12 + 256];
	printf("GET_CONFIG of 100000 bytes: reply of %u bytes\n", read_reply(GET_CONFIG, r, sizeof(r)));
	put_le(p, 0xfffffffc, 4);
	put_le(p + 4, 8, 4);
	send_msg(GET_CONFIG, FLAG_VERSION, p, 20, NULL, 0);
	uint32_t n = read_reply(GET_CONFIG, r, sizeof(r));
	printf("GET_CONFIG at offset 0xfffffffc: reply of %u bytes, value 0x%llx\n", n,
	       (unsigned long long)get_le(r + 12, 8));
	put_le(p, 7, 4);
	send_msg(GET_VRING_BASE, FLAG_VERSION, p, 8, NULL, 0);
	printf("GET_VRING_BASE of queue 7: reply of %u bytes\n", read_reply(GET_VRING_BASE, r, sizeof(r)));
	expect_alive("the malformed messages above");
	/* Last: a header that is not vhost-user version 1, after which nothing can be parsed. */
	send_msg(GET_FEATURES, 0x2, NULL, 0, NULL, 0);
	uint8_t b;
	struct pollfd pf = { sock, POLLIN, 0 };
	if (poll(&pf, 1, REPLY_TIMEOUT_MS) == 1 && read(sock, &b, 1) == 0)
		printf("a version 2 header: the back-end closed the connection\n");
	else
		printf("a version 2 header: the back-end kept the connection\n");
}

/* Framed messages with random requests, flags, sizes, payloads and fds, over guest RAM full of
 * random bytes, so that the handlers and the ring code meet values nobody chose. */
static uint32_t fuzz_state;

static uint32_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 17;
	fuzz_state ^= fuzz_state << 5;
	return fuzz_state;
}

static void drain_replies(void)
{
	uint8_t junk[4096];
	while (recv(sock, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
}

/* A valid table and two started rings whose descriptors point inside guest RAM at buffers
 * that often hold a plausible vsock header, so the random data reaches the packet code. */
static void fuzz_valid_rings(uint8_t *r, int mem, int efd)
{
	send_guest_memory(mem);
	for (unsigned q = 0; q < 2; q++) {
		uint32_t base = RING_OFF(q);
		for (unsigned i = 0; i < RING_SIZE; i++) {
			uint32_t buf = 0x10000 + fuzz_next() % (MEM_SIZE - 0x20000);
			uint8_t *d = r + base + 16 * i;
			put_le(d, GUEST_BASE + buf, 8);
			put_le(d + 8, fuzz_next() % 8 ? HDR + fuzz_next() % 64 : fuzz_next(), 4);
			put_le(d + 12, fuzz_next() % 8, 2);
			put_le(d + 14, fuzz_next() % RING_SIZE, 2);
			if (fuzz_next() % 2) {
				put_le(r + buf, 16, 8);
				put_le(r + buf + 8, 2 + fuzz_next() % 2, 8);
				put_le(r + buf + 20, fuzz_next() % 4 ? 9000 : fuzz_next(), 4);
				put_le(r + buf + 24, fuzz_next() % 64, 4);
				put_le(r + buf + 28, 1 + fuzz_next() % 2, 2);
				put_le(r + buf + 30, fuzz_next() % 9, 2);
			}
		}
		for (unsigned i = 0; i < RING_SIZE; i++)
			put_le(r + base + 0x400 + 4 + 2 * i, fuzz_next() % 8 ? i : fuzz_next(), 2);
		put_le(r + base + 0x400 + 2, fuzz_next() % 32, 2);
		describe_ring(q);
		state(SET_VRING_BASE, q, fuzz_next() % 32);
		set_u64(SET_VRING_CALL, q, &efd, 1);
		set_u64(SET_VRING_KICK, q, &efd, 1);
	}
}

static void scenario_fuzz(uint32_t seed, unsigned count)
{
	fuzz_state = seed | 1;
	int mem = memfd_create("fuzz-ram", MFD_CLOEXEC);
	if (mem < 0 || ftruncate(mem, MEM_SIZE) < 0)
		die("memfd: %s", strerror(errno));
	uint8_t *r = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mem, 0);
	if (r == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	for (uint32_t i = 0; i < MEM_SIZE; i += 4) {
		uint32_t v = fuzz_next();
		memcpy(r + i, &v, 4);
	}
	int efd = eventfd(1, EFD_CLOEXEC);
	for (unsigned n = 0; n < count; n++) {
		if (n % 64 == 0)
			fuzz_valid_rings(r, mem, efd);
		uint8_t p[512];
		for (unsigned i = 0; i < sizeof(p); i++)
			p[i] = (uint8_t)fuzz_next();
		uint32_t pick = fuzz_next();
		/* Mostly requests we know, with sizes near the real ones. */
		uint32_t req = pick % 8 == 0 ? fuzz_next() % 64 : 1 + fuzz_next() % 40;
		uint32_t size = pick % 4 == 0 ? fuzz_next() % 513 : fuzz_next() % 48;
		uint32_t flags = FLAG_VERSION | (fuzz_next() % 2 ? FLAG_NEED_REPLY : 0);
		if (req == SET_MEM_TABLE && pick % 3 == 0) {
			/* A plausible table: one region inside the memfd at a random guest address. */
			put_le(p, 1, 4);
			put_le(p + 8, fuzz_next() % 2 ? GUEST_BASE : fuzz_next(), 8);
			put_le(p + 16, 1 + fuzz_next() % MEM_SIZE, 8);
			put_le(p + 24, fuzz_next() % 2 ? USER_BASE : (uint64_t)fuzz_next() << 12, 8);
			put_le(p + 32, fuzz_next() % 2 ? 0 : fuzz_next() % MEM_SIZE, 8);
			size = 40;
		}
		if ((req == SET_VRING_ADDR || req == SET_VRING_NUM || req == SET_VRING_KICK) && pick % 2) {
			put_le(p, fuzz_next() % 3, 4);	/* mostly valid queue indices */
			put_le(p + 8, USER_BASE + fuzz_next() % MEM_SIZE, 8);
			put_le(p + 16, USER_BASE + fuzz_next() % MEM_SIZE, 8);
			put_le(p + 24, USER_BASE + fuzz_next() % MEM_SIZE, 8);
		}
		int fds[3] = { mem, efd, efd };
		unsigned nfds = fuzz_next() % 4 == 0 ? fuzz_next() % 4 : (req == SET_MEM_TABLE || req == SET_VRING_KICK || req == SET_VRING_CALL);
		send_msg(req, flags, p, size, fds, nfds);
		uint64_t one = 1;
		if (write(efd, &one, 8) < 0 && errno != EAGAIN)
			die("eventfd: %s", strerror(errno));
		drain_replies();
	}
	printf("sent %u random messages\n", count);
}

static void scenario_hostile_guest(uint64_t cid)
{
	setup_guest(cid);
	uint8_t one = 0xb7;
	/* A chain that loops on itself. */
	write_desc(1, 5, GUEST_BASE + TX_BUF(5), HDR, 1, 5);
	publish(1, &tx_avail, 5);
	expect_alive("a looping tx chain");
	/* A buffer outside guest memory, then an indirect one. */
	write_desc(1, 6, 0x1000, HDR, 0, 0);
	publish(1, &tx_avail, 6);
	write_desc(1, 7, GUEST_BASE + TX_BUF(7), 16, 4, 0);
	publish(1, &tx_avail, 7);
	expect_alive("tx buffers outside memory and indirect");
	/* A packet too short for a header, and one claiming more payload than it carries. */
	write_desc(1, 8, GUEST_BASE + TX_BUF(8), 10, 0, 0);
	publish(1, &tx_avail, 8);
	guest_send(cid, 9000, 5, 0, &one, 0);
	put_le(ram + TX_BUF((tx_avail - 1) % RING_SIZE) + 24, 60000, 4);
	publish(1, &tx_avail, (uint16_t)((tx_avail - 1) % RING_SIZE));
	expect_alive("short and overlong tx packets");
	/* Packets from a CID that is not the guest's, and to a CID that is not ours. */
	guest_send(cid + 1, 9000, 1, 0, NULL, 0);
	expect_alive("a packet from a foreign cid");
	/* A head index beyond the ring: the back-end stops this queue, nothing more. */
	put_le(ram + AVAIL(1) + 4 + 2 * (tx_avail % RING_SIZE), 999, 2);
	tx_avail++;
	__atomic_store_n((uint16_t *)(void *)(ram + AVAIL(1) + 2), tx_avail, __ATOMIC_RELEASE);
	uint64_t k = 1;
	if (write(kick[1], &k, 8) != 8)
		die("kick: %s", strerror(errno));
	expect_alive("a head index beyond the ring");
	/* An avail index far ahead of the ring size on the rx queue. */
	__atomic_store_n((uint16_t *)(void *)(ram + AVAIL(0) + 2), (uint16_t)(rx_avail + 1000), __ATOMIC_RELEASE);
	if (write(kick[0], &k, 8) != 8)
		die("kick: %s", strerror(errno));
	expect_alive("an rx avail index 1000 ahead");
}

/* A connection attempt to a port nobody listens on: the host answers with a reset, which
 * takes the tx ring (our request) and the rx ring (its answer). */
static void expect_refused_connection(uint64_t cid, const char *after)
{
	guest_send(cid, 9999, 1, 0, NULL, 0);
	if (print_host_packets(cid, 9999, 1) != 3)
		die("after %s the host did not answer a connection attempt with a reset", after);
}

/* Memory tables the back-end must refuse, once its rings run in the table it has: each is
 * refused (REPLY_ACK 1), and the rings keep working in the table that stands. */
static void scenario_bad_mem_table(uint64_t cid)
{
	static const struct {
		const char *what;
		uint64_t size, offset;
		bool unmappable_second;
	} tables[] = {
		{ "a region of size 0", 0, 0, false },
		{ "a region whose offset wraps", MEM_SIZE, UINT64_MAX - 100, false },
		{ "a good region and one that cannot be mapped", MEM_SIZE, 0, true },
	};
	setup_guest(cid);
	int other = memfd_create("other-ram", MFD_CLOEXEC);
	int efd = eventfd(0, EFD_CLOEXEC);
	if (other < 0 || ftruncate(other, MEM_SIZE) < 0 || efd < 0)
		die("memfd or eventfd: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		uint8_t t[8 + 2 * 32] = { 0 };
		unsigned n = tables[i].unmappable_second ? 2 : 1;
		int fds[2] = { other, efd };	/* an eventfd refuses mmap */
		put_le(t, n, 4);
		put_le(t + 8, GUEST_BASE + 4 * MEM_SIZE, 8);
		put_le(t + 16, tables[i].size, 8);
		put_le(t + 24, USER_BASE + 4 * MEM_SIZE, 8);
		put_le(t + 32, tables[i].offset, 8);
		put_le(t + 40, GUEST_BASE + 8 * MEM_SIZE, 8);
		put_le(t + 48, 4096, 8);
		put_le(t + 56, USER_BASE + 8 * MEM_SIZE, 8);
		printf("SET_MEM_TABLE with %s: ack %llu\n", tables[i].what,
		       (unsigned long long)acked(SET_MEM_TABLE, t, 8 + 32 * n, fds, n));
		expect_refused_connection(cid, tables[i].what);
	}
	/* The same RAM again: accepted, and the rings follow it into the new mapping. */
	uint8_t t[8 + 32] = { 0 };
	put_le(t, 1, 4);
	put_le(t + 8, GUEST_BASE, 8);
	put_le(t + 16, MEM_SIZE, 8);
	put_le(t + 24, USER_BASE, 8);
	printf("SET_MEM_TABLE of the same RAM: ack %llu\n",
	       (unsigned long long)acked(SET_MEM_TABLE, t, sizeof(t), &ram_fd, 1));
	expect_refused_connection(cid, "the same RAM again");
	/* Other RAM that does not hold the rings: accepted, and the rings stop. */
	put_le(t + 24, USER_BASE + 4 * MEM_SIZE, 8);
	printf("SET_MEM_TABLE without the rings: ack %llu\n",
	       (unsigned long long)acked(SET_MEM_TABLE, t, sizeof(t), &other, 1));
	kick_queue(0);
	kick_queue(1);
	expect_alive("kicks of rings outside the new table");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "pattern")) {
		uint64_t total = strtoull(argv[2], NULL, 0);
		for (uint64_t i = 0; i < total; i++)
			putchar(pattern_byte(i));
		return 0;
	}
	if (argc < 3)
		die("usage: vhost-user-probe config|garbage|fuzz|hostile|hostile-guest|bad-mem-table|connect|send SOCKET [ARGS]");
	const char *what = argv[1];
	connect_to(argv[2]);
	if (!strcmp(what, "config") && argc == 3) {
		printf("features 0x%llx\n", (unsigned long long)get_u64(GET_FEATURES));
		printf("protocol features 0x%llx\n", (unsigned long long)get_u64(GET_PROTOCOL_FEATURES));
		printf("guest cid %llu\n", (unsigned long long)get_cid());
	} else if (!strcmp(what, "garbage") && argc == 4) {
		uint32_t x = (uint32_t)strtoul(argv[3], NULL, 0) | 1;
		static uint8_t junk[65536];
		for (size_t i = 0; i < sizeof(junk); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			junk[i] = (uint8_t)x;
		}
		/* The back-end may hang up part way: that is a fine answer to garbage. */
		(void)!send(sock, junk, sizeof(junk), MSG_NOSIGNAL);
		printf("sent garbage\n");
	} else if (!strcmp(what, "fuzz") && argc == 5) {
		scenario_fuzz((uint32_t)strtoul(argv[3], NULL, 0), (unsigned)strtoul(argv[4], NULL, 0));
	} else if (!strcmp(what, "hostile") && argc == 3) {
		scenario_hostile();
	} else if (!strcmp(what, "bad-mem-table") && argc == 4) {
		scenario_bad_mem_table(strtoull(argv[3], NULL, 0));
	} else if (!strcmp(what, "hostile-guest") && argc == 4) {
		scenario_hostile_guest(strtoull(argv[3], NULL, 0));
	} else if ((!strcmp(what, "send") || !strcmp(what, "send-burst")) && argc == 6) {
		scenario_send(strtoull(argv[3], NULL, 0), (uint32_t)strtoul(argv[4], NULL, 0),
			      strtoull(argv[5], NULL, 0), !strcmp(what, "send-burst"));
	} else if (!strcmp(what, "stream") && argc == 7) {
		scenario_stream(strtoull(argv[3], NULL, 0), (uint32_t)strtoul(argv[4], NULL, 0),
				(uint32_t)strtoul(argv[5], NULL, 0), (unsigned)strtoul(argv[6], NULL, 0));
	} else if (!strcmp(what, "connect") && (argc == 6 || argc == 7)) {
		if (argc == 7)
			host_cid = strtoull(argv[6], NULL, 0);
		scenario_connect(strtoull(argv[3], NULL, 0), (uint32_t)strtoul(argv[4], NULL, 0),
				 (uint8_t)strtoul(argv[5], NULL, 0));
	} else {
		die("unknown scenario or wrong arguments: %s (see the comment at the top of probe.c)", what);
	}
	close(sock);
	return 0;
}
