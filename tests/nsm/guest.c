/* nsm-guest: the in-enclave half of tests/nsm-guest.t. Runs as the enclave's command under
 * QEMU's nitro-enclave machine, after init loaded nsm.ko, and exercises the driver and libnsm
 * against the emulated NSM. Every result is one console line the host script relays as TAP:
 *   nsm-guest: ok - DESCRIPTION | nsm-guest: not ok - DESCRIPTION | nsm-guest: # NOTE
 * plus value lines the host checks itself (nsm-guest: PCR<n> <hex>, extend, latency, ...) and
 * a last line "nsm-guest: finished" so the host can tell a complete run from a crash or hang. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nsm.h"

/* strerror, or "ok" for 0, for the messages below. */
static const char *errname(int e)
{
	return e ? strerror(e) : "ok";
}

#define MODULE_COPY "/lib/nsm-test.ko"	/* init unlinks /nsm.ko; reloads use this copy */
#define DRIVER_DIR "/sys/bus/virtio/drivers/nsm"
#define RNG_CURRENT "/sys/class/misc/hw_random/rng_current"
#define THREADS 8
#define REQUESTS_PER_THREAD 100
#define LATENCY_REQUESTS 2000

static struct nsm nsm;

static void report(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("nsm-guest: %sok - ", cond ? "" : "not ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	printf("nsm-guest: # ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void print_hex(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static int module_loaded(void)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "nsm ", 4) == 0) {
			found = 1;
			printf("nsm-guest: module %s", line);
		}
	fclose(f);
	return found;
}

/* ---- device node, PCRs, DescribeNSM -------------------------------------------------------- */

static void test_node(void)
{
	struct stat st;
	int have = stat(NSM_DEVICE, &st) == 0;

	report(module_loaded(), "init loaded nsm.ko (listed in /proc/modules)");
	report(have && S_ISCHR(st.st_mode), "%s exists and is a character device", NSM_DEVICE);
	report(have && (st.st_mode & 07777) == 0666, "%s has mode 0666 (got %04o)", NSM_DEVICE,
	       have ? (unsigned)(st.st_mode & 07777) : 0);
	int opened = nsm_open(&nsm, NULL);
	report(opened == NSM_SUCCESS, "libnsm opens %s%s%s", NSM_DEVICE, opened ? ": " : "",
	       nsm.error);
}

static void test_pcrs(void)
{
	struct nsm_pcr pcr;
	int locked_ok = 1, read_ok = 1;

	for (uint16_t i = 0; i < 32; i++) {
		if (nsm_describe_pcr(&nsm, i, &pcr) != NSM_SUCCESS) {
			note("PCR%u: %s", i, nsm.error);
			read_ok = 0;
			continue;
		}
		if (pcr.locked != (i < 16)) {
			note("PCR%u locked=%d", i, pcr.locked);
			locked_ok = 0;
		}
		if (i <= 8) {
			printf("nsm-guest: PCR%u ", i);
			print_hex(pcr.value, pcr.len);
			printf("\n");
		}
		if (i == 0)
			report(pcr.len == 48, "PCRs are 48 bytes (SHA-384)");
		if (i == 3 || i == 4 || i == 8)
			report(all_zero(pcr.value, pcr.len), "PCR%u is zero (no parent role, "
			       "instance id or signature under QEMU)", i);
	}
	report(read_ok, "DescribePCR works for PCR0..31");
	report(locked_ok, "PCR0..15 are locked, PCR16..31 are not");
	report(nsm_describe_pcr(&nsm, 32, &pcr) == NSM_INVALID_INDEX,
	       "DescribePCR 32 is InvalidIndex (%s)", nsm.error);
}

static void test_describe(void)
{
	static struct nsm_description d;
	int st = nsm_describe_nsm(&nsm, &d);
	unsigned seen = 0;

	report(st == NSM_SUCCESS, "DescribeNSM answers%s%s", st ? ": " : "", nsm.error);
	for (size_t i = 0; i < d.locked_count; i++)
		if (d.locked_pcrs[i] < 32)
			seen |= 1u << d.locked_pcrs[i];
	report(d.max_pcrs == 32 && d.digest == NSM_DIGEST_SHA384,
	       "DescribeNSM: 32 PCRs, SHA384 (got %u, %s)", d.max_pcrs, nsm_digest_name(d.digest));
	report(seen == 0xffff, "DescribeNSM lists PCR0..15 as locked (mask %#x)", seen);
	printf("nsm-guest: module_id %s version %u.%u.%u\n", d.module_id, d.version_major,
	       d.version_minor, d.version_patch);
}

