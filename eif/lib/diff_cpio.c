/* diff_cpio: the entries of two ramdisks, compared by path (see diff.h).
 *
 * Each ramdisk is mapped, not read: the strict reader (cpio_read.h) walks the mapping, and
 * the pages already walked or hashed are handed back to the kernel as we go, so the memory
 * used grows with the number of entries (names, a hash each), not with the ramdisk's size. */
#include <eif/diff.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cpio_read.h"
#include "json.h"
#include "util.h"

/* Hand mapped pages back every this many bytes walked or hashed. */
#define RELEASE_STEP (16u << 20)

struct entry {
	char *name;
	size_t name_len;
	struct cpio_read_entry e;	/* name and body point into the mapping */
	uint64_t data_offset;		/* of the data in the ramdisk, hard links resolved */
	uint64_t size;
	unsigned char sha256[32];
	int linked;			/* a member of a hard-link group */
	unsigned occurrences;		/* entries with this name; the last one counts */
};

struct ramdisk {
	const char *path;
	unsigned char *map;		/* the mapping, page-aligned */
	size_t map_len;
	const unsigned char *data;	/* the section data inside it */
	size_t len;
	struct entry *v;
	size_t n, cap;
	size_t released;		/* data[0..released) handed back */
	char error[sizeof(((struct eif_error *)0)->msg)];
};

/* Drop the pages wholly inside data[from..to) from the mapping; reads fault them back in. */
static void release(const struct ramdisk *r, size_t from, size_t to)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t lo = (uintptr_t)(r->data + from), hi = (uintptr_t)(r->data + to);

	lo = (lo + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	hi &= ~((uintptr_t)page - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

static enum eif_status map_ramdisk(struct ramdisk *r, const struct eif_diff_side *s,
				   struct eif_error *err)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t start = s->offset & ~(uint64_t)(page - 1);

	memset(r, 0, sizeof(*r));
	r->path = s->path;
	if (s->size == 0)
		return EIF_OK;
	if (s->size > SIZE_MAX - (size_t)page)
		return eif_fail(err, EIF_E_LIMIT, "'%s': a %llu-byte ramdisk cannot be mapped on "
				"this machine", s->path, (unsigned long long)s->size);
	r->map_len = (size_t)(s->offset - start + s->size);
	r->map = mmap(NULL, r->map_len, PROT_READ, MAP_PRIVATE, s->fd, (off_t)start);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return eif_fail_errno(err, "'%s': cannot map the %llu-byte ramdisk at offset %llu",
				      s->path, (unsigned long long)s->size,
				      (unsigned long long)s->offset);
	}
	madvise(r->map, r->map_len, MADV_SEQUENTIAL);
	r->data = r->map + (s->offset - start);
	r->len = (size_t)s->size;
	return EIF_OK;
}

static void free_ramdisk(struct ramdisk *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	if (r->map)
		munmap(r->map, r->map_len);
}

static int add_entry(struct ramdisk *r, const struct cpio_read_entry *e)
{
	struct entry *x;

	if (!(x = eif_array_grow(r->v, &r->cap, r->n + 1, sizeof(*x))))
		return -1;
	r->v = x;
	x = &r->v[r->n];
	memset(x, 0, sizeof(*x));
	if (!(x->name = malloc(e->name_len + 1)))
		return -1;
	memcpy(x->name, e->name, e->name_len + 1);
	x->name_len = e->name_len;
	x->e = *e;
	x->data_offset = e->body_offset;
	x->size = e->filesize;
	r->n++;
	return 0;
}

/* Walk the archive(s). A malformed ramdisk is not an error of the diff: its reader error is
 * kept in r->error and reported as a difference. */
static int walk(struct ramdisk *r)
{
	struct cpio_reader rd;
	struct cpio_read_entry e;
	struct eif_error err;
	int end = 0;

	cpio_reader_init(&rd, r->data, r->len);
	for (;;) {
		if (cpio_read_next(&rd, &e, &end, &err) != EIF_OK) {
			snprintf(r->error, sizeof(r->error), "%s", err.msg);
			return 0;
		}
		if (end)
			return 0;
		if (add_entry(r, &e) != 0)
			return -1;
		if (rd.pos - r->released >= RELEASE_STEP) {
			release(r, r->released, rd.pos);
			r->released = rd.pos;
		}
	}
}

