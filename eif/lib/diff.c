/* diff: compare two EIFs section by section (see diff.h). This file pairs the sections,
 * compares the header, the command line, the metadata and the signature; ramdisks, kernels
 * and the reports have their own files (diff_cpio.c, diff_kernel.c, diff_report.c). What
 * moves which PCR is docs/eif-format.md#pcr-formulas, the header docs/eif-format.md#the-header. */
#include <eif/diff.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "json.h"
#include "measure.h"
#include "util.h"

#define CHUNK (1u << 20)
/* Word diffs are quadratic: past this many words a command line is compared as a whole. */
#define WORDS_MAX 4096

/* ---- recording changes --------------------------------------------------------------- */

static char *copy(struct eif_diff *d, const char *s)
{
	char *c;

	if (!s)
		return NULL;
	if (!(c = strdup(s)))
		d->nomem = 1;
	return c;
}

struct eif_diff_change *eif_diff_add(struct eif_diff *d, unsigned pcrs, const char *area,
				     const char *subject, const char *what, const char *a,
				     const char *b)
{
	struct eif_diff_change *c;

	if (!(c = eif_array_grow(d->changes, &d->change_cap, d->change_count + 1, sizeof(*c)))) {
		d->nomem = 1;
		return NULL;
	}
	d->changes = c;
	c = &d->changes[d->change_count];
	memset(c, 0, sizeof(*c));
	c->pcrs = pcrs;
	c->area = copy(d, area);
	c->subject = copy(d, subject ? subject : "");
	c->what = copy(d, what);
	c->a = copy(d, a);
	c->b = copy(d, b);
	if (d->nomem) {
		free(c->area), free(c->subject), free(c->what), free(c->a), free(c->b);
		return NULL;
	}
	d->change_count++;
	return c;
}

struct eif_diff_change *eif_diff_addf(struct eif_diff *d, unsigned pcrs, const char *area,
				      const char *subject, const char *what, const char *fmt, ...)
{
	char text[2 * 4096 + 256];
	char *sep;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sep = strchr(text, '\x1f');
	if (sep)
		*sep++ = '\0';
	return eif_diff_add(d, pcrs, area, subject, what, text[0] || !sep ? text : NULL,
			    sep && *sep ? sep : NULL);
}

int eif_diff_identical(const struct eif_diff *d)
{
	for (unsigned i = 0; i < d->section_count; i++)
		if (!d->sections[i].same)
			return 0;
	return d->change_count == 0;
}

void eif_diff_free(struct eif_diff *d)
{
	for (size_t i = 0; i < d->change_count; i++) {
		struct eif_diff_change *c = &d->changes[i];

		free(c->area), free(c->subject), free(c->what), free(c->a), free(c->b);
	}
	free(d->changes);
	d->changes = NULL;
	d->change_count = d->change_cap = 0;
}

/* ---- reading sections in chunks ------------------------------------------------------- */

enum eif_status eif_diff_pread(const struct eif_diff_side *s, uint64_t offset, void *buf,
			       size_t len, struct eif_error *err)
{
	return eif_pread_full(s->fd, s->path, offset, buf, len, err);
}

static enum eif_status section_sha256(const struct eif_diff_side *s, unsigned char *buf,
				      char hex[65], struct eif_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char digest[32];
	unsigned len = 0;
	enum eif_status rc = EIF_OK;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (uint64_t pos = 0; ok && rc == EIF_OK && pos < s->size;) {
		size_t n = s->size - pos < CHUNK ? (size_t)(s->size - pos) : CHUNK;

		rc = eif_diff_pread(s, s->offset + pos, buf, n, err);
		ok = rc != EIF_OK || EVP_DigestUpdate(ctx, buf, n);
		pos += n;
	}
	ok = ok && rc == EIF_OK && EVP_DigestFinal_ex(ctx, digest, &len);
	EVP_MD_CTX_free(ctx);
	if (rc != EIF_OK)
		return rc;
	if (!ok)
		return eif_fail(err, EIF_E_CRYPTO, "diff: SHA-256 failed in OpenSSL");
	eif_hex(digest, sizeof(digest), hex);
	return EIF_OK;
}

enum eif_status eif_diff_first_difference(const struct eif_diff_side *a,
					  const struct eif_diff_side *b, uint64_t *offset,
					  struct eif_error *err)
{
	uint64_t common = a->size < b->size ? a->size : b->size;
	unsigned char *ba = malloc(CHUNK), *bb = malloc(CHUNK);
	enum eif_status rc = EIF_OK;