/* Runs /bin/nsm with argv[1..] (argv[0] is a tag for the host script); its stdout and stderr
 * go to the console between "nsm-guest: begin TAG" and "nsm-guest: end TAG". */
static void run_tool(int expected_status, const char *const *argv)
{
	int status = -1;
	pid_t pid;

	printf("nsm-guest: begin %s\n", argv[0]);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(STDOUT_FILENO, STDERR_FILENO);
		execv("/bin/nsm", (char *const *)argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	printf("nsm-guest: end %s\n", argv[0]);
	printf("nsm-guest: %sok - nsm", pid > 0 && WIFEXITED(status) &&
	       WEXITSTATUS(status) == expected_status ? "" : "not ");
	for (int i = 1; argv[i]; i++)
		printf(" %s", argv[i]);
	printf(" exits %d (status %d)\n", expected_status,
	       pid > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

#define TOOL(status, ...) run_tool(status, (const char *const[]){ __VA_ARGS__, NULL })

/* The nsm tool's commands (on PCR30: the threads below use 17..24); the host checks the output. */
static void test_tool(void)
{
	FILE *f = fopen("/tmp/nonce.bin", "wb");

	report(f && fwrite("tool-nonce", 1, 10, f) == 10 && fclose(f) == 0,
	       "wrote /tmp/nonce.bin for nsm attest");
	TOOL(0, "describe", "describe");
	TOOL(0, "random", "random", "40");
	TOOL(0, "extend30", "extend", "30", "hello");
	TOOL(0, "lock30", "lock", "30");
	TOOL(0, "pcr30", "pcr", "30");
	TOOL(1, "extend30-locked", "extend", "30", "again");
	TOOL(0, "attest", "attest", "--nonce", "/tmp/nonce.bin", "-o", "/tmp/doc.cbor");
	TOOL(2, "usage", "pcr", "not-a-number");
	TOOL(0, "help", "attest", "--help");

	static uint8_t doc[NSM_RESPONSE_MAX_SIZE];
	static struct nsm_document parsed;
	char err[NSM_ERROR_MAX] = "";
	int fd = open("/tmp/doc.cbor", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, doc, sizeof(doc)) : -1;

	if (fd >= 0)
		close(fd);
	report(n > 0 && nsm_decode_document(doc, (size_t)n, &parsed, err, sizeof(err)) == 0 &&
	       parsed.nonce.len == 10 && memcmp(parsed.nonce.data, "tool-nonce", 10) == 0,
	       "nsm attest wrote a document carrying the nonce file%s%s", err[0] ? ": " : "", err);
}

/* ---- extend, lock ----------------------------------------------------------------------- */

static void test_extend_lock(void)
{
	static const char data[] = "enclave-kit nsm-guest";
	struct nsm_pcr before, after, check;

	report(nsm_describe_pcr(&nsm, 16, &before) == NSM_SUCCESS && !before.locked,
	       "PCR16 starts unlocked");
	int st = nsm_extend_pcr(&nsm, 16, data, strlen(data), &after);
	report(st == NSM_SUCCESS, "ExtendPCR 16 succeeds%s%s", st ? ": " : "", nsm.error);
	printf("nsm-guest: extend 16 old ");
	print_hex(before.value, before.len);
	printf(" data %s new ", data);
	print_hex(after.value, after.len);
	printf("\n");
	report(nsm_describe_pcr(&nsm, 16, &check) == NSM_SUCCESS && check.len == after.len &&
	       memcmp(check.value, after.value, after.len) == 0,
	       "DescribePCR 16 shows the value ExtendPCR returned");
	st = nsm_lock_pcr(&nsm, 16);
	report(st == NSM_SUCCESS, "LockPCR 16 succeeds%s%s", st ? ": " : "", nsm.error);
	report(nsm_describe_pcr(&nsm, 16, &check) == NSM_SUCCESS && check.locked &&
	       memcmp(check.value, after.value, after.len) == 0,
	       "PCR16 is now locked and unchanged");
	report(nsm_extend_pcr(&nsm, 16, "x", 1, NULL) == NSM_READ_ONLY_INDEX,
	       "ExtendPCR 16 after the lock is ReadOnlyIndex (%s)", nsm.error);
	report(nsm_extend_pcr(&nsm, 0, "x", 1, NULL) == NSM_READ_ONLY_INDEX,
	       "ExtendPCR 0 (locked at boot) is ReadOnlyIndex");
	report(nsm_lock_pcrs(&nsm, 16) == NSM_SUCCESS, "LockPCRs 16 (already locked) succeeds");
	report(nsm_lock_pcr(&nsm, 40) == NSM_INVALID_INDEX, "LockPCR 40 is InvalidIndex");
}

/* ---- randomness ------------------------------------------------------------------------- */

static void test_random(void)
{
	uint8_t a[256], b[256], h[64];
	size_t na = sizeof(a), nb = sizeof(b);
	char current[64] = "";
	FILE *f;

	report(nsm_get_random(&nsm, a, &na) == NSM_SUCCESS && na == 256,
	       "GetRandom returns 256 bytes (got %zu)", na);
	report(nsm_get_random(&nsm, b, &nb) == NSM_SUCCESS && memcmp(a, b, sizeof(a)) != 0 &&
	       !all_zero(a, sizeof(a)), "two GetRandom answers differ and are not zero");
	f = fopen(RNG_CURRENT, "r");
	if (f) {
		if (!fgets(current, sizeof(current), f))
			current[0] = '\0';
		fclose(f);
	}
	current[strcspn(current, "\n")] = '\0';
	report(strcmp(current, "nsm-hwrng") == 0, "the kernel's current hwrng is nsm-hwrng (got '%s')",
	       current);
	int fd = open("/dev/hwrng", O_RDONLY);
	ssize_t r = fd >= 0 ? read(fd, h, sizeof(h)) : -1;
	report(r > 0 && !all_zero(h, (size_t)r), "/dev/hwrng delivers bytes (%zd)", r);
	if (fd >= 0)
		close(fd);
	/* The driver never sleeps for a non-blocking reader: once the core's buffer is empty
	 * (at most one more read), no data but EAGAIN. */
	fd = open("/dev/hwrng", O_RDONLY | O_NONBLOCK);
	r = 0;
	for (int i = 0; i < 2 && r >= 0 && fd >= 0; i++)
		r = read(fd, h, sizeof(h));
	int e = errno;
	report(r < 0 && e == EAGAIN, "a non-blocking /dev/hwrng read gets EAGAIN (%zd, %s)", r,
	       r < 0 ? errname(e) : "no error");
	if (fd >= 0)
		close(fd);
}

/* ---- attestation ------------------------------------------------------------------------ */

static void test_attestation(void)
{
	static uint8_t doc[NSM_RESPONSE_MAX_SIZE];
	static struct nsm_document parsed;
	static const uint8_t user_data[] = "user data from nsm-guest";
	static const uint8_t nonce[] = { 0x6e, 0x6f, 0x6e, 0x63, 0x65, 0x00, 0xff };
	static const uint8_t key[] = "not really a DER public key";
	struct nsm_pcr pcr;
	char err[NSM_ERROR_MAX] = "";
	size_t len = 0;
	int st = nsm_attestation(&nsm, (struct nsm_bytes){ user_data, sizeof(user_data) },
				 (struct nsm_bytes){ nonce, sizeof(nonce) },
				 (struct nsm_bytes){ key, sizeof(key) }, doc, sizeof(doc), &len);

	report(st == NSM_SUCCESS && len > 0, "Attestation returns a document (%zu bytes)%s%s", len,
	       st ? ": " : "", nsm.error);
	st = nsm_decode_document(doc, len, &parsed, err, sizeof(err));
	report(st == NSM_SUCCESS, "the document decodes as COSE_Sign1 + attestation map%s%s",
	       err[0] ? ": " : "", err);
	if (st != NSM_SUCCESS)
		return;
	report(parsed.digest == NSM_DIGEST_SHA384 && parsed.timestamp > 0 &&
	       parsed.module_id.len > 0, "document: digest SHA384, timestamp, module_id");
	report(parsed.user_data.len == sizeof(user_data) &&
	       memcmp(parsed.user_data.data, user_data, sizeof(user_data)) == 0,
	       "document carries the user data");
	report(parsed.nonce.len == sizeof(nonce) &&
	       memcmp(parsed.nonce.data, nonce, sizeof(nonce)) == 0, "document carries the nonce");
	report(parsed.public_key.len == sizeof(key) &&
	       memcmp(parsed.public_key.data, key, sizeof(key)) == 0,
	       "document carries the public key");
	int same = parsed.pcr_count >= 3;
	for (size_t i = 0; i < parsed.pcr_count && same; i++) {
		const struct nsm_document_pcr *p = &parsed.pcrs[i];

		same = nsm_describe_pcr(&nsm, p->index, &pcr) == NSM_SUCCESS &&
		       pcr.len == p->value.len && memcmp(pcr.value, p->value.data, pcr.len) == 0;
	}
	report(same, "the document's %zu PCRs equal DescribePCR's", parsed.pcr_count);
	printf("nsm-guest: document %zu bytes, %zu PCRs, module_id %.*s, signature %zu bytes\n",
	       len, parsed.pcr_count, (int)parsed.module_id.len,
	       (const char *)parsed.module_id.data, parsed.signature.len);

	len = 0;
	st = nsm_attestation(&nsm, (struct nsm_bytes){ 0 }, (struct nsm_bytes){ 0 },
			     (struct nsm_bytes){ 0 }, doc, sizeof(doc), &len);
	report(st == NSM_SUCCESS && nsm_decode_document(doc, len, &parsed, err, sizeof(err)) == 0 &&
	       !parsed.user_data.data && !parsed.nonce.data && !parsed.public_key.data,
	       "an Attestation without optional fields has them absent");
}

/* ---- the raw ioctl: limits and errno values ---------------------------------------------- */

static int raw_ioctl(int fd, unsigned long cmd, void *req, uint64_t req_len, void *resp,
		     uint64_t *resp_len)
{
	struct nsm_raw raw = {
		.request = { (uintptr_t)req, req_len },
		.response = { (uintptr_t)resp, *resp_len },
	};
	int r = ioctl(fd, cmd, &raw);

	*resp_len = raw.response.len;
	return r < 0 ? errno : 0;
}

static void test_raw(void)
{
	static uint8_t req[NSM_REQUEST_MAX_SIZE + 1], resp[NSM_RESPONSE_MAX_SIZE];
	static const uint8_t describe_nsm[] = {
		0x6b, 'D', 'e', 's', 'c', 'r', 'i', 'b', 'e', 'N', 'S', 'M',
	};
	uint64_t len = sizeof(resp);
	int fd = nsm.fd, e;

	report(NSM_IOCTL_RAW == 0xC0200A00UL && sizeof(struct nsm_raw) == 32,
	       "NSM_IOCTL_RAW is 0xC0200A00 over a 32-byte struct");
	memcpy(req, describe_nsm, sizeof(describe_nsm));
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, NSM_REQUEST_MAX_SIZE + 1, resp, &len);
	report(e == EMSGSIZE, "a 4097-byte request fails with EMSGSIZE (got %s)", errname(e));
	len = sizeof(resp);
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, 0, resp, &len);
	report(e == EINVAL, "an empty request fails with EINVAL (got %s)", errname(e));
	len = sizeof(resp);
	e = raw_ioctl(fd, NSM_IOCTL_RAW, (void *)16, sizeof(describe_nsm), resp, &len);
	report(e == EFAULT, "a bad request address fails with EFAULT (got %s)", errname(e));
	len = sizeof(resp);
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, sizeof(describe_nsm), (void *)16, &len);
	report(e == EFAULT, "a bad response address fails with EFAULT (got %s)", errname(e));
	e = ioctl(fd, NSM_IOCTL_RAW, (void *)16) < 0 ? errno : 0;
	report(e == EFAULT, "a bad argument pointer fails with EFAULT (got %s)", errname(e));
	len = sizeof(resp);
	e = raw_ioctl(fd, _IOWR(NSM_MAGIC, 1, struct nsm_raw), req, sizeof(describe_nsm), resp,
		      &len);
	report(e == EINVAL, "an unknown ioctl fails with EINVAL (got %s)", errname(e));
	len = 5;
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, sizeof(describe_nsm), resp, &len);
	report(e == 0 && len == 5, "a 5-byte response buffer gets the first 5 bytes (%s, %llu)",
	       errname(e), (unsigned long long)len);
	len = sizeof(resp);
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, sizeof(describe_nsm), resp, &len);
	report(e == 0 && len > 5 && resp[0] == 0xa1,
	       "after all that, a raw DescribeNSM still answers (%llu bytes)",
	       (unsigned long long)len);
	/* Garbage is the NSM's business, not the driver's: it answers with an error. */
	memset(req, 0xff, 64);
	len = sizeof(resp);
	e = raw_ioctl(fd, NSM_IOCTL_RAW, req, 64, resp, &len);
	struct nsm_response r;
	char err[NSM_ERROR_MAX] = "";
	int decoded = e == 0 && nsm_decode_response(resp, len, &r, err, sizeof(err)) == 0;
	report(decoded && r.is_error, "a malformed request gets an NSM error answer (%s)",
	       decoded && r.is_error ? nsm_status_name(r.error) : e ? errname(e) : err);
}

