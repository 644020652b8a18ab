/* vsock-test: the enclave side of tests/qemu-vsock-stream.t. It talks to the back-end's stream
 * listeners on the parent (CID 3) with the test stream of tests/vsock/stream.h, checks and
 * hashes what it receives, and prints one line per check and per connection on the console:
 *   vsock-test: ok - TEXT | vsock-test: not ok - TEXT
 *   vsock-test: result PHASE port GUEST-PORT sent N sha256 H received N sha256 H pattern ok|...
 * so the test can compare both ends' hashes. Phases, run in order (one boot serves all), the
 * Kth (from 0) on port BASE-PORT + K, so that a test can aim at one phase's connections:
 *   bulk:W1,W2,...:BYTES  one connection, BYTES each way, the guest's write()s taking W1, W2, ...
 *                         bytes in turn (the last one shorter)
 *   pushback:BYTES        both ends send BYTES at once; neither reads until the other's buffer
 *                         is full (the guest's write would block; the host's credit is gone)
 *   short:COUNT:BYTES     COUNT connections one after the other, BYTES each way
 *   linear:BYTES          one write() of BYTES, nothing back; then the same to STRICT-PORT
 * usage: vsock-test BASE-PORT STRICT-PORT PHASE... */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "../stream.h"

#define PARENT_CID 3
#define READ_SIZE (64 * 1024)

static unsigned failures;

static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vsock-test: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
}

