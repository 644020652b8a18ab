/* diff_kernel: two kernels compared as a kernel (see diff.h): the x86 setup header or the
 * arm64 Image header, the `Linux version` banner (its parts compared in diff_banner.c), the
 * decompressed payload's first differing byte, and the kernel configs (embedded with IKCONFIG,
 * or given with --config). Kernel section: docs/eif-format.md#kernel-cmdline-and-ramdisk-sections.
 *
 * The payload is decompressed in chunks (gzip with zlib, xz with liblzma, zstd with libzstd)
 * and both payloads
 * are compared and scanned as they stream, so memory does not grow with the kernel's size. */
#include <eif/diff.h>

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "diff_kernel_internal.h"
#include "util.h"

#define CHUNK (1u << 20)
#define IN_CHUNK (64u << 10)
#define IKCONFIG_START "IKCFG_ST"
/* An uncompressed kernel config is a few hundred KiB; this bounds a hostile one. */
#define CONFIG_MAX (16u << 20)

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- headers -------------------------------------------------------------------------- */

/* What the two header layouts tell: fields to compare and where the payload is. */
struct kernel_head {
	unsigned char raw[0x280];
	size_t raw_len;
	int bzimage, arm64;
	char version[256];	/* setup header's kernel_version string */
	uint64_t payload_offset, payload_length;	/* in the section; compressed for bzImage */
};

struct header_field {
	const char *name;
	unsigned offset, size;	/* little-endian integer */
	unsigned min_version;	/* boot protocol version that introduced it */
};

/* The x86 setup header fields a build changes (boot protocol, Documentation/arch/x86/boot). */
static const struct header_field setup_fields[] = {
	{ "setup_sects", 0x1f1, 1, 0 }, { "syssize", 0x1f4, 4, 0 },
	{ "version", 0x206, 2, 0 }, { "loadflags", 0x211, 1, 0 },
	{ "code32_start", 0x214, 4, 0 }, { "kernel_alignment", 0x230, 4, 0x205 },
	{ "relocatable_kernel", 0x234, 1, 0x205 }, { "min_alignment", 0x235, 1, 0x20a },
	{ "xloadflags", 0x236, 2, 0x20c }, { "cmdline_size", 0x238, 4, 0x206 },
	{ "payload_offset", 0x248, 4, 0x208 }, { "payload_length", 0x24c, 4, 0x208 },
	{ "pref_address", 0x258, 8, 0x20a }, { "init_size", 0x260, 4, 0x20a },
	{ "handover_offset", 0x264, 4, 0x20b }, { "kernel_info_offset", 0x268, 4, 0x20f },
};

/* The arm64 Image header (Documentation/arch/arm64/booting). */
static const struct header_field image_fields[] = {
	{ "text_offset", 8, 8, 0 }, { "image_size", 16, 8, 0 }, { "flags", 24, 8, 0 },
};

static uint64_t field_value(const struct kernel_head *h, const struct header_field *f)
{
	const unsigned char *p = h->raw + f->offset;

	return f->size == 1 ? p[0] : f->size == 2 ? le16(p) : f->size == 4 ? le32(p) : le64(p);
}

static enum eif_status read_head(const struct eif_diff_side *s, struct kernel_head *h,
				 struct eif_error *err)
{
	enum eif_status rc;

	memset(h, 0, sizeof(*h));
	h->raw_len = s->size < sizeof(h->raw) ? (size_t)s->size : sizeof(h->raw);
	if ((rc = eif_diff_pread(s, s->offset, h->raw, h->raw_len, err)) != EIF_OK)
		return rc;
	h->payload_length = s->size;
	if (h->raw_len >= 0x270 && memcmp(h->raw + 0x202, "HdrS", 4) == 0) {
		uint64_t setup = ((uint64_t)(h->raw[0x1f1] ? h->raw[0x1f1] : 4) + 1) * 512;
		unsigned version = le16(h->raw + 0x206), at = le16(h->raw + 0x20e);

		h->bzimage = 1;
		if (at && (uint64_t)at + 0x200 < setup && (uint64_t)at + 0x200 < s->size) {
			size_t n = sizeof(h->version) - 1;

			if (s->size - (at + 0x200) < n)
				n = (size_t)(s->size - (at + 0x200));
			if ((rc = eif_diff_pread(s, s->offset + at + 0x200, h->version, n, err)))
				return rc;
			h->version[strnlen(h->version, n)] = '\0';
		}
		if (version >= 0x208 && setup + le32(h->raw + 0x248) <= s->size &&
		    le32(h->raw + 0x24c) <= s->size - setup - le32(h->raw + 0x248)) {
			h->payload_offset = setup + le32(h->raw + 0x248);
			h->payload_length = le32(h->raw + 0x24c);
		}
	} else if (h->raw_len >= 0x40 && memcmp(h->raw + 0x38, "ARM\x64", 4) == 0) {
		h->arm64 = 1;	/* an arm64 Image is not compressed: the section is the payload */
	}
	return EIF_OK;
}