static int by_inode(const void *pa, const void *pb)
{
	const struct entry *a = *(struct entry *const *)pa, *b = *(struct entry *const *)pb;

	if (a->e.archive != b->e.archive)
		return a->e.archive < b->e.archive ? -1 : 1;
	if (a->e.ino != b->e.ino)
		return a->e.ino < b->e.ino ? -1 : 1;
	return a->e.offset < b->e.offset ? -1 : a->e.offset > b->e.offset;
}

/* Hard links as the archive stores them: regular files with nlink >= 2 sharing (archive, ino)
 * form a group, whose data rides on the member with a non-empty body. */
static int group_hard_links(struct ramdisk *r)
{
	struct entry **links;
	size_t count = 0;

	for (size_t i = 0; i < r->n; i++)
		count += S_ISREG(r->v[i].e.mode) && r->v[i].e.nlink >= 2;
	if (!count)
		return 0;
	if (!(links = malloc(count * sizeof(*links))))
		return -1;
	count = 0;
	for (size_t i = 0; i < r->n; i++)
		if (S_ISREG(r->v[i].e.mode) && r->v[i].e.nlink >= 2)
			links[count++] = &r->v[i];
	qsort(links, count, sizeof(*links), by_inode);
	for (size_t start = 0, end; start < count; start = end) {
		struct entry *carrier = NULL;

		for (end = start; end < count && links[end]->e.archive == links[start]->e.archive &&
				  links[end]->e.ino == links[start]->e.ino; end++)
			if (links[end]->e.filesize > 0)
				carrier = links[end];
		for (size_t k = start; k < end; k++) {
			links[k]->linked = 1;
			if (carrier && links[k]->e.filesize == 0) {
				links[k]->data_offset = carrier->e.body_offset;
				links[k]->size = carrier->e.filesize;
			}
		}
	}
	free(links);
	return 0;
}

static int hash_data(struct ramdisk *r, struct entry *x)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (uint64_t pos = 0; ok && pos < x->size;) {
		size_t n = x->size - pos < RELEASE_STEP ? (size_t)(x->size - pos) : RELEASE_STEP;

		ok = EVP_DigestUpdate(ctx, r->data + x->data_offset + pos, n);
		pos += n;
		if (n == RELEASE_STEP)
			release(r, (size_t)(x->data_offset + pos - n), (size_t)(x->data_offset + pos));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, x->sha256, &len);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int by_name(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);

	if (c)
		return c;
	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	return a->e.offset < b->e.offset ? -1 : a->e.offset > b->e.offset;
}

static int same_name(const struct entry *a, const struct entry *b)
{
	return a->name_len == b->name_len && memcmp(a->name, b->name, a->name_len) == 0;
}

static enum eif_status load(struct ramdisk *r, const struct eif_diff_side *s,
			    struct eif_error *err)
{
	enum eif_status rc = map_ramdisk(r, s, err);
	size_t kept = 0;

	if (rc != EIF_OK)
		return rc;
	if (walk(r) != 0 || group_hard_links(r) != 0)
		return eif_fail(err, EIF_E_NOMEM, "'%s': out of memory listing ramdisk entries",
				s->path);
	for (size_t i = 0; i < r->n; i++)
		if ((S_ISREG(r->v[i].e.mode) || S_ISLNK(r->v[i].e.mode)) && hash_data(r, &r->v[i]))
			return eif_fail(err, EIF_E_CRYPTO, "diff: SHA-256 failed in OpenSSL");
	/* Sorted by name, each name once: the last entry of a name is what the kernel keeps. */
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), by_name);
	for (size_t i = 0; i < r->n; i++) {
		unsigned occurrences = 1;

		while (i + 1 < r->n && same_name(&r->v[i], &r->v[i + 1])) {
			free(r->v[i].name);
			i++;
			occurrences++;
		}
		r->v[kept] = r->v[i];
		r->v[kept++].occurrences = occurrences;
	}
	r->n = kept;
	return EIF_OK;
}

/* ---- comparing entries ------------------------------------------------------------------ */