/* ---- 8 threads at once ------------------------------------------------------------------ */

struct worker {
	pthread_t thread;
	int id;
	int failures;
	char first_error[NSM_ERROR_MAX];
};

static sem_t workers_done;

static void *work(void *arg)
{
	static struct nsm handles[THREADS];	/* one handle (and open file) per thread */
	struct worker *w = arg;
	struct nsm *n = &handles[w->id];
	struct nsm_pcr pcr;
	uint8_t rnd[64];

	if (nsm_open(n, NULL) != NSM_SUCCESS) {
		w->failures = REQUESTS_PER_THREAD;
		snprintf(w->first_error, sizeof(w->first_error), "%s", n->error);
		sem_post(&workers_done);
		return NULL;
	}
	for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
		size_t len = sizeof(rnd);
		int st;

		switch (i % 3) {
		case 0: st = nsm_describe_pcr(n, (uint16_t)(i % 32), &pcr); break;
		case 1: st = nsm_get_random(n, rnd, &len); break;
		default: st = nsm_extend_pcr(n, (uint16_t)(17 + w->id), &i, sizeof(i), &pcr); break;
		}
		if (st != NSM_SUCCESS && w->failures++ == 0)
			snprintf(w->first_error, sizeof(w->first_error), "%s", n->error);
	}
	nsm_close(n);
	sem_post(&workers_done);
	return NULL;
}

