/* Streaming tar reader (see tar.h). */
#include "tar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct tar_reader {
	tar_read_fn read;
	void *ctx;
	char where[256];
	uint64_t offset;       /* stream bytes consumed */
	uint64_t data_left;    /* data of the current member not yet read */
	uint32_t pad_left;     /* padding after it */
	unsigned char block[TAR_BLOCK];
	char name[TAR_BLOCK];  /* ustar prefix/name, NUL-terminated */
	char link[TAR_BLOCK];
	char *long_name, *long_link; /* from pax or GNU records, for the next member */
	bool has_size, has_uid, has_gid;
	uint64_t pax_size, pax_uid, pax_gid;
	struct tar_member member;
	bool done;
};

struct tar_reader *tar_reader_new(tar_read_fn read, void *ctx, const char *where,
				  struct eif_error *err)
{
	struct tar_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		eif_fail(err, EIF_E_NOMEM, "tar: out of memory; free memory and retry");
		return NULL;
	}
	r->read = read;
	r->ctx = ctx;
	snprintf(r->where, sizeof(r->where), "%s", where);
	return r;
}

static void clear_extended(struct tar_reader *r)
{
	free(r->long_name);
	free(r->long_link);
	r->long_name = r->long_link = NULL;
	r->has_size = r->has_uid = r->has_gid = false;
}

void tar_reader_free(struct tar_reader *r)
{
	if (!r)
		return;
	clear_extended(r);
	free(r);
}

static enum eif_status truncated(struct tar_reader *r, struct eif_error *err)
{
	return eif_fail(err, EIF_E_FORMAT, "%s: the tar stream ends inside a member at byte %llu; "
			"the layer is truncated: fetch the image again", r->where,
			(unsigned long long)r->offset);
}

/* Exactly len bytes, else an error; a header (eof not NULL) may instead meet the stream's end
 * before its first byte (*eof set). */
static enum eif_status read_exact(struct tar_reader *r, void *buf, size_t len, bool *eof,
				  struct eif_error *err)
{
	uint64_t start = r->offset;

	unsigned char *p = buf;
	size_t got = 0;

	if (eof)
		*eof = false;
	while (got < len) {
		long long n = r->read(r->ctx, p + got, len - got, err);

		if (n < 0)
			return err ? err->code : EIF_E_IO;
		if (n == 0) {
			if (got == 0 && eof) {
				*eof = true;
				return EIF_OK;
			}
			if (eof)
				return eif_fail(err, EIF_E_FORMAT, "%s: the stream ends %zu bytes into the "
						"block at byte %llu, which is therefore not a tar header; "
						"the layer is not a tar archive or is truncated", r->where,
						got, (unsigned long long)start);
			return truncated(r, err);
		}
		got += (size_t)n;
		r->offset += (uint64_t)n;
	}
	return EIF_OK;
}

static enum eif_status skip(struct tar_reader *r, uint64_t len, struct eif_error *err)
{
	unsigned char scratch[16384];
	enum eif_status rc;

	while (len) {
		size_t step = len < sizeof(scratch) ? (size_t)len : sizeof(scratch);

		if ((rc = read_exact(r, scratch, step, NULL, err)) != EIF_OK)
			return rc;
		len -= step;
	}
	return EIF_OK;
}

/* A numeric field: octal digits (leading spaces, ending at a space or NUL) or GNU base-256. */
static bool parse_number(const unsigned char *f, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)
			return false; /* negative or too large */
		for (i = 1; i < n; i++) {
			if (v >> 56)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < n && f[i] == ' ')
		i++;
	for (; i < n && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i < n && f[i] != ' ' && f[i] != '\0')
		return false;
	*out = v;
	return true;
}

static bool is_zero_block(const unsigned char *b)
{
	for (unsigned i = 0; i < TAR_BLOCK; i++)
		if (b[i])
			return false;
	return true;
}

static bool checksum_ok(const unsigned char *b)
{
	uint64_t stored;
	unsigned long sum = 0;
	long ssum = 0;

	if (!parse_number(b + 148, 8, &stored))
		return false;
	for (unsigned i = 0; i < TAR_BLOCK; i++) {
		unsigned c = i >= 148 && i < 156 ? ' ' : b[i];
		sum += c;
		ssum += (signed char)c;
	}
	return stored == sum || (long long)stored == ssum; /* some old tars summed signed bytes */
}