	*offset = a->size == b->size ? UINT64_MAX : common;
	if (!ba || !bb) {
		free(ba), free(bb);
		return eif_fail(err, EIF_E_NOMEM, "diff: out of memory");
	}
	for (uint64_t pos = 0; pos < common;) {
		size_t n = common - pos < CHUNK ? (size_t)(common - pos) : CHUNK;

		if ((rc = eif_diff_pread(a, a->offset + pos, ba, n, err)) != EIF_OK ||
		    (rc = eif_diff_pread(b, b->offset + pos, bb, n, err)) != EIF_OK)
			break;
		if (memcmp(ba, bb, n) != 0) {
			size_t i = 0;

			while (ba[i] == bb[i])
				i++;
			*offset = pos + i;
			break;
		}
		pos += n;
	}
	free(ba), free(bb);
	return rc;
}

/* ---- header --------------------------------------------------------------------------- */

static void diff_u64(struct eif_diff *d, const char *field, uint64_t a, uint64_t b, int hex)
{
	if (a != b)
		eif_diff_addf(d, 0, "header", field, "value", hex ? "0x%llx\x1f" "0x%llx" :
			      "%llu\x1f%llu", (unsigned long long)a, (unsigned long long)b);
}

static void diff_header(struct eif_diff *d, const struct eif_header *a, const struct eif_header *b)
{
	char field[40];

	diff_u64(d, "version", a->version, b->version, 0);
	diff_u64(d, "flags", a->flags, b->flags, 1);
	diff_u64(d, "default_mem", a->default_mem, b->default_mem, 0);
	diff_u64(d, "default_cpus", a->default_cpus, b->default_cpus, 0);
	diff_u64(d, "reserved", a->reserved, b->reserved, 1);
	diff_u64(d, "num_sections", a->num_sections, b->num_sections, 0);
	for (int i = 0; i < EIF_MAX_SECTIONS; i++) {
		snprintf(field, sizeof(field), "section_offsets[%d]", i);
		diff_u64(d, field, a->section_offsets[i], b->section_offsets[i], 0);
		snprintf(field, sizeof(field), "section_sizes[%d]", i);
		diff_u64(d, field, a->section_sizes[i], b->section_sizes[i], 0);
	}
	diff_u64(d, "unused", a->unused, b->unused, 1);
	diff_u64(d, "crc32", a->crc32, b->crc32, 1);
}

/* ---- command line: words ------------------------------------------------------------- */

struct words {
	const char **start;
	size_t *len;
	size_t count;
};

static int split_words(const char *s, struct words *w)
{
	size_t n = 0;

	memset(w, 0, sizeof(*w));
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		n++;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
	if (n > WORDS_MAX)
		return 1;
	w->start = malloc((n ? n : 1) * sizeof(*w->start));
	w->len = malloc((n ? n : 1) * sizeof(*w->len));
	if (!w->start || !w->len)
		return -1;
	for (const char *p = s; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		w->start[w->count] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		w->len[w->count] = (size_t)(p - w->start[w->count]);
		w->count++;
	}
	return 0;
}

