/* vhost-user-vsock: the vsock back-end QEMU's nitro-enclave machine requires, playing the
 * parent instance (CID 3) and host (CID 2) for the enclave, with the heartbeat listener. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vhost_user.h"
#include "vsock_host.h"

#define HEARTBEAT_PORT 9000

static const char usage[] =
	"usage: vhost-user-vsock --socket PATH --guest-cid CID [--no-heartbeat]\n"
	"                        [--heartbeat-port PORT] [--sink PORT=FILE]... [--stream PORT]...\n"
	"                        [--stream-strict PORT]... [--fault KIND:DIR:N[@PORT]]... [--trace]\n"
	"Serve QEMU's vhost-user-vsock device on the Unix socket PATH (created; QEMU connects with\n"
	"-chardev socket,path=PATH). The guest gets CID; CIDs 2 and 3 are us. The heartbeat\n"
	"listener (port 9000 on CID 3: read 0xB7, echo it) is on unless --no-heartbeat, which makes\n"
	"every connection attempt get a reset, like a parent with no listener. --sink listens on\n"
	"CID 3 PORT too and appends all the guest sends there to FILE. --stream listens on CID 3\n"
	"PORT as the peer of the test stream (tests/vsock/stream.h): it sends the pattern the\n"
	"guest asks for, checks and hashes what it receives, and logs both per connection.\n"
	"--stream-strict does the same but resets a connection whose guest sends a packet with its\n"
	"payload in several descriptors (counted on every port either way).\n"
	"--fault drop|duplicate|reorder:to-host|to-guest:N[@PORT] spoils the Nth stream data packet\n"
	"in that direction (of stream PORT, or of all), to prove the tests notice; up to 8 times.\n"
	"Exits 0 when QEMU disconnects, 1 when the strict mode refused a packet.\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void log_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vhost-user-vsock: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int parse_number(const char *flag, const char *text, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || end == text || *end || text[0] == '-' || v > max) {
		log_line("%s '%s': not a number from 0 to %llu", flag, text, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* --fault KIND:DIRECTION:N[@PORT] */
static int parse_fault(const char *spec, struct vsock_fault *f)
{
	static const char *const kinds[] = { "drop", "duplicate", "reorder" };
	static const char *const directions[] = { "to-host", "to-guest" };
	char text[80], kind[16], direction[16], number[24];
	unsigned long long n = 0, port = 0;
	int used = 0;
	memset(f, 0, sizeof(*f));
	snprintf(text, sizeof(text), "%s", spec);
	char *at = strchr(text, '@');
	if (at)
		*at++ = 0;
	bool good = strlen(spec) < sizeof(text) &&
		    sscanf(text, "%15[a-z]:%15[a-z-]:%23[0-9]%n", kind, direction, number, &used) == 3 && !text[used] &&
		    parse_number("--fault N", number, UINT32_MAX, &n) == 0 && n > 0 &&
		    (!at || (parse_number("--fault PORT", at, UINT32_MAX, &port) == 0 && port > 0));
	for (int k = 0; good && k < 3; k++)
		for (int d = 0; d < 2; d++)
			if (!strcmp(kind, kinds[k]) && !strcmp(direction, directions[d])) {
				f->kind = (enum vsock_fault_kind)(VSOCK_FAULT_DROP + k);
				f->direction = (enum vsock_fault_direction)d;
				f->packet = n;
				f->port = (uint32_t)port;
				return 0;
			}
	log_line("--fault '%s': expected drop|duplicate|reorder:to-host|to-guest:N[@PORT] with N from 1", spec);
	return -1;
}