static void diff_heads(struct eif_diff *d, unsigned pcrs, const struct kernel_head *a,
		       const struct kernel_head *b)
{
	const struct header_field *f = a->bzimage ? setup_fields : image_fields;
	size_t n = a->bzimage ? sizeof(setup_fields) / sizeof(*f) :
		   sizeof(image_fields) / sizeof(*f);
	unsigned version = a->bzimage ? le16(a->raw + 0x206) : 0;
	char name[64];

	if (a->bzimage != b->bzimage || a->arm64 != b->arm64) {
		eif_diff_add(d, pcrs, "kernel", "format", "value",
			     a->bzimage ? "bzImage" : a->arm64 ? "arm64 Image" : "unknown",
			     b->bzimage ? "bzImage" : b->arm64 ? "arm64 Image" : "unknown");
		return;
	}
	if (!a->bzimage && !a->arm64)
		return;
	for (size_t i = 0; i < n; i++) {
		uint64_t va = field_value(a, &f[i]), vb = field_value(b, &f[i]);

		if (va == vb || version < f[i].min_version)
			continue;
		snprintf(name, sizeof(name), "%s.%s", a->bzimage ? "setup" : "image", f[i].name);
		eif_diff_addf(d, pcrs, "kernel", name, "value", "0x%llx\x1f" "0x%llx",
			      (unsigned long long)va, (unsigned long long)vb);
	}
	if (strcmp(a->version, b->version) != 0)
		eif_diff_add(d, pcrs, "kernel", "setup.kernel_version", "string", a->version,
			     b->version);
}

/* ---- payload streams ------------------------------------------------------------------- */

enum codec { CODEC_NONE, CODEC_GZIP, CODEC_XZ, CODEC_ZSTD, CODEC_OTHER };

struct payload {
	const struct eif_diff_side *side;
	uint64_t in_pos, in_end;	/* file offsets of the compressed bytes left */
	enum codec codec;
	const char *codec_name;
	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	ZSTD_inBuffer zin;
	int started, ended;
	unsigned char in[IN_CHUNK];
	uint64_t total;			/* decompressed bytes produced */
};

static void detect_codec(struct payload *p, const unsigned char *m, size_t n)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t len;
		enum codec codec;
	} magics[] = {
		{ "gzip", "\x1f\x8b", 2, CODEC_GZIP }, { "xz", "\xfd" "7zXZ\0", 6, CODEC_XZ },
		{ "zstd", "\x28\xb5\x2f\xfd", 4, CODEC_ZSTD }, { "bzip2", "BZh", 3, CODEC_OTHER },
		{ "lzma", "\x5d\0\0", 3, CODEC_OTHER }, { "lzo", "\x89LZO", 4, CODEC_OTHER },
		{ "lz4", "\x02\x21\x4c\x18", 4, CODEC_OTHER },
	};

	p->codec = CODEC_OTHER;
	p->codec_name = "an unknown format";
	for (size_t i = 0; i < sizeof(magics) / sizeof(*magics); i++)
		if (n >= magics[i].len && memcmp(m, magics[i].magic, magics[i].len) == 0) {
			p->codec = magics[i].codec;
			p->codec_name = magics[i].name;
			return;
		}
}