/* Copy a fixed-size field up to its first NUL. */
static void copy_field(char *dst, const unsigned char *src, size_t n)
{
	size_t len = strnlen((const char *)src, n);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The data of an extended record ('x' or 'L'/'K') into a NUL-terminated buffer. */
static enum eif_status read_extended(struct tar_reader *r, uint64_t size, char **out,
				     struct eif_error *err)
{
	enum eif_status rc;
	char *buf;

	if (size > TAR_EXTENDED_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: extended header at byte %llu holds %llu bytes, "
				"more than the %u accepted; the layer is malformed or hostile",
				r->where, (unsigned long long)(r->offset - TAR_BLOCK),
				(unsigned long long)size, TAR_EXTENDED_MAX);
	if (!(buf = malloc((size_t)size + 1)))
		return eif_fail(err, EIF_E_NOMEM, "tar: out of memory; free memory and retry");
	if ((rc = read_exact(r, buf, (size_t)size, NULL, err)) != EIF_OK ||
	    (rc = skip(r, (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK, err)) != EIF_OK) {
		free(buf);
		return rc;
	}
	buf[size] = '\0';
	*out = buf;
	return EIF_OK;
}

static enum eif_status set_string(struct tar_reader *r, char **slot, const char *v, size_t n,
				  const char *key, struct eif_error *err)
{
	char *copy;

	if (memchr(v, '\0', n))
		return eif_fail(err, EIF_E_FORMAT, "%s: pax %s holds a NUL byte; the layer is "
				"malformed", r->where, key);
	if (!(copy = malloc(n + 1)))
		return eif_fail(err, EIF_E_NOMEM, "tar: out of memory; free memory and retry");
	memcpy(copy, v, n);
	copy[n] = '\0';
	free(*slot);
	*slot = copy;
	return EIF_OK;
}

/* pax numbers: decimal digits only. */
#define DECIMAL(s, n, out) eif_parse_digits((s), (n), 10, UINT64_MAX, (out))

/* "LEN key=value\n" records of a pax header. */
static enum eif_status parse_pax(struct tar_reader *r, const char *data, size_t size,
				 struct eif_error *err)
{
	size_t pos = 0;
	enum eif_status rc;

	while (pos < size) {
		const char *rec = data + pos, *space, *eq;
		uint64_t len;
		size_t keylen, vlen;

		space = memchr(rec, ' ', size - pos);
		if (!space || !DECIMAL(rec, (size_t)(space - rec), &len) || len > size - pos ||
		    len < (uint64_t)(space - rec) + 3 ||
		    rec[len - 1] != '\n' || !(eq = memchr(space + 1, '=', (size_t)(rec + len - space - 1))))
			return eif_fail(err, EIF_E_FORMAT, "%s: malformed pax record at byte %zu of "
					"an extended header; the layer is malformed", r->where, pos);
		keylen = (size_t)(eq - space - 1);
		vlen = (size_t)(rec + len - 1 - eq - 1);
#define KEY_IS(k) (keylen == sizeof(k) - 1 && memcmp(space + 1, k, keylen) == 0)
		if (KEY_IS("path"))
			rc = set_string(r, &r->long_name, eq + 1, vlen, "path", err);
		else if (KEY_IS("linkpath"))
			rc = set_string(r, &r->long_link, eq + 1, vlen, "linkpath", err);
		else if (KEY_IS("size"))
			rc = (r->has_size = DECIMAL(eq + 1, vlen, &r->pax_size)) ? EIF_OK : EIF_E_FORMAT;
		else if (KEY_IS("uid"))
			rc = (r->has_uid = DECIMAL(eq + 1, vlen, &r->pax_uid)) ? EIF_OK : EIF_E_FORMAT;
		else if (KEY_IS("gid"))
			rc = (r->has_gid = DECIMAL(eq + 1, vlen, &r->pax_gid)) ? EIF_OK : EIF_E_FORMAT;
		else if (keylen > 11 && memcmp(space + 1, "GNU.sparse.", 11) == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: sparse member (pax GNU.sparse) is not "
					"supported; rebuild the layer without --sparse", r->where);
		else
			rc = EIF_OK; /* times, xattrs, names of owners: not part of a newc entry */
#undef KEY_IS
#undef DECIMAL
		if (rc == EIF_E_FORMAT)
			return eif_fail(err, EIF_E_FORMAT, "%s: pax record %.*s has a malformed "
					"number; the layer is malformed", r->where, (int)keylen, space + 1);
		if (rc != EIF_OK)
			return rc;
		pos += (size_t)len;
	}
	return EIF_OK;
}

enum eif_status tar_next(struct tar_reader *r, const struct tar_member **out,
			 struct eif_error *err)
{
	struct tar_member *m = &r->member;
	uint64_t member_at;
	enum eif_status rc;

	*out = NULL;
	if (r->done)
		return EIF_OK;
	if ((rc = skip(r, r->data_left + r->pad_left, err)) != EIF_OK)
		return rc;
	r->data_left = r->pad_left = 0;
	clear_extended(r);
	member_at = r->offset; /* where the member starts: its first extended header, if any */
	for (;;) {
		uint64_t size, mode, uid, gid, major = 0, minor = 0, header_at = r->offset;
		unsigned char *b = r->block;
		bool eof, ustar;
		char type;
		char *data = NULL;

		if ((rc = read_exact(r, b, TAR_BLOCK, &eof, err)) != EIF_OK)
			return rc;
		if (eof)
			return eif_fail(err, EIF_E_FORMAT, "%s: the tar stream ends at byte %llu without "
					"its end-of-archive blocks; the layer is truncated: fetch the "
					"image again", r->where, (unsigned long long)r->offset);
		if (is_zero_block(b)) {
			r->done = true;
			return EIF_OK; /* what follows the first zero block is not read */
		}
		if (!checksum_ok(b))
			return eif_fail(err, EIF_E_FORMAT, "%s: the block at byte %llu is not a tar "
					"header (bad checksum); the layer is not a tar archive or is "
					"corrupt", r->where, (unsigned long long)header_at);
		if (!parse_number(b + 124, 12, &size) || !parse_number(b + 100, 8, &mode) ||
		    !parse_number(b + 108, 8, &uid) || !parse_number(b + 116, 8, &gid))
			return eif_fail(err, EIF_E_FORMAT, "%s: tar header at byte %llu has a malformed "
					"number field; the layer is corrupt", r->where,
					(unsigned long long)header_at);
		type = (char)b[156];
		ustar = memcmp(b + 257, "ustar", 5) == 0;
		if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
			if ((rc = read_extended(r, size, &data, err)) != EIF_OK)
				return rc;
			if (type == 'x')
				rc = parse_pax(r, data, (size_t)size, err);
			else if (type == 'L')
				rc = set_string(r, &r->long_name, data, strlen(data), "long name", err);
			else if (type == 'K')
				rc = set_string(r, &r->long_link, data, strlen(data), "long link", err);
			free(data);
			if (rc != EIF_OK)
				return rc;
			continue;
		}
		if (r->has_size)
			size = r->pax_size;
		memset(m, 0, sizeof(*m));
		switch (type) {
		case '0': case '\0': case '7': m->type = TAR_REGULAR; break;
		case '1': m->type = TAR_HARDLINK; break;
		case '2': m->type = TAR_SYMLINK; break;
		case '3': m->type = TAR_CHAR; break;
		case '4': m->type = TAR_BLOCK_DEV; break;
		case '5': m->type = TAR_DIRECTORY; break;
		case '6': m->type = TAR_FIFO; break;
		default:
			return eif_fail(err, EIF_E_FORMAT, "%s: tar member at byte %llu has type '%c' "
					"(0x%02x), which a container layer does not use; rebuild the layer "
					"with a standard tar", r->where, (unsigned long long)header_at,
					type >= 0x20 && type < 0x7f ? type : '?', (unsigned char)type);
		}
		if (m->type == TAR_CHAR || m->type == TAR_BLOCK_DEV) {
			if (!parse_number(b + 329, 8, &major) || !parse_number(b + 337, 8, &minor) ||
			    major > UINT32_MAX || minor > UINT32_MAX)
				return eif_fail(err, EIF_E_FORMAT, "%s: device member at byte %llu has a "
						"malformed device number; the layer is corrupt", r->where,
						(unsigned long long)header_at);
		}
		if (r->has_uid)
			uid = r->pax_uid;
		if (r->has_gid)
			gid = r->pax_gid;
		if (uid > UINT32_MAX || gid > UINT32_MAX)
			return eif_fail(err, EIF_E_FORMAT, "%s: tar member at byte %llu has an owner "
					"beyond 32 bits; the layer is malformed", r->where,
					(unsigned long long)header_at);
		if (ustar && b[345] && memcmp(b + 257, "ustar\0", 6) == 0) {
			size_t plen = strnlen((const char *)b + 345, 155);
			memcpy(r->name, b + 345, plen);
			r->name[plen] = '/';
			copy_field(r->name + plen + 1, b, 100);
		} else {
			copy_field(r->name, b, 100);
		}
		copy_field(r->link, b + 157, 100);
		m->name = r->long_name ? r->long_name : r->name;
		m->linkname = r->long_link ? r->long_link : r->link;
		m->mode = (uint32_t)(mode & 07777);
		m->uid = (uint32_t)uid;
		m->gid = (uint32_t)gid;
		m->dev_major = (uint32_t)major;
		m->dev_minor = (uint32_t)minor;
		m->offset = member_at;
		/* Only regular files carry data; whatever another type declares is skipped. */
		m->size = m->type == TAR_REGULAR ? size : 0;
		r->data_left = size;
		r->pad_left = (uint32_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
		*out = m;
		return EIF_OK;
	}
}

uint64_t tar_data_offset(const struct tar_reader *r)
{
	return r->offset - (r->member.size - r->data_left);
}

enum eif_status tar_read_data(struct tar_reader *r, void *buf, size_t len, size_t *got,
			      struct eif_error *err)
{
	size_t step = r->member.type == TAR_REGULAR && r->data_left < len ? (size_t)r->data_left : len;
	enum eif_status rc;

	*got = 0;
	if (r->member.type != TAR_REGULAR || r->data_left == 0)
		return EIF_OK;
	if ((rc = read_exact(r, buf, step, NULL, err)) != EIF_OK)
		return rc;
	r->data_left -= step;
	*got = step;
	return EIF_OK;
}