static void test_threads(void)
{
	static struct worker workers[THREADS];
	struct timespec deadline;
	int finished = 0, failures = 0, started = 0;
	double t0 = now_us();

	sem_init(&workers_done, 0, 0);
	for (int i = 0; i < THREADS; i++) {
		workers[i].id = i;
		if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) == 0)
			started++;
	}
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 120;
	while (finished < started && sem_timedwait(&workers_done, &deadline) == 0)
		finished++;
	report(started == THREADS, "%d threads started", started);
	report(finished == started, "all threads finished within 120 s (%d of %d)", finished,
	       started);
	if (finished != started)
		return;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(workers[i].thread, NULL);
		failures += workers[i].failures;
		if (workers[i].failures)
			note("thread %d: %d failures, first: %s", i, workers[i].failures,
			     workers[i].first_error);
	}
	double ms = (now_us() - t0) / 1000;
	report(failures == 0, "%d concurrent requests from %d threads, no errors (%d)",
	       THREADS * REQUESTS_PER_THREAD, THREADS, failures);
	printf("nsm-guest: threads %d x %d requests in %.0f ms\n", THREADS, REQUESTS_PER_THREAD,
	       ms);
}

/* ---- latency ------------------------------------------------------------------------------ */

/* The guest clock may tick only every few ms (jiffies clocksource under TCG), so latency is
 * the elapsed time of a long run of requests divided by their number. */