/* The other names in an entry's hard-link group, sorted and joined by ", "; NULL when it has
 * none. Group identity is (archive, ino) as stored; this is the one place that decides it. */
static char *hard_link_peers(const struct ramdisk *r, const struct entry *x)
{
	struct json_buf t = { 0 };

	if (!x->linked)
		return NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct entry *y = &r->v[i];

		if (y == x || !y->linked || y->e.archive != x->e.archive ||
		    y->e.ino != x->e.ino)
			continue;
		json_buf_puts(&t, t.len ? ", " : "");
		json_buf_puts(&t, y->name);
	}
	if (t.failed) {
		free(t.data);
		return NULL;
	}
	return t.data;
}

static void describe(const struct entry *x, char *out, size_t cap)
{
	const char *type = cpio_read_type_name(x->e.mode);
	char sha[65];

	if (S_ISREG(x->e.mode)) {
		eif_hex(x->sha256, 32, sha);
		snprintf(out, cap, "file %04o %u:%u, %llu bytes, sha256 %s", x->e.mode & 07777,
			 x->e.uid, x->e.gid, (unsigned long long)x->size, sha);
	} else if (S_ISLNK(x->e.mode)) {
		snprintf(out, cap, "symlink %04o %u:%u -> %.*s", x->e.mode & 07777, x->e.uid,
			 x->e.gid, (int)x->e.filesize, (const char *)x->e.body);
	} else if (S_ISCHR(x->e.mode) || S_ISBLK(x->e.mode)) {
		snprintf(out, cap, "%s %04o %u:%u %u:%u", type, x->e.mode & 07777, x->e.uid,
			 x->e.gid, x->e.rdev_major, x->e.rdev_minor);
	} else {
		snprintf(out, cap, "%s %04o %u:%u", type, x->e.mode & 07777, x->e.uid, x->e.gid);
	}
}

static void mtime_text(uint32_t t, char *out, size_t cap)
{
	char when[32];
	struct eif_error e;

	if (eif_rfc3339(t, when, &e) != EIF_OK)
		snprintf(when, sizeof(when), "?");
	snprintf(out, cap, "%u (%s)", t, when);
}

static uint64_t first_difference(const struct ramdisk *ra, const struct entry *a,
				 const struct ramdisk *rb, const struct entry *b)
{
	uint64_t common = a->size < b->size ? a->size : b->size;
	const unsigned char *pa = ra->data + a->data_offset, *pb = rb->data + b->data_offset;

	for (uint64_t pos = 0; pos < common; pos += RELEASE_STEP) {
		size_t n = common - pos < RELEASE_STEP ? (size_t)(common - pos) : RELEASE_STEP;

		if (memcmp(pa + pos, pb + pos, n) != 0) {
			while (pa[pos] == pb[pos])
				pos++;
			return pos;
		}
		release(ra, (size_t)(a->data_offset + pos), (size_t)(a->data_offset + pos + n));
		release(rb, (size_t)(b->data_offset + pos), (size_t)(b->data_offset + pos + n));
	}
	return common;
}