static int word_eq(const struct words *a, size_t i, const struct words *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

static char *word_text(struct eif_diff *d, const struct words *w, size_t i)
{
	char *s = strndup(w->start[i], w->len[i]);

	if (!s)
		d->nomem = 1;
	return s;
}

/* Removed words and added words at one place: pairs become "changed", the rest stand alone. */
static void word_run(struct eif_diff *d, unsigned pcrs, const struct words *a, size_t ai,
		     size_t an, const struct words *b, size_t bi, size_t bn)
{
	for (size_t k = 0; k < an || k < bn; k++) {
		char subject[48];
		char *ta = k < an ? word_text(d, a, ai + k) : NULL;
		char *tb = k < bn ? word_text(d, b, bi + k) : NULL;

		snprintf(subject, sizeof(subject), "word %zu", (k < an ? ai : bi) + k + 1);
		eif_diff_add(d, pcrs, "cmdline", subject,
			     k < an && k < bn ? "changed" : k < an ? "removed" : "added", ta, tb);
		free(ta), free(tb);
	}
}

/* Longest common subsequence of the two word lists, then the runs between matches. */
static void diff_words(struct eif_diff *d, unsigned pcrs, const struct words *a,
		       const struct words *b)
{
	size_t n = a->count, m = b->count, i = 0, j = 0;
	unsigned *lcs = calloc((n + 1) * (m + 1), sizeof(*lcs));

	if (!lcs) {
		d->nomem = 1;
		return;
	}
#define L(x, y) lcs[(x) * (m + 1) + (y)]
	for (size_t x = n; x-- > 0;)
		for (size_t y = m; y-- > 0;)
			L(x, y) = word_eq(a, x, b, y) ? L(x + 1, y + 1) + 1 :
				  L(x + 1, y) > L(x, y + 1) ? L(x + 1, y) : L(x, y + 1);
	while (i < n || j < m) {
		size_t i0 = i, j0 = j;

		while (i < n && j < m && word_eq(a, i, b, j))
			i++, j++;
		i0 = i, j0 = j;
		while ((i < n || j < m) && !(i < n && j < m && word_eq(a, i, b, j))) {
			if (j == m || (i < n && L(i + 1, j) >= L(i, j + 1)))
				i++;
			else
				j++;
		}
		if (i > i0 || j > j0)
			word_run(d, pcrs, a, i0, i - i0, b, j0, j - j0);
	}
#undef L
	free(lcs);
}

/* Command lines the reader loaded (up to EIF_CMDLINE_SECTION_MAX), word by word. */
static void diff_cmdline(struct eif_diff *d, unsigned pcrs, const struct eif_info *ia,
			 const struct eif_info *ib)
{
	const char *ta = (const char *)ia->cmdline, *tb = (const char *)ib->cmdline;
	struct words wa, wb;
	int sa = 1, sb = 1;

	/* A NUL ends the command line for the kernel; compare what it sees, split into words. */
	if (ta && tb && strlen(ta) == ia->cmdline_len && strlen(tb) == ib->cmdline_len) {
		sa = split_words(ta, &wa);
		sb = split_words(tb, &wb);
		if (sa == 0 && sb == 0)
			diff_words(d, pcrs, &wa, &wb);
		if (sa <= 0)
			free(wa.start), free(wa.len);
		if (sb <= 0)
			free(wb.start), free(wb.len);
		if (sa < 0 || sb < 0)
			d->nomem = 1;
	}
	if (sa != 0 || sb != 0)
		eif_diff_add(d, pcrs, "cmdline", "", "bytes", "too long or holding a NUL: "
			     "compared as bytes", NULL);
}

/* ---- metadata: keys ------------------------------------------------------------------- */

static char *json_compact(struct eif_diff *d, const struct json_value *v)
{
	struct json_buf b = { 0 };

	json_write(&b, v, -1);
	json_buf_append(&b, "", 1);
	if (b.failed) {
		free(b.data);
		d->nomem = 1;
		return NULL;
	}
	return b.data;
}

static void diff_json_value(struct eif_diff *d, const char *path, const struct json_value *a,
			    const struct json_value *b)
{
	char *ta, *tb;

	if (a && b && a->type == JSON_OBJECT && b->type == JSON_OBJECT) {
		/* Keys are sorted bytewise in both (json_parse): merge the two lists. */
		size_t i = 0, j = 0;

		while (i < a->count || j < b->count) {
			int c = i == a->count ? 1 : j == b->count ? -1 : strcmp(a->keys[i], b->keys[j]);
			const char *key = c <= 0 ? a->keys[i] : b->keys[j];
			size_t n = strlen(path) + strlen(key) + 2;
			char *sub = malloc(n);

			if (!sub) {
				d->nomem = 1;
				return;
			}
			snprintf(sub, n, "%s%s%s", path, *path ? "." : "", key);
			diff_json_value(d, sub, c <= 0 ? &a->items[i] : NULL,
					c >= 0 ? &b->items[j] : NULL);
			free(sub);
			i += c <= 0;
			j += c >= 0;
		}
		return;
	}
	ta = a ? json_compact(d, a) : NULL;
	tb = b ? json_compact(d, b) : NULL;
	if ((a && !ta) || (b && !tb)) {
		free(ta), free(tb);
		return;
	}
	if (!ta || !tb || strcmp(ta, tb) != 0)
		eif_diff_add(d, 0, "metadata", path, !ta ? "added" : !tb ? "removed" : "value",
			     ta, tb);
	free(ta), free(tb);
}

static enum eif_status diff_metadata(struct eif_diff *d, const struct eif_info *ia,
				     const struct eif_info *ib)
{
	struct json_value va, vb;
	struct eif_error e;

	memset(&va, 0, sizeof(va));
	memset(&vb, 0, sizeof(vb));
	if (!ia->metadata || !ib->metadata ||
	    json_parse(ia->metadata, ia->metadata_len, "metadata", &va, &e) != EIF_OK ||
	    json_parse(ib->metadata, ib->metadata_len, "metadata", &vb, &e) != EIF_OK) {
		json_free(&va);
		eif_diff_add(d, 0, "metadata", "", "bytes", "not JSON on one side: compared as "
			     "bytes", NULL);
		return EIF_OK;
	}
	diff_json_value(d, "", &va, &vb);
	json_free(&va);
	json_free(&vb);
	return EIF_OK;
}

/* ---- signature ------------------------------------------------------------------------ */

static void diff_signature(struct eif_diff *d, const struct eif_info *ia,
			   const struct eif_info *ib)
{
	char ha[EIF_PCR_HEX_SIZE] = "unreadable", hb[EIF_PCR_HEX_SIZE] = "unreadable";

	if (ia->pcrs.has_pcr8)
		eif_hex(ia->pcrs.pcr8, EIF_PCR_SIZE, ha);
	if (ib->pcrs.has_pcr8)
		eif_hex(ib->pcrs.pcr8, EIF_PCR_SIZE, hb);
	if (strcmp(ha, hb) != 0 || !ia->pcrs.has_pcr8)
		eif_diff_add(d, EIF_DIFF_PCR8, "signature", "certificate", "PCR8", ha, hb);
	else
		eif_diff_add(d, 0, "signature", "COSE_Sign1", "bytes", "same certificate, "
			     "different signature bytes (the signed PCR0 or the signature's "
			     "randomness)", NULL);
}

/* ---- pairing sections by role --------------------------------------------------------- */

static unsigned pcrs_of(unsigned type, unsigned ramdisk)
{
	/* The reader's own feed rules, with PCR1 always hashed on its own. */
	unsigned feed = eif_section_feed(type, ramdisk, 0), pcrs = 0;

	if (feed & EIF_FEED_PCR0)
		pcrs |= EIF_DIFF_PCR0;
	if (feed & EIF_FEED_PCR1)
		pcrs |= EIF_DIFF_PCR1;
	if (feed & EIF_FEED_PCR2)
		pcrs |= EIF_DIFF_PCR2;
	if (type == EIF_SECTION_SIGNATURE)
		pcrs |= EIF_DIFF_PCR8;
	return pcrs;
}

static const char *role_kind(unsigned type)
{
	return eif_section_type_name(type);
}

/* Index of the section of this role in info (ramdisk: the ramdisk-th one), or -1. */
static int find_role(const struct eif_info *info, unsigned type, unsigned ramdisk)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < info->section_count; i++) {
		if (info->sections[i].type != type)
			continue;
		if (type != EIF_SECTION_RAMDISK || seen++ == ramdisk)
			return (int)i;
	}
	return -1;
}

