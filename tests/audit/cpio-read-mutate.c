/* Feed the strict newc reader (eif/lib/cpio_read.c) hostile input; built with ASan and UBSan by
 * tests/eif-audit-cpio-reader.t, so any read outside the buffer or overflow aborts the run.
 *
 *   cpio-read-mutate parse FILE       print "entries N archives N" or "error: MESSAGE"
 *   cpio-read-mutate links FILE       one line per entry, what cpio_read_links() says its
 *       name is at boot: NAME inode=FIRST data=FROM attrs=FROM names=N MODE UID:GID
 *       size=N rdev=MAJOR:MINOR body=TEXT (body: up to 40 bytes, others as \xHH)
 *   cpio-read-mutate mutate ROUNDS FILE...
 *       TAP: each seed parses; every truncation fails exactly when it cuts into the last
 *       trailer; every single-byte change and ROUNDS random multi-byte changes never break
 *       the reader's promises (entries inside the buffer, aligned, names NUL-terminated,
 *       and on success entries + trailers + padding == the buffer length). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpio_read.h"

struct outcome {
	int ok;
	struct cpio_read_totals totals;
	char message[sizeof(((struct eif_error *)0)->msg)];
	int broken;		/* a promise of cpio_read.h was not kept */
	char why[200];
};

static void broken(struct outcome *o, const char *why)
{
	if (!o->broken)
		snprintf(o->why, sizeof(o->why), "%s", why);
	o->broken = 1;
}

/* Read a whole buffer; len bytes exactly, in its own allocation so ASan sees its end. */
static void read_all(const unsigned char *data, size_t len, struct outcome *o)
{
	unsigned char *buf = malloc(len ? len : 1);
	struct cpio_reader r;
	struct eif_error err;
	int end = 0, calls = 0;

	memset(o, 0, sizeof(*o));
	if (!buf) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	memcpy(buf, data, len);
	cpio_reader_init(&r, buf, len);
	for (;;) {
		struct cpio_read_entry e;
		volatile unsigned sum = 0;

		if (cpio_read_next(&r, &e, &end, &err) != EIF_OK) {
			snprintf(o->message, sizeof(o->message), "%s", err.msg);
			if (cpio_read_next(&r, &e, &end, &err) == EIF_OK)
				broken(o, "a call after a failure succeeded");
			break;
		}
		if (end) {
			o->ok = 1;
			break;
		}
		if (++calls > 1000000) {
			broken(o, "more entries than bytes");
			break;
		}
		if (e.offset % 4 || e.length % 4 || e.offset > len || e.length > len - e.offset)
			broken(o, "entry outside the buffer or misaligned");
		if ((const unsigned char *)e.name < buf || e.name_len == 0 ||
		    (const unsigned char *)e.name + e.name_len >= buf + len ||
		    e.name[e.name_len] != '\0' || strlen(e.name) != e.name_len)
			broken(o, "name not inside the buffer or not NUL-terminated");
		if (e.body < buf || e.filesize > len || e.body + e.filesize > buf + len)
			broken(o, "body outside the buffer");
		else
			for (uint32_t i = 0; i < e.filesize; i++)
				sum += e.body[i];
		if (!cpio_read_type_name(e.mode))
			broken(o, "an entry with no file type");
	}
	o->totals = r.totals;
	if (o->ok && o->totals.entry_bytes + o->totals.trailer_bytes + o->totals.gap_bytes != len)
		broken(o, "entries, trailers and padding do not add up to the length");
	free(buf);
}