static enum eif_status payload_open(struct payload *p, const struct eif_diff_side *s,
				    const struct kernel_head *h, struct eif_error *err)
{
	unsigned char m[8] = { 0 };
	enum eif_status rc;
	size_t n;

	memset(p, 0, sizeof(*p));
	p->side = s;
	p->in_pos = s->offset + h->payload_offset;
	p->in_end = p->in_pos + h->payload_length;
	if (!h->bzimage) {
		p->codec = CODEC_NONE;
		p->codec_name = "none";
		return EIF_OK;
	}
	n = h->payload_length < sizeof(m) ? (size_t)h->payload_length : sizeof(m);
	if ((rc = eif_diff_pread(s, p->in_pos, m, n, err)) != EIF_OK)
		return rc;
	detect_codec(p, m, n);
	if (p->codec == CODEC_GZIP && inflateInit2(&p->z, 16 + MAX_WBITS) == Z_OK)
		p->started = 1;
	else if (p->codec == CODEC_XZ) {
		lzma_stream init = LZMA_STREAM_INIT;

		p->x = init;
		if (lzma_stream_decoder(&p->x, UINT64_MAX, 0) == LZMA_OK)
			p->started = 1;
	} else if (p->codec == CODEC_ZSTD && (p->zs = ZSTD_createDStream()) &&
		   !ZSTD_isError(ZSTD_initDStream(p->zs))) {
		p->started = 1;
	}
	if (p->codec != CODEC_NONE && p->codec != CODEC_OTHER && !p->started)
		return eif_fail(err, EIF_E_NOMEM, "diff: cannot start a %s decoder (out of memory)",
				p->codec_name);
	return EIF_OK;
}

static void payload_close(struct payload *p)
{
	if (p->started && p->codec == CODEC_GZIP)
		inflateEnd(&p->z);
	if (p->started && p->codec == CODEC_XZ)
		lzma_end(&p->x);
	ZSTD_freeDStream(p->zs);
	p->zs = NULL;
	p->started = 0;
}

static enum eif_status payload_corrupt(const struct payload *p, struct eif_error *err)
{
	return eif_fail(err, EIF_E_FORMAT, "'%s': the kernel's %s payload does not decompress "
			"after %llu bytes (the kernel is damaged or its header points at the "
			"wrong bytes)", p->side->path, p->codec_name,
			(unsigned long long)p->total);
}

/* Up to cap bytes of the (decompressed) payload into out; *got < cap only at its end. */
static enum eif_status payload_read(struct payload *p, unsigned char *out, size_t cap,
				    size_t *got, struct eif_error *err)
{
	size_t have = 0;
	enum eif_status rc;

	while (have < cap && !p->ended) {
		size_t avail = p->codec == CODEC_GZIP ? p->z.avail_in :
			       p->codec == CODEC_XZ ? p->x.avail_in : p->zin.size - p->zin.pos;

		if (p->codec == CODEC_NONE || p->codec == CODEC_OTHER) {
			size_t n = cap - have;

			if (p->in_end - p->in_pos < n)
				n = (size_t)(p->in_end - p->in_pos);
			if ((rc = eif_diff_pread(p->side, p->in_pos, out + have, n, err)))
				return rc;
			p->in_pos += n;
			have += n;
			p->ended = p->in_pos == p->in_end;
			continue;
		}
		if (avail == 0 && p->in_pos < p->in_end) {
			size_t n = p->in_end - p->in_pos < IN_CHUNK ? (size_t)(p->in_end - p->in_pos) :
				   IN_CHUNK;

			if ((rc = eif_diff_pread(p->side, p->in_pos, p->in, n, err)))
				return rc;
			p->in_pos += n;
			avail = n;
			if (p->codec == CODEC_GZIP)
				p->z.next_in = p->in, p->z.avail_in = (uInt)n;
			else if (p->codec == CODEC_XZ)
				p->x.next_in = p->in, p->x.avail_in = n;
			else
				p->zin.src = p->in, p->zin.size = n, p->zin.pos = 0;
		}
		if (p->codec == CODEC_GZIP) {
			int zr;

			p->z.next_out = out + have;
			p->z.avail_out = (uInt)(cap - have);
			zr = inflate(&p->z, Z_NO_FLUSH);
			have = cap - p->z.avail_out;
			if (zr == Z_STREAM_END)
				p->ended = 1;
			else if (zr != Z_OK && !(zr == Z_BUF_ERROR && avail))
				return payload_corrupt(p, err);
			else if (!avail && p->z.avail_out)
				return payload_corrupt(p, err);	/* input ended inside the stream */
		} else if (p->codec == CODEC_ZSTD) {
			ZSTD_outBuffer zout = { out + have, cap - have, 0 };
			size_t zr = ZSTD_decompressStream(p->zs, &zout, &p->zin);

			have += zout.pos;
			if (ZSTD_isError(zr))
				return payload_corrupt(p, err);
			if (zr == 0)
				p->ended = 1;	/* the frame is complete */
			else if (!avail && zout.pos < zout.size)
				return payload_corrupt(p, err);	/* input ended inside the frame */
		} else {
			lzma_ret xr;

			p->x.next_out = out + have;
			p->x.avail_out = cap - have;
			xr = lzma_code(&p->x, avail ? LZMA_RUN : LZMA_FINISH);
			have = cap - p->x.avail_out;
			if (xr == LZMA_STREAM_END)
				p->ended = 1;
			else if (xr != LZMA_OK)
				return payload_corrupt(p, err);
		}
	}
	p->total += have;
	*got = have;
	return EIF_OK;
}