static unsigned ramdisk_number(const struct eif_info *info, unsigned index)
{
	unsigned n = 0;

	for (unsigned i = 0; i < index; i++)
		n += info->sections[i].type == EIF_SECTION_RAMDISK;
	return n;
}

static void add_role(struct eif_diff *d, const struct eif_info *ia, const struct eif_info *ib,
		     unsigned type, unsigned ramdisk)
{
	struct eif_diff_section *s;

	for (unsigned i = 0; i < d->section_count; i++)
		if (strcmp(d->sections[i].kind, role_kind(type)) == 0 &&
		    d->sections[i].ramdisk == ramdisk)
			return;
	s = &d->sections[d->section_count++];
	memset(s, 0, sizeof(*s));
	s->kind = role_kind(type);
	s->ramdisk = ramdisk;
	s->index_a = find_role(ia, type, ramdisk);
	s->index_b = find_role(ib, type, ramdisk);
	s->pcrs = pcrs_of(type, ramdisk);
	if (s->index_a >= 0)
		s->size_a = ia->sections[s->index_a].size;
	if (s->index_b >= 0)
		s->size_b = ib->sections[s->index_b].size;
}

static void pair_sections(struct eif_diff *d, const struct eif_info *ia,
			  const struct eif_info *ib)
{
	const struct eif_info *both[2] = { ia, ib };

	for (int f = 0; f < 2; f++)
		for (unsigned i = 0; i < both[f]->section_count; i++) {
			unsigned type = both[f]->sections[i].type;

			add_role(d, ia, ib, type,
				 type == EIF_SECTION_RAMDISK ? ramdisk_number(both[f], i) : 0);
		}
}

static void side_of(struct eif_diff_side *side, const char *path, int fd,
		    const struct eif_info *info, int index)
{
	side->path = path;
	side->fd = fd;
	side->offset = index < 0 ? 0 : info->sections[index].offset + EIF_SECTION_HEADER_SIZE;
	side->size = index < 0 ? 0 : info->sections[index].size;
}