static unsigned char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			unsigned char *grown = realloc(data, cap = cap ? 2 * cap : 4096);

			if (!grown) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = grown;
		}
		if ((n = fread(data + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	return data;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int test_number;
static int failures;

static void tap(int good, const char *fmt, const char *arg)
{
	printf("%sok %d - ", good ? "" : "not ", ++test_number);
	printf(fmt, arg);
	printf("\n");
	failures += !good;
}

static void mutate_seed(const char *path, long rounds)
{
	static const unsigned char interesting[] = { 0, 0xff, '0', '7', '8', 'f', 'F', 'g', 0x80, 1 };
	struct outcome seed, o;
	size_t len, trailer_end, bad = 0, changes = 0, accepted = 0;
	unsigned char *data = load(path, &len), *copy;
	char first[1600] = "";

	if (!data || !(copy = malloc(len + 64))) {
		tap(0, "cannot read seed %s", path);
		return;
	}
	read_all(data, len, &seed);
	tap(seed.ok && !seed.broken && seed.totals.entries > 0, "seed %s parses", path);
	if (!seed.ok)
		printf("# %s\n", seed.message);
	/* With one archive, NUL padding follows the last trailer: cutting inside it is fine. */
	trailer_end = len - (size_t)seed.totals.gap_bytes;
	for (size_t cut = 0; cut < len; cut++) {
		read_all(data, cut, &o);
		if (o.broken || o.ok != (cut >= trailer_end)) {
			if (!bad++)
				snprintf(first, sizeof(first), "cut at %zu: ok=%d broken=%s %s", cut,
					 o.ok, o.broken ? o.why : "no", o.message);
		}
	}
	tap(bad == 0, "%s: every truncation fails exactly when it cuts into the last trailer",
	    path);
	if (bad)
		printf("# %zu bad, first: %s\n", bad, first);

	bad = 0;
	for (size_t at = 0; at < len; at++)
		for (size_t v = 0; v < sizeof(interesting); v++) {
			if (data[at] == interesting[v])
				continue;
			memcpy(copy, data, len);
			copy[at] = interesting[v];
			read_all(copy, len, &o);
			changes++;
			accepted += o.ok;
			if (o.broken && !bad++)
				snprintf(first, sizeof(first), "byte %zu = 0x%02x: %s", at,
					 interesting[v], o.why);
		}
	tap(bad == 0, "%s: single-byte changes keep every promise", path);
	printf("# %zu changes, %zu still parse (NUL padding, mtimes, modes, data)\n", changes,
	       accepted);
	if (bad)
		printf("# %zu bad, first: %s\n", bad, first);

	bad = 0;
	accepted = 0;
	for (long round = 0; round < rounds; round++) {
		size_t n = len, edits = 1 + rng() % 8;

		memcpy(copy, data, len);
		for (size_t k = 0; k < edits; k++) {
			switch (rng() % 4) {
			case 0: copy[rng() % n] = (unsigned char)rng(); break;
			case 1: copy[rng() % n] = interesting[rng() % sizeof(interesting)]; break;
			case 2: n = n > 1 ? 1 + rng() % (n - 1) : n; break;	/* cut */
			default:	/* grow by up to 64 bytes of junk or NULs */
				if (n == len) {
					size_t extra = rng() % 64, zero = rng() % 2;

					for (size_t i = 0; i < extra; i++)
						copy[n + i] = zero ? 0 : (unsigned char)rng();
					n += extra;
				}
			}
		}
		read_all(copy, n, &o);
		accepted += o.ok;
		if (o.broken && !bad++)
			snprintf(first, sizeof(first), "round %ld: %s", round, o.why);
	}
	tap(bad == 0, "%s: random multi-byte changes keep every promise", path);
	printf("# %ld rounds, %zu still parse\n", rounds, accepted);
	if (bad)
		printf("# %zu bad, first: %s\n", bad, first);
	free(copy);
	free(data);
}

/* Print the boot view of every entry of the archive in data, or "error: MESSAGE". */
static int print_links(const unsigned char *data, size_t len)
{
	struct cpio_read_entry *v = calloc(len / CPIO_READ_HEADER_SIZE + 1, sizeof(*v));
	struct cpio_boot_view *boot = calloc(len / CPIO_READ_HEADER_SIZE + 1, sizeof(*boot));
	struct cpio_reader r;
	struct eif_error err;
	size_t n = 0;
	int end = 0;

	if (!v || !boot) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	cpio_reader_init(&r, data, len);
	while (cpio_read_next(&r, &v[n], &end, &err) == EIF_OK && !end)
		n++;
	if (!end || cpio_read_links(v, n, boot, &err) != EIF_OK) {
		printf("error: %s\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cpio_boot_view *b = &boot[i];

		printf("%s inode=%s data=%s attrs=%s names=%zu %06o %u:%u size=%u rdev=%u:%u body=",
		       v[i].name, v[b->inode].name, v[b->data_from].name, v[b->attrs_from].name,
		       b->names, b->mode, b->uid, b->gid, b->size, b->rdev_major, b->rdev_minor);
		for (uint32_t k = 0; k < b->size && k < 40; k++)
			printf(b->body[k] > 0x20 && b->body[k] < 0x7f ? "%c" : "\\x%02x", b->body[k]);
		printf("\n");
	}
	free(v);
	free(boot);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "parse") == 0) {
		struct outcome o;
		size_t len;
		unsigned char *data = load(argv[2], &len);

		if (!data) {
			perror(argv[2]);
			return 2;
		}
		read_all(data, len, &o);
		free(data);
		if (o.broken) {
			printf("broken: %s\n", o.why);
			return 1;
		}
		if (!o.ok) {
			printf("error: %s\n", o.message);
			return 1;
		}
		printf("entries %llu archives %llu\n", (unsigned long long)o.totals.entries,
		       (unsigned long long)o.totals.archives);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "links") == 0) {
		size_t len;
		unsigned char *data = load(argv[2], &len);
		int rc;

		if (!data) {
			perror(argv[2]);
			return 2;
		}
		rc = print_links(data, len);
		free(data);
		return rc;
	}
	if (argc >= 4 && strcmp(argv[1], "mutate") == 0) {
		long rounds = strtol(argv[2], NULL, 10);

		for (int i = 3; i < argc; i++)
			mutate_seed(argv[i], rounds);
		printf("1..%d\n", test_number);
		return failures ? 1 : 0;
	}
	fprintf(stderr, "usage: cpio-read-mutate parse FILE | links FILE | mutate ROUNDS FILE...\n");
	return 2;
}
