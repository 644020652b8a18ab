/* diff, the reports: the text and the JSON form of a finished comparison (eif diff, eif diff
 * --json). Each difference is printed with the PCRs it moves, values are shown escaped so that
 * control bytes and long runs stay readable, and the JSON carries the sections, the changes,
 * both headers and both sides' PCRs. What moves which PCR is docs/eif-format.md#pcr-formulas;
 * the comparison itself is diff.c, the data model diff.h. */
#include <eif/diff.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "util.h"

/* ---- reports --------------------------------------------------------------------------- */

static const char *const pcr_names[] = { "PCR0", "PCR1", "PCR2", "PCR8" };

static void pcr_list(struct json_buf *b, unsigned pcrs, const char *area)
{
	if (!pcrs) {
		json_buf_puts(b, strcmp(area, "metadata") == 0 ?
			      "; moves no PCR (the metadata section is not measured)" :
			      "; moves no PCR");
		return;
	}
	json_buf_puts(b, "; moves");
	for (int i = 0; i < 4; i++)
		if (pcrs & (1u << i)) {
			json_buf_puts(b, " ");
			json_buf_puts(b, pcr_names[i]);
		}
}

/* Values are shown as they are, except that bytes which are not printable UTF-8 (and the
 * backslash) become \xHH, so one change is one line. */
static void put_shown(struct json_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n = 1;
		char esc[5];

		if (*p >= 0x80) {
			n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
			if (strnlen((const char *)p, n) < n || !json_utf8_valid((const char *)p, n))
				n = 0;
		} else if (*p < 0x20 || *p == 0x7f || *p == '\\') {
			n = 0;
		}
		if (n) {
			json_buf_append(b, (const char *)p, n);
			p += n - 1;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			json_buf_puts(b, esc);
		}
	}
}

static void text_section(struct json_buf *b, const struct eif_diff_section *s)
{
	char line[400];

	if (strcmp(s->kind, "ramdisk") == 0)
		snprintf(line, sizeof(line), "section ramdisk %u (%s): ", s->ramdisk,
			 s->ramdisk == 0 ? "system" : "user");
	else
		snprintf(line, sizeof(line), "section %s: ", s->kind);
	json_buf_puts(b, line);
	if (s->index_a < 0 || s->index_b < 0)
		snprintf(line, sizeof(line), "only in %s", s->index_a < 0 ? "B" : "A");
	else if (s->same)
		snprintf(line, sizeof(line), "same, %llu bytes, sha256 %s",
			 (unsigned long long)s->size_a, s->sha256_a);
	else
		snprintf(line, sizeof(line), "different, %llu -> %llu bytes, sha256 %s -> %s",
			 (unsigned long long)s->size_a, (unsigned long long)s->size_b,
			 s->sha256_a, s->sha256_b);
	json_buf_puts(b, line);
	if (!s->same)
		pcr_list(b, s->pcrs, s->kind);
	json_buf_puts(b, "\n");
}

static void text_change(struct json_buf *b, const struct eif_diff_change *c)
{
	json_buf_puts(b, c->area);
	if (*c->subject) {
		json_buf_puts(b, " ");
		put_shown(b, c->subject);
	}
	json_buf_puts(b, ": ");
	json_buf_puts(b, c->what);
	if (c->a) {
		json_buf_puts(b, " ");
		put_shown(b, c->a);
	}
	if (c->a && c->b)
		json_buf_puts(b, " ->");
	if (c->b) {
		json_buf_puts(b, " ");
		put_shown(b, c->b);
	}
	if (c->has_offset) {
		char at[64];

		snprintf(at, sizeof(at), ", first difference at byte %llu",
			 (unsigned long long)c->offset);
		json_buf_puts(b, at);
	}
	pcr_list(b, c->pcrs, c->area);
	json_buf_puts(b, "\n");
}

static const unsigned char *pcr_value(const struct eif_measurements *m, int i)
{
	const unsigned char *v[] = { m->pcr0, m->pcr1, m->pcr2, m->has_pcr8 ? m->pcr8 : NULL };

	return v[i];
}

static void pcr_hex(const struct eif_measurements *m, int i, char hex[EIF_PCR_HEX_SIZE])
{
	const unsigned char *v = pcr_value(m, i);

	if (v)
		eif_hex(v, EIF_PCR_SIZE, hex);
	else
		snprintf(hex, EIF_PCR_HEX_SIZE, "none");
}

static char *finish(struct json_buf *b)
{
	if (b->failed) {
		free(b->data);
		return NULL;
	}
	return b->data;
}