/* Listen on PATH, which appears only once it accepts connections (bind elsewhere, then rename). */
static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	if (lstat(path, &st) == 0) {
		log_line("socket '%s' already exists; remove it or choose another path", path);
		return -1;
	}
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%ld.tmp", path, (long)getpid()) >=
	    sizeof(addr.sun_path)) {
		log_line("socket path '%s' is too long for a Unix socket (at most %zu bytes with a suffix)",
			 path, sizeof(addr.sun_path) - 16);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_line("socket: %s", strerror(errno));
		return -1;
	}
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0 ||
	    rename(addr.sun_path, path) < 0) {
		log_line("listening on '%s': %s; check that its directory exists and is writable", path,
			 strerror(errno));
		unlink(addr.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Serve one connection: 0 when QEMU disconnected cleanly, 1 after a protocol error, -1 on a signal. */
static int serve(int conn, struct vsock_host *host, bool trace)
{
	struct vhost_user_device dev;
	vhost_user_device_init(&dev, conn, host, trace, log_line);
	vsock_host_reset(host);
	int result = 1;
	for (;;) {
		struct pollfd p[1 + VSOCK_QUEUES];
		unsigned n = 0;
		p[n++] = (struct pollfd){ .fd = conn, .events = POLLIN };
		for (unsigned i = 0; i < VSOCK_QUEUES; i++)
			p[n++] = (struct pollfd){ .fd = dev.vq[i].started ? dev.vq[i].kick_fd : -1, .events = POLLIN };
		if (poll(p, n, -1) < 0) {
			if (errno == EINTR && !stop_signal)
				continue;
			if (!stop_signal)
				log_line("poll: %s", strerror(errno));
			result = -1;
			break;
		}
		for (unsigned i = 0; i < VSOCK_QUEUES; i++)
			if (p[1 + i].revents)
				vhost_user_queue_kicked(&dev, i);
		if (p[0].revents) {
			char err[300];
			int rc = vhost_user_handle_message(&dev, err, sizeof(err));
			if (rc == 0) {
				log_line("QEMU disconnected");
				result = 0;
				break;
			}
			if (rc < 0) {
				log_line("protocol error: %s; dropping this connection", err);
				break;
			}
		}
	}
	vhost_user_device_close(&dev);
	return result;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	unsigned long long cid = 0, port = HEARTBEAT_PORT;
	bool heartbeat = true, trace = false, have_cid = false;
	static struct vsock_host host;
	struct { unsigned long long port; const char *file; } sinks[VSOCK_MAX_SINKS];
	unsigned nsinks = 0;
	struct { unsigned long long port; bool strict; } streams[VSOCK_MAX_STREAMS];
	unsigned nstreams = 0;
	static struct vsock_fault faults[VSOCK_MAX_FAULTS];
	unsigned nfaults = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_value = i + 1 < argc;
		if (!strcmp(a, "--socket") && has_value) {
			path = argv[++i];
		} else if (!strcmp(a, "--guest-cid") && has_value) {
			if (parse_number(a, argv[++i], UINT32_MAX - 1, &cid) < 0)
				return 2;
			have_cid = true;
		} else if (!strcmp(a, "--heartbeat-port") && has_value) {
			if (parse_number(a, argv[++i], UINT32_MAX, &port) < 0)
				return 2;
		} else if (!strcmp(a, "--sink") && has_value) {
			char *spec = argv[++i], *eq = strchr(spec, '=');
			if (!eq || eq[1] == 0 || nsinks == VSOCK_MAX_SINKS) {
				log_line("--sink '%s': expected PORT=FILE, at most %d times", spec, VSOCK_MAX_SINKS);
				return 2;
			}
			*eq = 0;
			if (parse_number(a, spec, UINT32_MAX, &sinks[nsinks].port) < 0)
				return 2;
			sinks[nsinks++].file = eq + 1;
		} else if ((!strcmp(a, "--stream") || !strcmp(a, "--stream-strict")) && has_value) {
			if (nstreams == VSOCK_MAX_STREAMS) {
				log_line("%s: at most %d stream ports", a, VSOCK_MAX_STREAMS);
				return 2;
			}
			if (parse_number(a, argv[++i], UINT32_MAX, &streams[nstreams].port) < 0)
				return 2;
			streams[nstreams++].strict = !strcmp(a, "--stream-strict");
		} else if (!strcmp(a, "--fault") && has_value) {
			if (nfaults == VSOCK_MAX_FAULTS) {
				log_line("--fault: at most %d", VSOCK_MAX_FAULTS);
				return 2;
			}
			if (parse_fault(argv[++i], &faults[nfaults++]) < 0)
				return 2;
		} else if (!strcmp(a, "--no-heartbeat")) {
			heartbeat = false;
		} else if (!strcmp(a, "--trace")) {
			trace = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "vhost-user-vsock: unknown or incomplete argument '%s'\n%s", a, usage);
			return 2;
		}
	}
	if (!path || !have_cid) {
		fprintf(stderr, "vhost-user-vsock: --socket and --guest-cid are required\n%s", usage);
		return 2;
	}
	if (cid <= 3) {
		log_line("--guest-cid %llu: CIDs 0 to 3 are reserved (3 is the parent); use 4 or more", cid);
		return 2;
	}
	vsock_host_init(&host, cid, heartbeat, (uint32_t)port, log_line);
	for (unsigned i = 0; i < nfaults; i++)
		vsock_host_add_fault(&host, &faults[i]);
	for (unsigned i = 0; i < nstreams; i++) {
		for (unsigned j = 0; j < nsinks; j++)
			if (sinks[j].port == streams[i].port) {
				log_line("port %llu is both a --sink and a stream; choose one", streams[i].port);
				return 2;
			}
		if (heartbeat && streams[i].port == port) {
			log_line("stream port %llu is the heartbeat port; choose another or add --no-heartbeat", port);
			return 2;
		}
		vsock_host_add_stream(&host, (uint32_t)streams[i].port, streams[i].strict);
	}
	for (unsigned i = 0; i < nsinks; i++) {
		if (heartbeat && sinks[i].port == port) {
			log_line("--sink port %llu is the heartbeat port; choose another or add --no-heartbeat", port);
			return 2;
		}
		int fd = open(sinks[i].file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0) {
			log_line("--sink file '%s': %s", sinks[i].file, strerror(errno));
			return 1;
		}
		vsock_host_add_sink(&host, (uint32_t)sinks[i].port, fd);
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int listener = listen_on(path);
	if (listener < 0)
		return 1;
	log_line("listening on %s for QEMU; guest cid %llu; heartbeat %s", path, cid,
		 heartbeat ? "listener on" : "listener off (connections are reset)");
	int status = 0;
	while (!stop_signal) {
		int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0) {
			if (errno == EINTR)
				continue;
			log_line("accept on '%s': %s", path, strerror(errno));
			status = 1;
			break;
		}
		if (trace)
			log_line("QEMU connected");
		int rc = serve(conn, &host, trace);
		if (rc <= 0)
			break;
		log_line("waiting for a new connection on %s", path);
	}
	if (stop_signal)
		log_line("stopped by signal %d", (int)stop_signal);
	vsock_host_summary(&host);
	if (host.tx.refused && status == 0)
		status = 1;
	close(listener);
	unlink(path);
	return status;
}