/* ---- scanning the payload: banner and embedded config -------------------------------- */

struct scan {
	unsigned char *win;	/* TAIL carried bytes + one chunk */
	size_t win_len;
	uint64_t win_start;	/* payload offset of win[0] */
	char banner[TAIL];
	int in_config, config_done, config_failed;
	z_stream cz;
	char *config;
	size_t config_len, config_cap;
};

static void config_feed(struct scan *s, const unsigned char *in, size_t n)
{
	unsigned char out[16384];

	if (!s->in_config || s->config_done || s->config_failed)
		return;
	s->cz.next_in = (unsigned char *)in;
	s->cz.avail_in = (uInt)n;
	while (!s->config_done && !s->config_failed && (s->cz.avail_in || !s->cz.avail_out)) {
		int zr;
		size_t got;

		s->cz.next_out = out;
		s->cz.avail_out = sizeof(out);
		zr = inflate(&s->cz, Z_NO_FLUSH);
		got = sizeof(out) - s->cz.avail_out;
		char *c = s->config_len + got < CONFIG_MAX ?
			eif_array_grow(s->config, &s->config_cap, s->config_len + got + 1, 1) : NULL;

		if (!c) {
			s->config_failed = 1;
			break;
		}
		s->config = c;
		memcpy(s->config + s->config_len, out, got);
		s->config_len += got;
		s->config[s->config_len] = '\0';
		if (zr == Z_STREAM_END)
			s->config_done = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			s->config_failed = 1;
		else if (got == 0 && zr == Z_BUF_ERROR)
			break;	/* no progress: the input is used up */
	}
}

/* Look at a new chunk: search the window (carry + chunk) for matches that start before its
 * last TAIL bytes (or anywhere, at the end), so every match is seen once and whole. */
static void scan_chunk(struct scan *s, const unsigned char *chunk, size_t n, int final)
{
	size_t carry, limit;
	const unsigned char *hit;

	carry = s->win_len > TAIL ? TAIL : s->win_len;
	memmove(s->win, s->win + s->win_len - carry, carry);
	s->win_start += s->win_len - carry;
	memcpy(s->win + carry, chunk, n);
	s->win_len = carry + n;
	limit = final || s->win_len < TAIL ? s->win_len : s->win_len - TAIL;
	if (!s->banner[0] && (hit = memmem(s->win, s->win_len, BANNER, strlen(BANNER))) &&
	    (size_t)(hit - s->win) < limit) {
		size_t len = strnlen((const char *)hit, s->win_len - (size_t)(hit - s->win));
		const unsigned char *nl = memchr(hit, '\n', len);

		if (nl)
			len = (size_t)(nl - hit);
		if (len >= sizeof(s->banner))
			len = sizeof(s->banner) - 1;
		memcpy(s->banner, hit, len);
		s->banner[len] = '\0';
	}
	if (s->in_config) {
		config_feed(s, chunk, n);
		return;
	}
	for (const unsigned char *p = s->win;
	     (hit = memmem(p, s->win_len - (size_t)(p - s->win), IKCONFIG_START, 8)); p = hit + 1) {
		size_t at = (size_t)(hit - s->win) + 8;

		if ((size_t)(hit - s->win) >= limit)
			break;
		if (at + 2 > s->win_len || hit[8] != 0x1f || hit[9] != 0x8b)
			continue;
		if (inflateInit2(&s->cz, 16 + MAX_WBITS) != Z_OK) {
			s->config_failed = 1;
			return;
		}
		s->in_config = 1;
		config_feed(s, s->win + at, s->win_len - at);
		return;
	}
}

