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

/* A value as the text report shows it, or null when s is NULL. */
static int add_shown(struct json_value *obj, const char *key, const char *s)
{
	struct json_buf t = { 0 };
	int rc;

	if (s)
		put_shown(&t, s);
	rc = t.failed ? -1 : json_add_string(obj, key, s ? t.data ? t.data : "" : NULL, t.len);
	free(t.data);
	return rc;
}

static int add_pcr_list(struct json_value *obj, const char *key, unsigned pcrs)
{
	struct json_value *v = json_object_add(obj, key);

	if (!v)
		return -1;
	json_init_array(v);
	for (int i = 0; i < 4; i++) {
		struct json_value *e;

		if ((pcrs & (1u << i)) &&
		    (!(e = json_array_add(v)) || json_set_string(e, pcr_names[i], 4) != 0))
			return -1;
	}
	return 0;
}

static int section_json(struct json_value *v, const void *item)
{
	const struct eif_diff_section *s = item;

	json_init_object(v);
	return add_shown(v, "kind", s->kind) ||
	       (strcmp(s->kind, "ramdisk") == 0 && json_add_u64(v, "ramdisk", s->ramdisk)) ||
	       json_add_i64(v, "index_a", s->index_a) || json_add_i64(v, "index_b", s->index_b) ||
	       json_add_u64(v, "size_a", s->size_a) || json_add_u64(v, "size_b", s->size_b) ||
	       add_shown(v, "sha256_a", s->sha256_a) || add_shown(v, "sha256_b", s->sha256_b) ||
	       json_add_bool(v, "same", s->same) ||
	       add_pcr_list(v, "pcrs", s->same ? 0 : s->pcrs) ? -1 : 0;
}

static int change_json(struct json_value *v, const void *item)
{
	const struct eif_diff_change *c = item;

	json_init_object(v);
	return add_shown(v, "area", c->area) || add_shown(v, "subject", c->subject) ||
	       add_shown(v, "what", c->what) || add_shown(v, "a", c->a) ||
	       add_shown(v, "b", c->b) ||
	       (c->has_offset && json_add_u64(v, "first_difference", c->offset)) ||
	       add_pcr_list(v, "pcrs", c->pcrs) ? -1 : 0;
}

static int header_json(struct json_value *v, const void *item)
{
	const struct eif_header *h = item;

	json_init_object(v);
	return json_add_u64(v, "version", h->version) || json_add_u64(v, "flags", h->flags) ||
	       json_add_u64(v, "default_mem", h->default_mem) ||
	       json_add_u64(v, "default_cpus", h->default_cpus) ||
	       json_add_u64(v, "num_sections", h->num_sections) ||
	       json_add_u64(v, "crc32", h->crc32) ? -1 : 0;
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
		if (add_shown(v, "a", ha) || add_shown(v, "b", hb) ||
		    json_add_bool(v, "same", strcmp(ha, hb) == 0))
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
	char *text = NULL;
	int rc;

	json_init_object(&root);
	rc = add_shown(&root, "a", d->path_a) || add_shown(&root, "b", d->path_b) ||
	     json_add_bool(&root, "identical", eif_diff_identical(d)) ? -1 : 0;
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