static void measure(const char *name, int random)
{
	struct nsm_pcr pcr;
	struct timespec res;
	uint8_t rnd[256];
	int failed = 0;
	double t = now_us();

	for (int i = 0; i < LATENCY_REQUESTS; i++) {
		size_t len = sizeof(rnd);
		int st = random ? nsm_get_random(&nsm, rnd, &len) : nsm_describe_pcr(&nsm, 0, &pcr);

		failed |= st != NSM_SUCCESS;
	}
	t = now_us() - t;
	clock_getres(CLOCK_MONOTONIC, &res);
	report(!failed, "%d %s requests in a row succeed", LATENCY_REQUESTS, name);
	printf("nsm-guest: latency %s %.1f us per request (%d requests in %.0f ms, clock "
	       "resolution %.0f us)\n", name, t / LATENCY_REQUESTS, LATENCY_REQUESTS, t / 1000,
	       (double)res.tv_sec * 1e6 + (double)res.tv_nsec / 1e3);
}

/* ---- unbind, unload, reload ---------------------------------------------------------------- */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n = fd >= 0 ? write(fd, text, strlen(text)) : -1;
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* The virtio device the driver is bound to ("virtio1"), or "" if none. */
static void bound_device(char *name, size_t cap)
{
	DIR *d = opendir(DRIVER_DIR);
	struct dirent *e;

	name[0] = '\0';
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, "virtio", 6) == 0)
			snprintf(name, cap, "%s", e->d_name);
	if (d)
		closedir(d);
}

