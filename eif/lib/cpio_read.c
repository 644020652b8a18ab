/* Strict newc cpio reader: see cpio_read.h for the rules it enforces. */
#include "cpio_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

#define TRAILER "TRAILER!!!"
#define FIELD_COUNT 13

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = len;
}

const char *cpio_read_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char device";
	case S_IFBLK: return "block device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return NULL;
	}
}

/* A name from the archive, printable in one line: at most 60 bytes, others as \xHH. */
static void quote_name(char out[256], const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < 240; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 60) {
			o += (size_t)snprintf(out + o, 256 - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, 256 - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

static enum eif_status cpio_bad(struct cpio_reader *r, struct eif_error *err, size_t offset,
				const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum eif_status cpio_bad(struct cpio_reader *r, struct eif_error *err, size_t offset,
				const char *fmt, ...)
{
	char text[768];
	va_list ap;

	r->failed = 1;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return eif_fail(err, EIF_E_FORMAT, "cpio archive %u, offset %zu: %s", r->archive, offset,
			text);
}

static int is_magic(const unsigned char *p)
{
	return memcmp(p, "07070", 5) == 0 && (p[5] == '1' || p[5] == '2');
}

/* The NUL padding from `from` to the next multiple of 4; *to is where it ends. */
static enum eif_status skip_padding(struct cpio_reader *r, size_t from, size_t *to,
				    const char *what, const char *name, struct eif_error *err)
{
	size_t end = from + ((4 - (from & 3)) & 3);

	if (from > r->len || end > r->len)
		return cpio_bad(r, err, from, "the archive ends inside the padding after the %s "
				"of '%s' (truncated; rebuild the ramdisk)", what, name);
	for (size_t i = from; i < end; i++)
		if (r->buf[i] != 0)
			return cpio_bad(r, err, i, "padding byte 0x%02x after the %s of '%s' is not "
					"NUL (the archive was altered or misaligned)", r->buf[i],
					what, name);
	*to = end;
	return EIF_OK;
}

/* Between archives: skip NULs, then a 4-aligned magic must follow, or the end. */
static enum eif_status start_archive(struct cpio_reader *r, int *end, struct eif_error *err)
{
	while (r->pos < r->len && r->buf[r->pos] == 0) {
		r->pos++;
		r->totals.gap_bytes++;
	}
	if (r->pos == r->len) {
		if (r->totals.archives == 0)
			return cpio_bad(r, err, r->pos, "no cpio archive: the ramdisk is empty or "
					"all NUL bytes; rebuild it with 'eif cpio'");
		*end = 1;
		return EIF_OK;
	}
	if (r->pos & 3)
		return cpio_bad(r, err, r->pos, "byte 0x%02x where only NUL padding or a new "
				"archive at a multiple of 4 may follow; the kernel would take it for "
				"compressed data", r->buf[r->pos]);
	if (r->len - r->pos < 6 || !is_magic(r->buf + r->pos))
		return cpio_bad(r, err, r->pos, "no newc magic (070701 or 070702) where an archive "
				"must start; compressed and old-format archives are not read here, "
				"unpack or rebuild the ramdisk as uncompressed newc");
	if (r->totals.archives > 0)
		r->archive++;
	r->totals.archives++;
	r->in_archive = 1;
	return EIF_OK;
}

enum eif_status cpio_read_next(struct cpio_reader *r, struct cpio_read_entry *e, int *end,
			       struct eif_error *err)
{
	uint32_t f[FIELD_COUNT];
	char shown[256];
	size_t pos, name_end, body_start, body_end, next;
	enum eif_status rc;

	*end = 0;
	if (r->failed)
		return eif_fail(err, EIF_E_FORMAT, "cpio: reading after an error; start over");
	for (;;) {
		if (!r->in_archive) {
			if ((rc = start_archive(r, end, err)) != EIF_OK || *end)
				return rc;
		}
		pos = r->pos;
		if (r->len - pos < CPIO_READ_HEADER_SIZE)
			return cpio_bad(r, err, pos, "%s (truncated: no TRAILER!!! entry; rebuild "
					"the ramdisk)", pos == r->len ? "the archive ends here" :
					"the archive ends inside an entry header");
		if (!is_magic(r->buf + pos))
			return cpio_bad(r, err, pos, "no newc magic at the start of an entry header "
					"(the archive is corrupt or a body size is wrong)");
		/* Each field is exactly 8 hex digits, either case (the kernel accepts both). */
		for (int i = 0; i < FIELD_COUNT; i++)
			if (eif_parse_hex(r->buf + pos + 6 + 8 * i, 8, &f[i]) != 0)
				return cpio_bad(r, err, pos + 6 + 8 * (size_t)i, "header field %d "
						"is not 8 hex digits", i + 1);
		memset(e, 0, sizeof(*e));
		e->archive = r->archive;
		e->offset = pos;
		e->crc_format = r->buf[pos + 5] == '2';
		e->ino = f[0], e->mode = f[1], e->uid = f[2], e->gid = f[3], e->nlink = f[4];
		e->mtime = f[5], e->filesize = f[6], e->dev_major = f[7], e->dev_minor = f[8];
		e->rdev_major = f[9], e->rdev_minor = f[10], e->check = f[12];
		/* f[11]: name size with its NUL */
		if (f[11] < 2 || f[11] > CPIO_READ_PATH_MAX)
			return cpio_bad(r, err, pos, "name size %u is outside 2..%u (an empty name, "
					"or longer than the kernel's PATH_MAX)", f[11],
					CPIO_READ_PATH_MAX);
		if (f[11] > r->len - pos - CPIO_READ_HEADER_SIZE)
			return cpio_bad(r, err, pos, "the archive ends inside an entry name "
					"(truncated; rebuild the ramdisk)");
		e->name = (const char *)r->buf + pos + CPIO_READ_HEADER_SIZE;
		e->name_len = f[11] - 1;
		name_end = pos + CPIO_READ_HEADER_SIZE + f[11];
		quote_name(shown, e->name, e->name_len);
		if (e->name[e->name_len] != '\0' || memchr(e->name, 0, e->name_len))
			return cpio_bad(r, err, pos, "name '%s' is not exactly %u bytes ending in its "
					"only NUL", shown, f[11]);
		if ((rc = skip_padding(r, name_end, &body_start, "name", shown, err)) != EIF_OK)
			return rc;
		if (strcmp(e->name, TRAILER) == 0) {
			if (e->filesize != 0)
				return cpio_bad(r, err, pos, "the TRAILER!!! entry claims %u body "
						"bytes", e->filesize);
			r->totals.trailer_bytes += body_start - pos;
			r->pos = body_start;
			r->in_archive = 0;
			continue;
		}
		break;
	}
	if (!cpio_read_type_name(e->mode))
		return cpio_bad(r, err, pos, "'%s' has mode 0%o, which names no file type",
				shown, e->mode);
	if (e->check != 0 && !e->crc_format)
		return cpio_bad(r, err, pos, "'%s' has check field %08x, but 070701 archives carry "
				"0 there", shown, e->check);
	if (e->filesize != 0 && !S_ISREG(e->mode) && !S_ISLNK(e->mode))
		return cpio_bad(r, err, pos, "%s '%s' carries %u body bytes, which the kernel "
				"would skip", cpio_read_type_name(e->mode), shown, e->filesize);
	if (S_ISLNK(e->mode) && (e->filesize == 0 || e->filesize >= CPIO_READ_PATH_MAX))
		return cpio_bad(r, err, pos, "symlink '%s' has a %u-byte target; the kernel needs "
				"1..%u bytes", shown, e->filesize, CPIO_READ_PATH_MAX - 1);
	if (e->filesize > r->len - body_start)
		return cpio_bad(r, err, pos, "body of '%s' (%u bytes) runs past the end of the "
				"archive (%zu bytes left; truncated?)", shown, e->filesize,
				r->len - body_start);
	e->body = r->buf + body_start;
	e->body_offset = body_start;
	body_end = body_start + e->filesize;
	if (S_ISLNK(e->mode) && memchr(e->body, 0, e->filesize))
		return cpio_bad(r, err, pos, "symlink '%s' has a NUL byte in its target", shown);
	if (e->crc_format && S_ISREG(e->mode)) {
		uint32_t sum = 0;

		for (size_t i = 0; i < e->filesize; i++)
			sum += e->body[i];
		if (sum != e->check)
			return cpio_bad(r, err, pos, "'%s': body checksum %08x differs from the "
					"header's %08x (070702 archive; the data was altered)",
					shown, sum, e->check);
	}
	if ((rc = skip_padding(r, body_end, &next, "body", shown, err)) != EIF_OK)
		return rc;
	e->length = next - pos;
	r->totals.entries++;
	r->totals.entry_bytes += e->length;
	r->pos = next;
	return EIF_OK;
}

/* ---- hard links, as the kernel makes them --------------------------------------------
 *
 * Linux's initramfs unpacker (init/initramfs.c, read at 6.12: find_link(), maybe_link(),
 * do_name(), do_copy(), free_hash()) links entries without looking at their bodies:
 *   - an entry takes part when nlink >= 2 and it is a regular file, a device, a FIFO or a
 *     socket (directories and symlinks never call maybe_link());
 *   - members share the key (c_devmajor, c_devminor, c_ino, file type) - not the name, not
 *     the rdev - and the key table is emptied at every TRAILER!!!, so a group never spans
 *     two archives;
 *   - the first entry with a key creates the inode; every later one removes whatever has
 *     its name and becomes a hard link to the first entry's name;
 *   - a regular member then opens the shared inode without O_TRUNC, fchown()s and
 *     fchmod()s it and, when its body is not empty, truncates it to its body size and
 *     writes its body: so the last member with a body gives the data of every name, and the
 *     last member gives mode, owner and mtime (an empty first member leaves the file empty
 *     until a member with data comes);
 *   - a device, FIFO or socket member after the first is a link and nothing more: every
 *     name keeps the first member's mode, owner and device number.
 * The model takes names as distinct paths: an entry that reuses an earlier name, or a path
 * the unpacker cannot create, is the caller's to flag. */

static int takes_part_in_links(const struct cpio_read_entry *e)
{
	return e->nlink >= 2 && !S_ISDIR(e->mode) && !S_ISLNK(e->mode);
}

static int compare_link_keys(const void *pa, const void *pb)
{
	const struct cpio_read_entry *a = *(const struct cpio_read_entry *const *)pa;
	const struct cpio_read_entry *b = *(const struct cpio_read_entry *const *)pb;
	const uint32_t ka[] = { a->archive, a->mode & S_IFMT, a->dev_major, a->dev_minor, a->ino };
	const uint32_t kb[] = { b->archive, b->mode & S_IFMT, b->dev_major, b->dev_minor, b->ino };

	for (size_t i = 0; i < sizeof(ka) / sizeof(ka[0]); i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return a < b ? -1 : a > b; /* archive order inside a group */
}

static int same_link_key(const struct cpio_read_entry *a, const struct cpio_read_entry *b)
{
	return a->archive == b->archive && ((a->mode ^ b->mode) & S_IFMT) == 0 &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino;
}

enum eif_status cpio_read_links(const struct cpio_read_entry *entries, size_t count,
				struct cpio_boot_view *views, struct eif_error *err)
{
	const struct cpio_read_entry **members;
	size_t linked = 0;

	for (size_t i = 0; i < count; i++) {
		views[i] = (struct cpio_boot_view){ .inode = i, .data_from = i, .attrs_from = i,
						    .names = 1 };
		linked += takes_part_in_links(&entries[i]);
	}
	if (linked && !(members = malloc(linked * sizeof(*members))))
		return eif_fail(err, EIF_E_NOMEM, "cpio: out of memory linking %zu hard-link "
				"members", linked);
	if (linked) {
		linked = 0;
		for (size_t i = 0; i < count; i++)
			if (takes_part_in_links(&entries[i]))
				members[linked++] = &entries[i];
		qsort(members, linked, sizeof(*members), compare_link_keys);
	}
	for (size_t start = 0, end; start < linked; start = end) {
		size_t first = (size_t)(members[start] - entries), data = first, attrs = first;

		for (end = start + 1; end < linked && same_link_key(members[start], members[end]);
		     end++)
			;
		if (S_ISREG(members[start]->mode)) {
			attrs = (size_t)(members[end - 1] - entries);
			for (size_t k = start; k < end; k++)
				if (members[k]->filesize > 0)
					data = (size_t)(members[k] - entries);
		}
		for (size_t k = start; k < end; k++) {
			struct cpio_boot_view *v = &views[members[k] - entries];

			v->inode = first;
			v->data_from = data;
			v->attrs_from = attrs;
			v->names = end - start;
		}
	}
	if (linked)
		free(members);
	for (size_t i = 0; i < count; i++) {
		struct cpio_boot_view *v = &views[i];
		const struct cpio_read_entry *d = &entries[v->data_from], *a = &entries[v->attrs_from];

		v->body = d->body;
		v->size = d->filesize;
		v->mode = a->mode;
		v->uid = a->uid;
		v->gid = a->gid;
		v->mtime = a->mtime;
		v->rdev_major = a->rdev_major;
		v->rdev_minor = a->rdev_minor;
	}
	return EIF_OK;
}