static void scan_free(struct scan *s)
{
	if (s->in_config)
		inflateEnd(&s->cz);
	free(s->win);
	free(s->config);
}

/* ---- the two payloads in lockstep ---------------------------------------------------------- */

static enum eif_status compare_payloads(struct eif_diff *d, unsigned pcrs, struct payload *pa,
					struct payload *pb, struct scan *sa, struct scan *sb,
					unsigned char *ba, unsigned char *bb, struct eif_error *err)
{
	uint64_t first = UINT64_MAX;
	enum eif_status rc = EIF_OK;
	const char *what = pa->codec == CODEC_OTHER || pb->codec == CODEC_OTHER ?
			   "compressed payload" : "payload";

	for (;;) {
		size_t na = 0, nb = 0;

		if (!pa->ended && (rc = payload_read(pa, ba, CHUNK, &na, err)) != EIF_OK)
			break;
		if (!pb->ended && (rc = payload_read(pb, bb, CHUNK, &nb, err)) != EIF_OK)
			break;
		if (first == UINT64_MAX && (na != nb || memcmp(ba, bb, na) != 0)) {
			size_t i = 0;

			while (i < na && i < nb && ba[i] == bb[i])
				i++;
			first = pa->total - na + i;
		}
		if (pa->codec != CODEC_OTHER && pb->codec != CODEC_OTHER) {
			/* Compressed bytes can hold text that looks like a banner: not scanned. */
			scan_chunk(sa, ba, na, pa->ended);
			scan_chunk(sb, bb, nb, pb->ended);
		}
		if (pa->ended && pb->ended)
			break;
	}
	if (rc != EIF_OK)
		return rc;
	if (pa->total != pb->total)
		eif_diff_addf(d, pcrs, "kernel", what, "size", "%llu\x1f%llu",
			      (unsigned long long)pa->total, (unsigned long long)pb->total);
	if (first != UINT64_MAX) {
		struct eif_diff_change *c = eif_diff_add(d, pcrs, "kernel", what, "bytes",
							 NULL, NULL);

		if (c) {
			c->has_offset = 1;
			c->offset = first;
		}
	}
	return EIF_OK;
}

static enum eif_status diff_given_configs(struct eif_diff *d, unsigned pcrs,
					  const struct eif_diff_options *o,
					  struct eif_error *err)
{
	unsigned char *ta = NULL, *tb = NULL;
	size_t la, lb;
	enum eif_status rc;

	if ((rc = eif_read_small_file(o->config_a, "kernel config", CONFIG_MAX, &ta, &la,
				      err)) != EIF_OK ||
	    (rc = eif_read_small_file(o->config_b, "kernel config", CONFIG_MAX, &tb, &lb,
				      err)) != EIF_OK) {
		free(ta);
		return rc;
	}
	rc = eif_diff_configs(d, pcrs, (const char *)ta, la, (const char *)tb, lb, err);
	free(ta), free(tb);
	return rc;
}

enum eif_status eif_diff_kernels(struct eif_diff *d, unsigned pcrs,
				 const struct eif_diff_side *a, const struct eif_diff_side *b,
				 const struct eif_diff_options *o, struct eif_error *err)
{
	struct kernel_head ha, hb;
	struct payload pa, pb;
	struct scan sa, sb;
	unsigned char *ba = NULL, *bb = NULL;
	enum eif_status rc;

	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	if ((rc = read_head(a, &ha, err)) != EIF_OK || (rc = read_head(b, &hb, err)) != EIF_OK)
		return rc;
	diff_heads(d, pcrs, &ha, &hb);
	if ((rc = payload_open(&pa, a, &ha, err)) != EIF_OK ||
	    (rc = payload_open(&pb, b, &hb, err)) != EIF_OK)
		goto out;
	if (pa.codec == CODEC_OTHER || pb.codec == CODEC_OTHER)
		eif_diff_add(d, pcrs, "kernel", "payload", "compression (not decompressed here)",
			     pa.codec_name, pb.codec_name);
	ba = malloc(CHUNK);
	bb = malloc(CHUNK);
	sa.win = malloc(CHUNK + TAIL);
	sb.win = malloc(CHUNK + TAIL);
	if (!ba || !bb || !sa.win || !sb.win) {
		rc = eif_fail(err, EIF_E_NOMEM, "diff: out of memory");
		goto out;
	}
	if ((rc = compare_payloads(d, pcrs, &pa, &pb, &sa, &sb, ba, bb, err)) != EIF_OK)
		goto out;
	eif_diff_banners(d, pcrs, sa.banner, sb.banner);
	if (o && o->config_a && o->config_b)
		rc = diff_given_configs(d, pcrs, o, err);
	else if (sa.config_done && sb.config_done)
		rc = eif_diff_configs(d, pcrs, sa.config, sa.config_len, sb.config, sb.config_len,
				      err);
	else if (sa.in_config != sb.in_config || sa.config_failed || sb.config_failed)
		eif_diff_add(d, pcrs, "config", "IKCONFIG", "embedded config",
			     sa.config_done ? "present" : sa.in_config ? "unreadable" : "none",
			     sb.config_done ? "present" : sb.in_config ? "unreadable" : "none");
out:
	payload_close(&pa);
	payload_close(&pb);
	scan_free(&sa);
	scan_free(&sb);
	free(ba), free(bb);
	return rc;
}