static void compare_entries(struct eif_diff *d, const char *area, unsigned pcrs,
			    const struct ramdisk *ra, const struct entry *a,
			    const struct ramdisk *rb, const struct entry *b)
{
	const char *name = a->name;
	char va[300], vb[300];
	int same_type = (a->e.mode & S_IFMT) == (b->e.mode & S_IFMT);
	char *la, *lb;

	if (!same_type)
		eif_diff_add(d, pcrs, area, name, "type", cpio_read_type_name(a->e.mode),
			     cpio_read_type_name(b->e.mode));
	if ((a->e.mode & 07777) != (b->e.mode & 07777))
		eif_diff_addf(d, pcrs, area, name, "mode", "%04o\x1f%04o", a->e.mode & 07777,
			      b->e.mode & 07777);
	if (a->e.uid != b->e.uid || a->e.gid != b->e.gid)
		eif_diff_addf(d, pcrs, area, name, "owner", "%u:%u\x1f%u:%u", a->e.uid, a->e.gid,
			      b->e.uid, b->e.gid);
	if (a->e.mtime != b->e.mtime) {
		mtime_text(a->e.mtime, va, sizeof(va));
		mtime_text(b->e.mtime, vb, sizeof(vb));
		eif_diff_add(d, pcrs, area, name, "mtime", va, vb);
	}
	if (a->occurrences != b->occurrences)
		eif_diff_addf(d, pcrs, area, name, "entries with this name", "%u\x1f%u",
			      a->occurrences, b->occurrences);
	if (!same_type)
		return;
	if ((S_ISCHR(a->e.mode) || S_ISBLK(a->e.mode)) &&
	    (a->e.rdev_major != b->e.rdev_major || a->e.rdev_minor != b->e.rdev_minor))
		eif_diff_addf(d, pcrs, area, name, "device", "%u:%u\x1f%u:%u", a->e.rdev_major,
			      a->e.rdev_minor, b->e.rdev_major, b->e.rdev_minor);
	if (S_ISLNK(a->e.mode) && memcmp(a->sha256, b->sha256, 32) != 0)
		eif_diff_addf(d, pcrs, area, name, "link target", "%.*s\x1f%.*s",
			      (int)a->e.filesize, (const char *)a->e.body, (int)b->e.filesize,
			      (const char *)b->e.body);
	if (S_ISREG(a->e.mode)) {
		if (a->size != b->size)
			eif_diff_addf(d, pcrs, area, name, "size", "%llu\x1f%llu",
				      (unsigned long long)a->size, (unsigned long long)b->size);
		if (memcmp(a->sha256, b->sha256, 32) != 0) {
			struct eif_diff_change *c;

			eif_hex(a->sha256, 32, va);
			eif_hex(b->sha256, 32, vb);
			c = eif_diff_add(d, pcrs, area, name, "content sha256", va, vb);
			if (c) {
				c->has_offset = 1;
				c->offset = first_difference(ra, a, rb, b);
			}
		}
	}
	la = hard_link_peers(ra, a);
	lb = hard_link_peers(rb, b);
	if ((la || lb) && (!la || !lb || strcmp(la, lb) != 0))
		eif_diff_add(d, pcrs, area, name, "hard links", la ? la : "none", lb ? lb : "none");
	free(la), free(lb);
}

static void one_side(struct eif_diff *d, const char *area, unsigned pcrs, const struct entry *x,
		     int added)
{
	char text[300];

	describe(x, text, sizeof(text));
	eif_diff_add(d, pcrs, area, x->name, added ? "added" : "removed", added ? NULL : text,
		     added ? text : NULL);
}

enum eif_status eif_diff_ramdisks(struct eif_diff *d, const char *area, unsigned pcrs,
				  const struct eif_diff_side *a, const struct eif_diff_side *b,
				  struct eif_error *err)
{
	struct ramdisk ra, rb;
	enum eif_status rc;
	size_t i = 0, j = 0;

	memset(&rb, 0, sizeof(rb));
	if ((rc = load(&ra, a, err)) != EIF_OK || (rc = load(&rb, b, err)) != EIF_OK)
		goto out;
	if (ra.error[0] || rb.error[0]) {
		/* A damaged archive cannot be listed: name the damage and the first byte. */
		struct eif_diff_change *c;
		uint64_t at;

		if ((rc = eif_diff_first_difference(a, b, &at, err)) != EIF_OK)
			goto out;
		c = eif_diff_add(d, pcrs, area, "", "cpio", ra.error[0] ? ra.error : "readable",
				 rb.error[0] ? rb.error : "readable");
		if (c && at != UINT64_MAX) {
			c->has_offset = 1;
			c->offset = at;
		}
		goto out;
	}
	while (i < ra.n || j < rb.n) {
		int c = i == ra.n ? 1 : j == rb.n ? -1 : by_name(&ra.v[i], &rb.v[j]);

		if (i < ra.n && j < rb.n && same_name(&ra.v[i], &rb.v[j]))
			c = 0;
		if (c < 0)
			one_side(d, area, pcrs, &ra.v[i++], 0);
		else if (c > 0)
			one_side(d, area, pcrs, &rb.v[j++], 1);
		else
			compare_entries(d, area, pcrs, &ra, &ra.v[i++], &rb, &rb.v[j++]);
	}
out:
	free_ramdisk(&ra);
	free_ramdisk(&rb);
	return rc;
}