static void header_summary(char *out, size_t cap, const struct eif_header *h)
{
	snprintf(out, cap, "EIF v%u, %s, %u sections, default_mem %llu, default_cpus %llu, "
		 "CRC-32 0x%08x", h->version, h->flags & EIF_FLAG_ARM64 ? "aarch64" : "x86_64",
		 h->num_sections, (unsigned long long)h->default_mem,
		 (unsigned long long)h->default_cpus, h->crc32);
}

char *eif_diff_text(const struct eif_diff *d)
{
	struct json_buf b = { 0 };
	char line[400], ha[160], hb[160];

	header_summary(ha, sizeof(ha), &d->headers[0]);
	header_summary(hb, sizeof(hb), &d->headers[1]);
	if (strcmp(ha, hb) == 0)
		snprintf(line, sizeof(line), "header: %s\n", ha);
	else
		snprintf(line, sizeof(line), "header: %s -> %s\n", ha, hb);
	json_buf_puts(&b, line);

	for (unsigned i = 0; i < d->section_count; i++)
		text_section(&b, &d->sections[i]);
	for (size_t i = 0; i < d->change_count; i++)
		text_change(&b, &d->changes[i]);
	for (int i = 0; i < 4; i++) {
		char ha[EIF_PCR_HEX_SIZE], hb[EIF_PCR_HEX_SIZE];

		pcr_hex(&d->pcrs_a, i, ha);
		pcr_hex(&d->pcrs_b, i, hb);
		if (i == 3 && !d->pcrs_a.has_pcr8 && !d->pcrs_b.has_pcr8)
			continue;
		if (strcmp(ha, hb) == 0)
			snprintf(line, sizeof(line), "%s: same %s\n", pcr_names[i], ha);
		else
			snprintf(line, sizeof(line), "%s: different %s -> %s\n", pcr_names[i], ha,
				 hb);
		json_buf_puts(&b, line);
	}
	json_buf_puts(&b, eif_diff_identical(d) ? "identical\n" : "different\n");
	return finish(&b);
}

/* A member of the JSON report; a member without a key is left out. */
enum member_kind { MEMBER_TEXT, MEMBER_NUMBER, MEMBER_BOOL, MEMBER_PCRS };
struct member {
	const char *key;
	enum member_kind kind;
	const char *text;	/* MEMBER_TEXT; NULL is null */
	long long number;	/* MEMBER_NUMBER, MEMBER_BOOL, MEMBER_PCRS (a mask) */
};

static int set_shown(struct json_value *v, const char *s)
{
	struct json_buf t = { 0 };
	int rc;

	put_shown(&t, s);
	rc = t.failed ? -1 : json_set_string(v, t.data ? t.data : "", t.len);
	free(t.data);
	return rc;
}

static int set_pcr_list(struct json_value *v, unsigned pcrs)
{
	json_init_array(v);
	for (int i = 0; i < 4; i++) {
		struct json_value *e;

		if ((pcrs & (1u << i)) &&
		    (!(e = json_array_add(v)) || json_set_string(e, pcr_names[i], 4) != 0))
			return -1;
	}
	return 0;
}

static int add_members(struct json_value *obj, const struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct json_value *v;
		char number[32];
		int rc = 0;

		if (!m[i].key)
			continue;
		if (!(v = json_object_add(obj, m[i].key)))
			return -1;
		switch (m[i].kind) {
		case MEMBER_TEXT:
			rc = m[i].text ? set_shown(v, m[i].text) : 0;
			break;
		case MEMBER_NUMBER:
			snprintf(number, sizeof(number), "%lld", m[i].number);
			rc = json_set_number_text(v, number);
			break;
		case MEMBER_BOOL:
			json_set_bool(v, m[i].number != 0);
			break;
		case MEMBER_PCRS:
			rc = set_pcr_list(v, (unsigned)m[i].number);
			break;
		}
		if (rc)
			return -1;
	}
	return 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int section_json(struct json_value *v, const void *item)
{
	const struct eif_diff_section *s = item;
	const struct member m[] = {
		{ "kind", MEMBER_TEXT, s->kind, 0 },
		{ strcmp(s->kind, "ramdisk") == 0 ? "ramdisk" : NULL, MEMBER_NUMBER, NULL, s->ramdisk },
		{ "index_a", MEMBER_NUMBER, NULL, s->index_a },
		{ "index_b", MEMBER_NUMBER, NULL, s->index_b },
		{ "size_a", MEMBER_NUMBER, NULL, (long long)s->size_a },
		{ "size_b", MEMBER_NUMBER, NULL, (long long)s->size_b },
		{ "sha256_a", MEMBER_TEXT, s->sha256_a, 0 },
		{ "sha256_b", MEMBER_TEXT, s->sha256_b, 0 },
		{ "same", MEMBER_BOOL, NULL, s->same },
		{ "pcrs", MEMBER_PCRS, NULL, s->same ? 0 : s->pcrs },
	};

	json_init_object(v);
	return add_members(v, m, COUNT(m));
}