static enum eif_status diff_section(struct eif_diff *d, struct eif_diff_section *s,
				    const struct eif_info *ia, const struct eif_info *ib,
				    const struct eif_diff_side *a, const struct eif_diff_side *b,
				    const struct eif_diff_options *options, unsigned char *buf,
				    struct eif_error *err)
{
	char area[32];
	enum eif_status rc;

	if (s->index_a >= 0 && (rc = section_sha256(a, buf, s->sha256_a, err)) != EIF_OK)
		return rc;
	if (s->index_b >= 0 && (rc = section_sha256(b, buf, s->sha256_b, err)) != EIF_OK)
		return rc;
	if (strcmp(s->kind, "ramdisk") == 0)
		snprintf(area, sizeof(area), "ramdisk %u", s->ramdisk);
	else
		snprintf(area, sizeof(area), "%s", s->kind);
	if (s->index_a < 0 || s->index_b < 0) {
		eif_diff_addf(d, s->pcrs, "sections", area, s->index_a < 0 ? "added" : "removed",
			      s->index_a < 0 ? "\x1f%llu bytes" : "%llu bytes\x1f",
			      (unsigned long long)(s->index_a < 0 ? s->size_b : s->size_a));
		return EIF_OK;
	}
	s->same = s->size_a == s->size_b && strcmp(s->sha256_a, s->sha256_b) == 0;
	if (s->same)
		return EIF_OK;
	if (strcmp(s->kind, "kernel") == 0)
		return eif_diff_kernels(d, s->pcrs, a, b, options, err);
	if (strcmp(s->kind, "cmdline") == 0) {
		diff_cmdline(d, s->pcrs, ia, ib);
		return EIF_OK;
	}
	if (strcmp(s->kind, "metadata") == 0)
		return diff_metadata(d, ia, ib);
	if (strcmp(s->kind, "signature") == 0) {
		diff_signature(d, ia, ib);
		return EIF_OK;
	}
	return eif_diff_ramdisks(d, area, s->pcrs, a, b, err);
}

/* Opens path once, refusing a FIFO or device before reading (eif_open_regular), and
 * parses the EIF from that descriptor, so the bytes compared are the bytes measured. */
static enum eif_status open_eif(const char *path, struct eif_info *info, int *fd,
				struct eif_error *err)
{
	struct stat st;
	enum eif_status rc;

	memset(info, 0, sizeof(*info));
	if ((rc = eif_open_regular(path, "EIF", "give an .eif file", fd, &st, err)) != EIF_OK)
		return rc;
	if ((rc = eif_read_fd(*fd, path, info, err)) != EIF_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

enum eif_status eif_diff_files(const char *path_a, const char *path_b,
			       const struct eif_diff_options *options, struct eif_diff *d,
			       struct eif_error *err)
{
	struct eif_info ia, ib;
	int fa = -1, fb = -1;
	unsigned char *buf = NULL;
	enum eif_status rc;

	memset(d, 0, sizeof(*d));
	d->path_a = path_a;
	d->path_b = path_b;
	if ((rc = open_eif(path_a, &ia, &fa, err)) != EIF_OK)
		return rc;
	if ((rc = open_eif(path_b, &ib, &fb, err)) != EIF_OK) {
		eif_info_free(&ia);
		close(fa);
		return rc;
	}
	d->headers[0] = ia.header;
	d->headers[1] = ib.header;
	d->pcrs_a = ia.pcrs;
	d->pcrs_b = ib.pcrs;
	diff_header(d, &ia.header, &ib.header);
	pair_sections(d, &ia, &ib);
	if (!(buf = malloc(CHUNK)))
		rc = eif_fail(err, EIF_E_NOMEM, "diff: out of memory");
	for (unsigned i = 0; rc == EIF_OK && i < d->section_count; i++) {
		struct eif_diff_section *s = &d->sections[i];
		struct eif_diff_side a, b;

		side_of(&a, path_a, fa, &ia, s->index_a);
		side_of(&b, path_b, fb, &ib, s->index_b);
		rc = diff_section(d, s, &ia, &ib, &a, &b, options, buf, err);
	}
	free(buf);
	eif_info_free(&ia);
	eif_info_free(&ib);
	close(fa);
	close(fb);
	if (rc == EIF_OK && d->nomem)
		rc = eif_fail(err, EIF_E_NOMEM, "diff: out of memory while recording differences");
	if (rc != EIF_OK)
		eif_diff_free(d);
	return rc;
}