/* ---- configs ------------------------------------------------------------------------------ */

struct option {
	const char *name;
	size_t name_len;
	const char *value;	/* "n" for "# CONFIG_X is not set" */
	size_t value_len;
	size_t line;
};

static int by_option(const void *pa, const void *pb)
{
	const struct option *a = pa, *b = pb;
	size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);

	return c ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

/* The options of a config text, sorted; a repeated option keeps its last value (Kconfig). */
static struct option *parse_config(const char *t, size_t len, size_t *count)
{
	struct option *v = NULL, *w;
	size_t n = 0, cap = 0, kept = 0;

	for (const char *p = t, *end = t + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *eq;
		struct option o = { 0 };

		if (e - p > 9 && strncmp(p, "# CONFIG_", 9) == 0 && e - p > 20 &&
		    strncmp(e - 11, " is not set", 11) == 0) {
			o.name = p + 2, o.name_len = (size_t)(e - 11 - p - 2);
			o.value = "n", o.value_len = 1;
		} else if (e - p > 7 && strncmp(p, "CONFIG_", 7) == 0 &&
			   (eq = memchr(p, '=', (size_t)(e - p)))) {
			o.name = p, o.name_len = (size_t)(eq - p);
			o.value = eq + 1, o.value_len = (size_t)(e - eq - 1);
		}
		p = e + 1;
		if (!o.name)
			continue;
		if (!(w = eif_array_grow(v, &cap, n + 1, sizeof(*w)))) {
			free(v);
			return NULL;
		}
		v = w;
		o.line = n;
		v[n++] = o;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_option);
	for (size_t i = 0; i < n; i++)	/* the last line of a name wins, as in Kconfig */
		if (kept && by_option(&v[kept - 1], &v[i]) == 0 && v[kept - 1].line < v[i].line)
			v[kept - 1] = v[i];
		else if (!kept || by_option(&v[kept - 1], &v[i]) != 0)
			v[kept++] = v[i];
	*count = kept;
	return v ? v : calloc(1, sizeof(*v));
}

static char *option_value(const struct option *o)
{
	return strndup(o->value, o->value_len);
}

enum eif_status eif_diff_configs(struct eif_diff *d, unsigned pcrs, const char *text_a,
				 size_t len_a, const char *text_b, size_t len_b,
				 struct eif_error *err)
{
	size_t na = 0, nb = 0, i = 0, j = 0;
	struct option *a = parse_config(text_a, len_a, &na);
	struct option *b = parse_config(text_b, len_b, &nb);

	if (!a || !b) {
		free(a), free(b);
		return eif_fail(err, EIF_E_NOMEM, "diff: out of memory reading kernel configs");
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : by_option(&a[i], &b[j]);
		const struct option *x = c <= 0 ? &a[i] : &b[j];
		char *name = strndup(x->name, x->name_len);
		char *va = c <= 0 ? option_value(&a[i]) : NULL;
		char *vb = c >= 0 ? option_value(&b[j]) : NULL;

		if (!name || (c <= 0 && !va) || (c >= 0 && !vb))
			d->nomem = 1;
		else if (c != 0 || strcmp(va, vb) != 0)
			eif_diff_add(d, pcrs, "config", name, c < 0 ? "removed" : c > 0 ? "added" :
				     "value", va, vb);
		free(name), free(va), free(vb);
		i += c <= 0;
		j += c >= 0;
	}
	free(a), free(b);
	return EIF_OK;
}