static int wait_for_node(int present)
{
	for (int i = 0; i < 200; i++) {
		if ((access(NSM_DEVICE, F_OK) == 0) == present)
			return 1;
		usleep(10000);
	}
	return 0;
}

static void test_unbind(void)
{
	char dev[256];
	struct nsm_pcr pcr;
	int e;

	bound_device(dev, sizeof(dev));
	report(dev[0] != '\0', "the driver is bound to a virtio device (%s)", dev);
	if (!dev[0])
		return;
	/* nsm.fd stays open across the unbind; held keeps the node's inode. */
	int held = open(NSM_DEVICE, O_PATH | O_CLOEXEC);
	e = write_file(DRIVER_DIR "/unbind", dev) ? errno : 0;
	report(e == 0, "unbinding %s with %s open works (%s)", dev, NSM_DEVICE, errname(e));
	report(wait_for_node(0), "%s disappears", NSM_DEVICE);
	/*
	 * An open() that found the node before misc_deregister() and reaches misc_open() after
	 * it, made certain: the misc core no longer knows the minor and says ENODEV.  This is
	 * why the threads of test_unbind_under_load() may see ENODEV at open.
	 */
	char again[64];
	snprintf(again, sizeof(again), "/proc/self/fd/%d", held);
	int fd = held >= 0 ? open(again, O_RDWR | O_CLOEXEC) : -1;
	e = fd < 0 ? errno : 0;
	report(held >= 0 && fd < 0 && e == ENODEV,
	       "an open of the node found before the unbind fails with ENODEV (%s)",
	       held < 0 ? "no O_PATH descriptor" : errname(e));
	if (fd >= 0)
		close(fd);
	if (held >= 0)
		close(held);
	int st = nsm_describe_pcr(&nsm, 0, &pcr);
	report(st == NSM_INTERNAL_ERROR && nsm.sys_errno == ENODEV,
	       "a request on the file opened before the unbind fails with ENODEV (%s)",
	       nsm.error);
	nsm_close(&nsm);
	e = write_file(DRIVER_DIR "/bind", dev) ? errno : 0;
	report(e == 0 && wait_for_node(1), "binding %s again brings %s back (%s)", dev,
	       NSM_DEVICE, errname(e));
	report(nsm_open(&nsm, NULL) == NSM_SUCCESS && nsm_describe_pcr(&nsm, 0, &pcr) == 0,
	       "requests work after the rebind");
}

/* Unbind and bind the driver again and again while threads keep sending requests: they may
 * see only answers, ENODEV (their file outlived the device, or their open lost the race below)
 * or ENOENT (no node right now). */
struct hammer {
	pthread_t thread;
	int id;
	long answers, gone, open_gone, unexpected;
	char first_error[NSM_ERROR_MAX];
};

static volatile int hammer_stop;

static void *hammer(void *arg)
{
	static struct nsm handles[THREADS];
	struct hammer *h = arg;
	struct nsm *n = &handles[h->id];
	struct nsm_pcr pcr;

	while (!hammer_stop) {
		if (nsm_open(n, NULL) != NSM_SUCCESS) {
			/*
			 * open() finds the node, then misc_open() (drivers/char/misc.c) looks
			 * its minor up under misc_mtx. misc_deregister() takes the minor off
			 * the list and removes the node under that mutex, so an open that
			 * found the node just before gets -ENODEV from the misc core, before
			 * any driver code runs: no driver can close that window.
			 */
			if (n->sys_errno == ENODEV)
				h->open_gone++;
			else if (n->sys_errno != ENOENT && h->unexpected++ == 0)
				snprintf(h->first_error, sizeof(h->first_error), "%s", n->error);
			usleep(1000);
			continue;
		}
		while (!hammer_stop) {
			if (nsm_describe_pcr(n, (uint16_t)(h->answers % 32), &pcr) == NSM_SUCCESS) {
				h->answers++;
				continue;
			}
			if (n->sys_errno == ENODEV)
				h->gone++;
			else if (h->unexpected++ == 0)
				snprintf(h->first_error, sizeof(h->first_error), "%s", n->error);
			break;
		}
		nsm_close(n);
	}
	sem_post(&workers_done);
	return NULL;
}