static void check(bool good, const char *fmt, ...)
{
	char text[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	say("%s - %s", good ? "ok" : "not ok", text);
	failures += !good;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* One connection of the test stream, from the guest's side. */
struct conn {
	int fd;
	unsigned port;			/* ours, as the host logs it */
	uint64_t seed;
	uint64_t to_send, sent;
	uint64_t sizes[8];		/* the writes' sizes, in turn */
	unsigned nsizes, next_size;
	struct sha256 sent_hash;
	struct stream_check received;
	int send_errno;
	uint8_t *buf;
};

static bool conn_open(struct conn *c, unsigned port, uint64_t seed, uint32_t flags, uint64_t guest_bytes,
		      uint64_t host_bytes, const uint64_t *sizes, unsigned nsizes)
{
	memset(c, 0, sizeof(*c));
	c->seed = seed;
	c->to_send = guest_bytes;
	uint64_t largest = READ_SIZE;
	for (unsigned i = 0; i < nsizes && i < 8; i++) {
		c->sizes[c->nsizes++] = sizes[i];
		largest = sizes[i] > largest ? sizes[i] : largest;
	}
	sha256_init(&c->sent_hash);
	stream_check_init(&c->received, stream_host_seed(seed));
	struct sockaddr_vm addr = { .svm_family = AF_VSOCK, .svm_cid = PARENT_CID, .svm_port = port };
	c->fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		check(false, "connect to vsock %d:%u: %s", PARENT_CID, port, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		return false;
	}
	struct sockaddr_vm me;
	socklen_t len = sizeof(me);
	getsockname(c->fd, (struct sockaddr *)&me, &len);
	c->port = me.svm_port;
	uint8_t request[STREAM_REQUEST_SIZE];
	stream_request_encode(&(struct stream_request){ flags, host_bytes, seed }, request);
	if (write(c->fd, request, sizeof(request)) != (ssize_t)sizeof(request)) {
		check(false, "writing the stream request on port %u: %s", c->port, strerror(errno));
		close(c->fd);
		return false;
	}
	c->buf = malloc(largest);
	return c->buf != NULL;
}

/* The next write of the guest's pattern: N bytes into c->buf, hashed as sent once written. */
static size_t next_chunk(struct conn *c, uint64_t limit)
{
	uint64_t n = c->to_send - c->sent;
	if (n > limit)
		n = limit;
	stream_pattern(c->seed, c->sent, c->buf, (size_t)n);
	return (size_t)n;
}

static void sent(struct conn *c, size_t n)
{
	sha256_update(&c->sent_hash, c->buf, n);
	c->sent += n;
}

/* Blocking writes of the sizes in turn (the last one shorter), then SHUT_WR. */
static void *send_all(void *arg)
{
	struct conn *c = arg;
	while (c->sent < c->to_send) {
		size_t n = next_chunk(c, c->sizes[c->next_size++ % c->nsizes]);
		ssize_t done = write(c->fd, c->buf, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			c->send_errno = done < 0 ? errno : EIO;
			return NULL;
		}
		sent(c, (size_t)done);
	}
	shutdown(c->fd, SHUT_WR);
	return NULL;
}

/* Read until the host's end of stream; 0, or the errno that stopped it. */
static int receive_all(struct conn *c, uint8_t *buf)
{
	for (;;) {
		ssize_t n = read(c->fd, buf, READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		stream_check_update(&c->received, buf, (size_t)n);
	}
}

static uint64_t number(const char *text)
{
	char *end;
	unsigned long long v = strtoull(text, &end, 0);
	if (*end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	if (*end && *end != ':' && *end != ',') {
		say("bad number '%s'", text);
		exit(2);
	}
	return v;
}

/* The line the test matches with the host's report of the same connection. */
static void result(const char *phase, struct conn *c, uint64_t host_bytes, int receive_errno, double secs)
{
	char sent_hex[65], received_hex[65], pattern[80];
	stream_hash_hex(&c->sent_hash, sent_hex);
	stream_check_hex(&c->received, received_hex);
	if (c->received.mismatch)
		snprintf(pattern, sizeof(pattern), "differs from the pattern at byte %llu",
			 (unsigned long long)c->received.mismatch_at);
	else if (c->received.bytes != host_bytes)
		snprintf(pattern, sizeof(pattern), "short: %llu of %llu bytes",
			 (unsigned long long)c->received.bytes, (unsigned long long)host_bytes);
	else
		snprintf(pattern, sizeof(pattern), "pattern ok");
	say("result %s port %u sent %llu sha256 %s received %llu sha256 %s %s%s%s in %.2f s", phase, c->port,
	    (unsigned long long)c->sent, sent_hex, (unsigned long long)c->received.bytes, received_hex, pattern,
	    c->send_errno ? "; send: " : "", c->send_errno ? strerror(c->send_errno) : "", secs);
	if (receive_errno)
		say("# %s port %u: read: %s", phase, c->port, strerror(receive_errno));
}

static bool received_ok(const struct conn *c, uint64_t host_bytes)
{
	return !c->received.mismatch && c->received.bytes == host_bytes;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
}

static void phase_bulk(unsigned port, uint64_t seed, const char *sizes_text, uint64_t bytes)
{
	char name[80];
	uint64_t sizes[8];
	unsigned nsizes = 0;
	for (const char *p = sizes_text; nsizes < 8; p++) {
		sizes[nsizes++] = number(p);
		p = strpbrk(p, ",:");
		if (!p || *p == ':')
			break;
	}
	snprintf(name, sizeof(name), "bulk-%.*s", (int)(strchr(sizes_text, ':') - sizes_text), sizes_text);
	struct conn c;
	static uint8_t buf[READ_SIZE];
	double start = now();
	if (!conn_open(&c, port, seed, 0, bytes, bytes, sizes, nsizes))
		return;
	pthread_t sender;
	if (pthread_create(&sender, NULL, send_all, &c)) {
		check(false, "%s: cannot start the sender thread", name);
		conn_close(&c);
		return;
	}
	int rc = receive_all(&c, buf);
	pthread_join(sender, NULL);
	double secs = now() - start;
	result(name, &c, bytes, rc, secs);
	check(c.sent == bytes && !c.send_errno, "%s: sent %llu bytes in %u writes", name,
	      (unsigned long long)c.sent, c.next_size);
	check(received_ok(&c, bytes) && !rc, "%s: received the host's %llu bytes in order (%.1f MiB/s each way)",
	      name, (unsigned long long)bytes, (double)bytes / 1048576 / (secs > 0 ? secs : 1));
	conn_close(&c);
}

/* Both ends send at once; the guest writes until its write would block (the host keeps what
 * it got unread, so its buffer is full), waits for the host to fill its own buffer, then both
 * drain. */
static void phase_pushback(unsigned port, uint64_t seed, uint64_t bytes)
{
	struct conn c;
	static uint8_t buf[READ_SIZE];
	double start = now();
	if (!conn_open(&c, port, seed, STREAM_PUSHBACK, bytes, bytes, &(uint64_t){ READ_SIZE }, 1))
		return;
	fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
	bool blocked = false;
	int rc = 0;
	while (!blocked && c.sent < c.to_send) {
		size_t n = next_chunk(&c, READ_SIZE);
		ssize_t done = write(c.fd, c.buf, n);
		if (done > 0)
			sent(&c, (size_t)done);
		else if (errno == EAGAIN)
			blocked = true;
		else if (errno != EINTR)
			break;
	}
	uint64_t before_block = c.sent;
	check(blocked && before_block > 0, "pushback: the guest's writes blocked after %llu bytes (the host's "
	      "buffer full) before it read anything", (unsigned long long)before_block);
	/* The host fills our buffer as soon as its data starts coming; give it a second more. */
	poll(&(struct pollfd){ c.fd, POLLIN, 0 }, 1, 10000);
	nanosleep(&(struct timespec){ 1, 0 }, NULL);
	bool eof = false, shut = false;
	while (!eof || !shut) {
		if (c.sent == c.to_send && !shut) {
			shutdown(c.fd, SHUT_WR);
			shut = true;
			continue;
		}
		struct pollfd p = { c.fd, (eof ? 0 : POLLIN) | (shut ? 0 : POLLOUT), 0 };
		if (poll(&p, 1, 30000) <= 0) {
			rc = ETIMEDOUT;
			break;
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR) && !eof) {
			ssize_t n = read(c.fd, buf, sizeof(buf));
			if (n > 0)
				stream_check_update(&c.received, buf, (size_t)n);
			else if (n == 0)
				eof = true;
			else if (errno != EAGAIN && errno != EINTR) {
				rc = errno;
				break;
			}
		}
		if (p.revents & POLLOUT && !shut) {
			size_t n = next_chunk(&c, READ_SIZE);
			ssize_t done = write(c.fd, c.buf, n);
			if (done > 0)
				sent(&c, (size_t)done);
			else if (done < 0 && errno != EAGAIN && errno != EINTR) {
				c.send_errno = errno;
				break;
			}
		}
	}
	double secs = now() - start;
	result("pushback", &c, bytes, rc, secs);
	check(c.sent == bytes && received_ok(&c, bytes) && !rc,
	      "pushback: after both buffers filled, both ends drained %llu bytes each way", (unsigned long long)bytes);
	conn_close(&c);
}

static void phase_short(unsigned port, uint64_t seed, unsigned count, uint64_t bytes)
{
	static uint8_t buf[READ_SIZE];
	unsigned good = 0;
	double start = now();
	for (unsigned i = 0; i < count; i++) {
		struct conn c;
		if (!conn_open(&c, port, seed + i, 0, bytes, bytes, &(uint64_t){ (bytes + 1) / 2 }, 1))
			continue;
		send_all(&c);
		int rc = receive_all(&c, buf);
		result("short", &c, bytes, rc, now() - start);
		good += c.sent == bytes && !c.send_errno && received_ok(&c, bytes) && !rc;
		conn_close(&c);
	}
	check(good == count, "short: %u of %u connections sent and received %llu bytes each way (%.2f s)", good,
	      count, (unsigned long long)bytes, now() - start);
}

static void phase_linear(const char *name, unsigned port, uint64_t seed, uint64_t bytes)
{
	struct conn c;
	static uint8_t buf[READ_SIZE];
	double start = now();
	if (!conn_open(&c, port, seed, 0, bytes, 0, &bytes, 1))
		return;
	size_t n = next_chunk(&c, bytes);
	ssize_t done = write(c.fd, c.buf, n);
	int write_errno = done < 0 ? errno : 0;
	if (done > 0)
		sent(&c, (size_t)done);
	shutdown(c.fd, SHUT_WR);
	int rc = receive_all(&c, buf);
	result(name, &c, 0, rc, now() - start);
	say("# %s: one write() of %zu bytes returned %zd%s%s", name, n, done, write_errno ? ": " : "",
	    write_errno ? strerror(write_errno) : "");
	conn_close(&c);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		say("usage: vsock-test PORT STRICT-PORT PHASE...");
		return 2;
	}
	unsigned base = (unsigned)number(argv[1]), strict_port = (unsigned)number(argv[2]);
	say("started");
	for (int i = 3; i < argc; i++) {
		char *a = argv[i], *f1 = strchr(a, ':'), *f2 = f1 ? strchr(f1 + 1, ':') : NULL;
		uint64_t seed = 1000u * (unsigned)i;
		unsigned port = base + (unsigned)(i - 3);
		if (!strncmp(a, "bulk:", 5) && f2)
			phase_bulk(port, seed, f1 + 1, number(f2 + 1));
		else if (!strncmp(a, "pushback:", 9))
			phase_pushback(port, seed, number(f1 + 1));
		else if (!strncmp(a, "short:", 6) && f2)
			phase_short(port, seed, (unsigned)number(f1 + 1), number(f2 + 1));
		else if (!strncmp(a, "linear:", 7)) {
			phase_linear("linear", port, seed, number(f1 + 1));
			phase_linear("linear-strict", strict_port, seed + 1, number(f1 + 1));
		}
		else
			check(false, "unknown phase '%s'", a);
	}
	say("finished: %u failed", failures);
	return failures != 0;
}