static int change_json(struct json_value *v, const void *item)
{
	const struct eif_diff_change *c = item;
	const struct member m[] = {
		{ "area", MEMBER_TEXT, c->area, 0 },
		{ "subject", MEMBER_TEXT, c->subject, 0 },
		{ "what", MEMBER_TEXT, c->what, 0 },
		{ "a", MEMBER_TEXT, c->a, 0 },
		{ "b", MEMBER_TEXT, c->b, 0 },
		{ c->has_offset ? "first_difference" : NULL, MEMBER_NUMBER, NULL, (long long)c->offset },
		{ "pcrs", MEMBER_PCRS, NULL, c->pcrs },
	};

	json_init_object(v);
	return add_members(v, m, COUNT(m));
}

static int header_json(struct json_value *v, const void *item)
{
	const struct eif_header *h = item;
	const struct member m[] = {
		{ "version", MEMBER_NUMBER, NULL, h->version },
		{ "flags", MEMBER_NUMBER, NULL, h->flags },
		{ "default_mem", MEMBER_NUMBER, NULL, (long long)h->default_mem },
		{ "default_cpus", MEMBER_NUMBER, NULL, (long long)h->default_cpus },
		{ "num_sections", MEMBER_NUMBER, NULL, h->num_sections },
		{ "crc32", MEMBER_NUMBER, NULL, h->crc32 },
	};

	json_init_object(v);
	return add_members(v, m, COUNT(m));
}

static int pcrs_json(struct json_value *obj, const struct eif_diff *d)
{
	json_init_object(obj);
	for (int i = 0; i < 4; i++) {
		char ha[EIF_PCR_HEX_SIZE], hb[EIF_PCR_HEX_SIZE];
		struct json_value *v = json_object_add(obj, pcr_names[i]);

		pcr_hex(&d->pcrs_a, i, ha);
		pcr_hex(&d->pcrs_b, i, hb);
		if (!v)
			return -1;
		json_init_object(v);
		const struct member m[] = {
			{ "a", MEMBER_TEXT, ha, 0 },
			{ "b", MEMBER_TEXT, hb, 0 },
			{ "same", MEMBER_BOOL, NULL, strcmp(ha, hb) == 0 },
		};
		if (add_members(v, m, COUNT(m)) != 0)
			return -1;
	}
	return 0;
}

/* root[key] = [fn(items[0]), fn(items[1]), ...]: 0, or -1 when out of memory. */
static int add_array(struct json_value *root, const char *key, const void *items, size_t size,
		     size_t n, int (*fn)(struct json_value *, const void *))
{
	struct json_value *array = json_object_add(root, key);

	if (!array)
		return -1;
	json_init_array(array);
	for (size_t i = 0; i < n; i++) {
		struct json_value *v = json_array_add(array);

		if (!v || fn(v, (const char *)items + i * size) != 0)
			return -1;
	}
	return 0;
}

char *eif_diff_json(const struct eif_diff *d)
{
	struct json_value root, *pcrs;
	const struct member m[] = {
		{ "a", MEMBER_TEXT, d->path_a, 0 },
		{ "b", MEMBER_TEXT, d->path_b, 0 },
		{ "identical", MEMBER_BOOL, NULL, eif_diff_identical(d) },
	};
	char *text = NULL;
	int rc;

	json_init_object(&root);
	rc = add_members(&root, m, COUNT(m));
	if (rc == 0)
		rc = add_array(&root, "headers", d->headers, sizeof(d->headers[0]), 2, header_json);
	if (rc == 0)
		rc = add_array(&root, "sections", d->sections, sizeof(d->sections[0]),
			       d->section_count, section_json);
	if (rc == 0)
		rc = add_array(&root, "changes", d->changes, sizeof(d->changes[0]),
			       d->change_count, change_json);
	if (rc == 0)
		rc = (pcrs = json_object_add(&root, "pcrs")) ? pcrs_json(pcrs, d) : -1;
	if (rc == 0)
		text = eif_json_text(&root);
	json_free(&root);
	return text;
}