static void test_unbind_under_load(void)
{
	static struct hammer hammers[4];
	const int count = sizeof(hammers) / sizeof(hammers[0]);
	struct timespec deadline;
	long answers = 0, gone = 0, open_gone = 0, unexpected = 0;
	int cycles = 0, finished = 0;
	char dev[256];

	nsm_close(&nsm);
	bound_device(dev, sizeof(dev));
	sem_init(&workers_done, 0, 0);
	hammer_stop = 0;
	for (int i = 0; i < count; i++) {
		hammers[i].id = i;
		pthread_create(&hammers[i].thread, NULL, hammer, &hammers[i]);
	}
	for (int i = 0; i < 20 && dev[0]; i++) {
		usleep(20000);
		if (write_file(DRIVER_DIR "/unbind", dev) != 0)
			break;
		usleep(5000);
		if (write_file(DRIVER_DIR "/bind", dev) != 0)
			break;
		cycles++;
	}
	usleep(20000);
	hammer_stop = 1;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	while (finished < count && sem_timedwait(&workers_done, &deadline) == 0)
		finished++;
	report(cycles == 20, "20 unbind/bind cycles while 4 threads send requests (%d)", cycles);
	report(finished == count, "no request thread hangs across the cycles (%d of %d ended)",
	       finished, count);
	if (finished != count)
		return;
	for (int i = 0; i < count; i++) {
		pthread_join(hammers[i].thread, NULL);
		answers += hammers[i].answers;
		gone += hammers[i].gone;
		open_gone += hammers[i].open_gone;
		unexpected += hammers[i].unexpected;
		if (hammers[i].unexpected)
			note("thread %d: first unexpected error: %s", i, hammers[i].first_error);
	}
	report(unexpected == 0 && answers > 0 && gone > 0,
	       "requests got answers (%ld) or ENODEV (%ld), opens ENOENT or ENODEV (%ld), nothing else (%ld)",
	       answers, gone, open_gone, unexpected);
	report(wait_for_node(1) && nsm_open(&nsm, NULL) == NSM_SUCCESS,
	       "%s is back after the last bind", NSM_DEVICE);
}

/* ---- a device that claims more answer bytes than it wrote ---------------------------------- */

#define LIAR_MODULE "/lib/nsm-liar.ko"	/* tests/nsm/liar */

/* nsm.ko bound to nsm_liar, a software NSM that copies each request into the response buffer
 * and claims the whole buffer as written: after a large answer, a 1-byte one must come back
 * as that byte and zeros, never as the rest of the earlier answer (which could have been
 * another process's attestation document). */
