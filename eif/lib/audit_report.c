/* eif audit: the verdict, and the report as text and as JSON (see audit.h). */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void eif_audit_report_free(struct eif_audit_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].what);
		free(r->items[i].step);
		free(r->items[i].input);
		free(r->items[i].detail);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

const char *eif_audit_status_name(enum eif_audit_status s)
{
	static const char *const names[] = { "ok", "unknown", "mismatch", "missing", "corrupt" };

	return (unsigned)s < EIF_AUDIT_STATUS_COUNT ? names[s] : "corrupt";
}

int eif_audit_exit_code(const struct eif_audit_report *r)
{
	if (r->counts[EIF_AUDIT_CORRUPT] || !r->walk_complete)
		return 3;
	for (unsigned s = 1; s < EIF_AUDIT_STATUS_COUNT; s++)
		if (r->counts[s])
			return 1;
	return 0;
}

const struct eif_audit_item *eif_audit_first_problem(const struct eif_audit_report *r)
{
	const struct eif_audit_item *best = NULL;

	for (size_t i = 0; i < r->count; i++) {
		const struct eif_audit_item *it = &r->items[i];

		if (it->status == EIF_AUDIT_OK)
			continue;
		if (!best || (it->status == EIF_AUDIT_CORRUPT && best->status != EIF_AUDIT_CORRUPT) ||
		    (best->container && !it->container && best->status != EIF_AUDIT_CORRUPT))
			best = it;
	}
	return best;
}


/* ---- output ------------------------------------------------------------------------- */

static void text_field(struct json_buf *b, const char *s)
{
	char shown[1024];

	for (size_t n = strlen(s), i = 0; i < n; i += 240) {
		audit_printable(s + i, n - i > 240 ? 240 : n - i, shown, sizeof(shown));
		json_buf_puts(b, shown);
	}
}

static const char *result_name(const struct eif_audit_report *r)
{
	switch (eif_audit_exit_code(r)) {
	case 0: return "pass";
	case 3: return "corrupt";
	default: return "fail";
	}
}

char *eif_audit_report_text(const struct eif_audit_report *r, const char *path)
{
	struct json_buf b = { 0 };
	char line[512];

	for (size_t i = 0; i < r->count; i++) {
		const struct eif_audit_item *it = &r->items[i];

		snprintf(line, sizeof(line), "%-8s ", eif_audit_status_name(it->status));
		json_buf_puts(&b, line);
		text_field(&b, it->what);
		if (it->detail) {
			json_buf_puts(&b, " [");
			text_field(&b, it->detail);
			json_buf_puts(&b, "]");
		}
		if (it->step) {
			json_buf_puts(&b, " <- ");
			text_field(&b, it->step);
			json_buf_puts(&b, ": ");
			text_field(&b, it->input);
		}
		if (it->sha256[0]) {
			json_buf_puts(&b, " sha256:");
			json_buf_puts(&b, it->sha256);
		}
		json_buf_puts(&b, "\n");
	}
	if (r->walk_complete) {
		char hex[EIF_PCR_HEX_SIZE];

		eif_hex(r->pcrs.pcr0, EIF_PCR_SIZE, hex);
		snprintf(line, sizeof(line), "PCR0 %s\n", hex);
		json_buf_puts(&b, line);
	}
	json_buf_puts(&b, "audit ");
	text_field(&b, path);
	snprintf(line, sizeof(line), ": %s: %zu items: %zu ok, %zu unknown, %zu mismatch, %zu "
		 "missing, %zu corrupt; %llu of %llu bytes accounted for\n", result_name(r),
		 r->count, r->counts[EIF_AUDIT_OK], r->counts[EIF_AUDIT_UNKNOWN],
		 r->counts[EIF_AUDIT_MISMATCH], r->counts[EIF_AUDIT_MISSING],
		 r->counts[EIF_AUDIT_CORRUPT], (unsigned long long)r->bytes_ok,
		 (unsigned long long)r->file_size);
	json_buf_puts(&b, line);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

static int report_json(const struct eif_audit_report *r, const char *path, struct json_value *out)
{
	struct json_value *items, *summary, *pcrs;
	static const char *const count_keys[] = { "ok", "unknown", "mismatch", "missing",
						  "corrupt" };

	json_init_object(out);
	if (json_add_text(out, "file", path) || json_add_u64(out, "size", r->file_size) ||
	    json_add_text(out, "result", result_name(r)))
		return -1;
	if (r->walk_complete) {
		if (!(pcrs = json_object_add(out, "PCRs")))
			return -1;
		json_init_object(pcrs);
		if (eif_pcrs_to_json(&r->pcrs, pcrs))
			return -1;
	}
	if (!(items = json_object_add(out, "items")))
		return -1;
	items->type = JSON_ARRAY;
	if (r->count && !(items->items = calloc(r->count, sizeof(*items->items))))
		return -1;
	items->cap = r->count;
	for (size_t i = 0; i < r->count; i++) {
		const struct eif_audit_item *it = &r->items[i];
		struct json_value *v = &items->items[i];

		items->count++;
		json_init_object(v);
		if (json_add_text(v, "status", eif_audit_status_name(it->status)) ||
		    json_add_text(v, "what", it->what) || json_add_u64(v, "offset", it->offset) ||
		    json_add_u64(v, "length", it->length) || json_add_text(v, "step", it->step) ||
		    json_add_text(v, "input", it->input) ||
		    json_add_text(v, "sha256", it->sha256[0] ? it->sha256 : NULL) ||
		    json_add_text(v, "detail", it->detail))
			return -1;
	}
	if (!(summary = json_object_add(out, "summary")))
		return -1;
	json_init_object(summary);
	if (json_add_u64(summary, "items", r->count))
		return -1;
	for (unsigned s = 0; s < EIF_AUDIT_STATUS_COUNT; s++)
		if (json_add_u64(summary, count_keys[s], r->counts[s]))
			return -1;
	if (json_add_u64(summary, "bytes_ok", r->bytes_ok) ||
	    json_add_u64(summary, "bytes_flagged", r->bytes_flagged))
		return -1;
	return 0;
}

char *eif_audit_report_json(const struct eif_audit_report *report, const char *path)
{
	struct json_value doc;
	char *text = NULL;

	memset(&doc, 0, sizeof(doc));
	if (report_json(report, path, &doc) == 0)
		text = eif_json_text(&doc);
	json_free(&doc);
	return text;
}