static void test_liar(void)
{
	static uint8_t big[NSM_REQUEST_MAX_SIZE], resp[NSM_RESPONSE_MAX_SIZE];
	uint8_t small = 0x01;
	uint64_t len;
	char real[256], now[256];
	int e, fd;

	nsm_close(&nsm);
	/* Its answers are no GetRandom answers: keep the hwrng core from reading through it. */
	e = write_file(RNG_CURRENT, "none") ? errno : 0;
	report(e == 0, "no hwrng is read while the lying device is bound (%s)", errname(e));
	bound_device(real, sizeof(real));
	e = real[0] && write_file(DRIVER_DIR "/unbind", real) != 0 ? errno : 0;
	report(real[0] && e == 0 && wait_for_node(0), "unbinding %s from the NSM QEMU emulates (%s)",
	       real, errname(e));
	fd = open(LIAR_MODULE, O_RDONLY | O_CLOEXEC);
	e = fd >= 0 && syscall(SYS_finit_module, fd, "", 0) == 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
	bound_device(now, sizeof(now));
	report(e == 0 && wait_for_node(1) && now[0] && strcmp(now, real) != 0,
	       "loading %s binds nsm.ko to its lying device (%s, bound to %s)", LIAR_MODULE,
	       errname(e), now[0] ? now : "nothing");

	fd = open(NSM_DEVICE, O_RDWR | O_CLOEXEC);
	memset(big, 0xa5, sizeof(big));
	len = sizeof(resp);
	e = fd >= 0 ? raw_ioctl(fd, NSM_IOCTL_RAW, big, sizeof(big), resp, &len) : errno;
	report(e == 0 && len == sizeof(resp) && resp[0] == 0xa5 && resp[sizeof(big) - 1] == 0xa5,
	       "the lying device answers a %zu-byte request with it and claims %llu bytes (%s)",
	       sizeof(big), (unsigned long long)len, errname(e));
	memset(resp, 0x5a, sizeof(resp));
	len = sizeof(resp);
	e = fd >= 0 ? raw_ioctl(fd, NSM_IOCTL_RAW, &small, 1, resp, &len) : errno;
	size_t stale = 0;
	for (size_t i = 1; i < len && i < sizeof(resp); i++)
		stale += resp[i] == 0xa5;
	report(e == 0 && len == sizeof(resp) && resp[0] == small && all_zero(resp + 1, len - 1),
	       "a 1-byte answer claimed as %llu bytes: the bytes not written read as zeros "
	       "(%zu bytes of the previous answer) (%s)", (unsigned long long)len, stale, errname(e));
	if (fd >= 0)
		close(fd);

	e = syscall(SYS_delete_module, "nsm_liar", O_NONBLOCK) ? errno : 0;
	report(e == 0 && wait_for_node(0), "unloading nsm_liar removes its device (%s)", errname(e));
	e = real[0] && write_file(DRIVER_DIR "/bind", real) != 0 ? errno : 0;
	report(real[0] && e == 0 && wait_for_node(1) && nsm_open(&nsm, NULL) == NSM_SUCCESS,
	       "binding %s again brings back %s (%s)", real, NSM_DEVICE, errname(e));
	e = write_file(RNG_CURRENT, "\n") ? errno : 0;
	report(e == 0, "the hwrng core picks its best source again (%s)", errname(e));
}

static void test_unload(void)
{
	struct nsm_pcr pcr;
	int e;

	/* An open file pins the module. */
	e = syscall(SYS_delete_module, "nsm", O_NONBLOCK) ? errno : 0;
	report(e == EWOULDBLOCK || e == EBUSY, "rmmod nsm with %s open is refused (%s)",
	       NSM_DEVICE, errname(e));
	nsm_close(&nsm);
	double t = now_us();
	e = syscall(SYS_delete_module, "nsm", O_NONBLOCK) ? errno : 0;
	report(e == 0, "rmmod nsm once the file is closed (%s, %.0f us)", errname(e), now_us() - t);
	report(!module_loaded() && wait_for_node(0), "the module and %s are gone", NSM_DEVICE);

	int fd = open(MODULE_COPY, O_RDONLY | O_CLOEXEC);
	t = now_us();
	e = fd >= 0 && syscall(SYS_finit_module, fd, "", 0) == 0 ? 0 : errno;
	if (fd >= 0)
		close(fd);
	report(e == 0, "loading %s again works (%s, %.0f us)", MODULE_COPY, errname(e),
	       now_us() - t);
	report(wait_for_node(1) && nsm_open(&nsm, NULL) == NSM_SUCCESS &&
	       nsm_describe_pcr(&nsm, 16, &pcr) == NSM_SUCCESS && pcr.locked,
	       "after the reload requests work and PCR16 stays locked");
	nsm_close(&nsm);
	e = syscall(SYS_delete_module, "nsm", O_NONBLOCK) ? errno : 0;
	report(e == 0 && !module_loaded(), "the module unloads cleanly at the end (%s)",
	       errname(e));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	nsm.fd = -1;
	printf("nsm-guest: started\n");
	test_node();
	if (nsm.fd < 0) {
		printf("nsm-guest: finished\n");
		return 1;
	}
	test_pcrs();
	test_describe();
	TOOL(0, "pcrs", "pcrs");
	test_tool();
	test_extend_lock();
	test_random();
	test_attestation();
	test_raw();
	test_threads();
	measure("DescribePCR", 0);
	measure("GetRandom", 1);
	test_unbind();
	test_unbind_under_load();
	test_liar();
	test_unload();
	printf("nsm-guest: finished\n");
	return 0;
}
