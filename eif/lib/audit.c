/* audit: account for every byte of an EIF against a provenance manifest (see audit.h).
 * The EIF structure (header, section table, CRC, PCRs, metadata and signature bytes) comes
 * from the library's reader, eif_read_file(); this file keeps the report's items and walks
 * the file (the manifest: audit_manifest.c; the checks: audit_check.c; the report as text
 * and JSON: audit_report.c). */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* ---- report items -------------------------------------------------------------------- */

static int rank(enum eif_audit_status s)
{
	switch (s) {
	case EIF_AUDIT_OK: return 0;
	case EIF_AUDIT_UNKNOWN: return 1;
	case EIF_AUDIT_MISMATCH:
	case EIF_AUDIT_MISSING: return 2;
	case EIF_AUDIT_CORRUPT: return 3;
	}
	return 3;
}

static char *format_text(struct audit *a, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (a->nomem || vasprintf(&s, fmt, ap) < 0) {
		a->nomem = 1;
		return NULL;
	}
	return s;
}

static char *dup_text(struct audit *a, const char *s)
{
	char *d;

	if (a->nomem || !s)
		return NULL;
	if (!(d = strdup(s)))
		a->nomem = 1;
	return d;
}

/* A new item; returns its index (items move when the array grows), SIZE_MAX when out of
 * memory (every helper below ignores SIZE_MAX). */
size_t audit_item_add(struct audit *a, enum eif_audit_status status, uint64_t offset,
		      uint64_t length, const char *fmt, ...)
{
	struct eif_audit_report *r = a->r;
	struct eif_audit_item *it;
	va_list ap;

	if (a->nomem)
		return SIZE_MAX;
	if (!(it = eif_array_grow(r->items, &r->cap, r->count + 1, sizeof(*it)))) {
		a->nomem = 1;
		return SIZE_MAX;
	}
	r->items = it;
	it = &r->items[r->count];
	memset(it, 0, sizeof(*it));
	it->status = status;
	it->offset = offset;
	it->length = length;
	va_start(ap, fmt);
	it->what = format_text(a, fmt, ap);
	va_end(ap);
	if (!it->what)
		return SIZE_MAX;
	return r->count++;
}

/* Raise the item's status to at least status and append "; text" to its detail. */
void audit_note(struct audit *a, size_t i, enum eif_audit_status status, const char *fmt, ...)
{
	struct eif_audit_item *it;
	char *text, *joined = NULL;
	va_list ap;

	if (i == SIZE_MAX || a->nomem)
		return;
	it = &a->r->items[i];
	if (rank(status) > rank(it->status))
		it->status = status;
	va_start(ap, fmt);
	text = format_text(a, fmt, ap);
	va_end(ap);
	if (!text)
		return;
	if (!it->detail) {
		it->detail = text;
		return;
	}
	if (asprintf(&joined, "%s; %s", it->detail, text) < 0)
		a->nomem = 1;
	free(text);
	if (joined) {
		free(it->detail);
		it->detail = joined;
	}
}

void audit_set_source(struct audit *a, size_t i, const char *step, const char *input)
{
	struct eif_audit_item *it;

	if (i == SIZE_MAX || a->nomem)
		return;
	it = &a->r->items[i];
	free(it->step);
	free(it->input);
	it->step = dup_text(a, step);
	it->input = dup_text(a, input);
}

void audit_set_sha256(struct audit *a, size_t i, const unsigned char *data, size_t len)
{
	unsigned char digest[32];
	unsigned int n = 0;

	if (i == SIZE_MAX || a->nomem)
		return;
	if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) != 1 || n != 32) {
		a->nomem = 1; /* OpenSSL fails here only when it cannot allocate */
		return;
	}
	eif_hex(digest, 32, a->r->items[i].sha256);
}

/* Names from the archive may hold any byte; keep messages on one line. */
void audit_printable(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f) {
			out[o++] = (char)c;
		} else {
			snprintf(out + o, cap - o, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
}


/* ---- the walk ---------------------------------------------------------------------- */

static int read_at(struct audit *a, uint64_t offset, void *buf, size_t len)
{
	if (a->mem) {
		if (!eif_range_ok(offset, len, a->info->file_size)) {
			eif_fail(a->err, EIF_E_IO, "audit: '%s': %zu bytes at offset %llu lie "
				 "outside the %llu-byte image", a->path, len,
				 (unsigned long long)offset,
				 (unsigned long long)a->info->file_size);
			a->io_failed = 1;
			return -1;
		}
		memcpy(buf, a->mem + offset, len);
		return 0;
	}
	if (eif_pread_full(a->fd, a->path, offset, buf, len, a->err) != EIF_OK) {
		a->io_failed = 1;
		return -1;
	}
	return 0;
}

static void check_header(struct audit *a, size_t it)
{
	const struct eif_header *h = &a->info->header;

	if (!a->info->crc_ok)
		audit_note(a, it, EIF_AUDIT_CORRUPT, "stored CRC-32 0x%08x, computed 0x%08x: the file was "
			   "altered or damaged after it was built", h->crc32, a->info->crc_computed);
	if (h->version != EIF_VERSION_CURRENT)
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "version %u; eif build writes %d", h->version,
			   EIF_VERSION_CURRENT);
	if (h->flags & ~EIF_FLAG_ARM64)
		audit_note(a, it, EIF_AUDIT_CORRUPT, "flags 0x%04x set reserved bits", h->flags);
	if (h->reserved != 0 || h->unused != 0)
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "reserved fields are not zero (%u, %u)", h->reserved,
			   h->unused);
	if (h->default_mem != EIF_DEFAULT_MEM || h->default_cpus != EIF_DEFAULT_CPUS)
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "default_mem %llu / default_cpus %llu are not the "
			   "values eif build writes (%llu / %d)", (unsigned long long)h->default_mem,
			   (unsigned long long)h->default_cpus, (unsigned long long)EIF_DEFAULT_MEM,
			   EIF_DEFAULT_CPUS);
	audit_note(a, it, EIF_AUDIT_OK, "EIF v%u, %s, %u sections, CRC-32 0x%08x", h->version,
		   h->flags & EIF_FLAG_ARM64 ? "aarch64" : "x86_64", h->num_sections, h->crc32);
	audit_set_source(a, it, "eif-build", "the EIF format: magic, version, section table, CRC-32");
}

/* One section: load its data, describe it, compare it with the manifest. */
static int walk_section(struct audit *a, unsigned i, unsigned *ramdisk)
{
	const struct eif_section_info *s = &a->info->sections[i];
	const char *kind = eif_section_type_name(s->type);
	uint64_t data_offset = s->offset + EIF_SECTION_HEADER_SIZE;
	unsigned char *data;
	size_t it;

	if (s->size > SIZE_MAX - 1 || !(data = malloc(s->size ? (size_t)s->size : 1))) {
		a->nomem = 1;
		return -1;
	}
	if (read_at(a, data_offset, data, (size_t)s->size) != 0) {
		free(data);
		return -1;
	}
	/* A ramdisk's data is covered by its entries' items; the section item is its header. */
	if (s->type == EIF_SECTION_RAMDISK) {
		it = audit_item_add(a, EIF_AUDIT_OK, s->offset, EIF_SECTION_HEADER_SIZE,
				    "section %u ramdisk %u", i, *ramdisk);
		if (it != SIZE_MAX)
			a->r->items[it].container = 1;
	} else
		it = audit_item_add(a, EIF_AUDIT_OK, s->offset, EIF_SECTION_HEADER_SIZE + s->size,
				    "section %u %s", i, kind);
	audit_set_sha256(a, it, data, (size_t)s->size);
	switch (s->type) {
	case EIF_SECTION_KERNEL: audit_check_kernel(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_CMDLINE: audit_check_cmdline(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_METADATA: audit_check_metadata(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_SIGNATURE: audit_check_signature(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_RAMDISK:
		audit_check_ramdisk(a, it, *ramdisk, data_offset, data, (size_t)s->size);
		a->initrd_length += s->size;
		++*ramdisk;
		break;
	default: break;
	}
	audit_match_section(a, it, i, kind, s->size);
	free(data);
	return 0;
}

static void report_missing(struct audit *a)
{
	for (unsigned i = 0; i < EIF_MAX_SECTIONS; i++) {
		const struct prov_section *ps = &a->m->sections[i];
		size_t it;

		if (!ps->present || a->section_seen[i])
			continue;
		it = audit_item_add(a, EIF_AUDIT_MISSING, 0, 0, "section %u %s", i, ps->kind);
		audit_set_source(a, it, ps->step, ps->input);
		audit_note(a, it, EIF_AUDIT_MISSING, "the manifest names it, the EIF has no section %u", i);
	}
	for (size_t i = 0; i < a->m->entry_count; i++) {
		const struct prov_entry *pe = &a->m->entries[i];
		size_t it;

		if (a->entry_used[i] || a->ramdisk_damaged[pe->ramdisk])
			continue;
		it = audit_item_add(a, EIF_AUDIT_MISSING, 0, 0, "ramdisk %u %s", pe->ramdisk, pe->name);
		audit_set_source(a, it, pe->step, pe->input);
		if (it != SIZE_MAX && pe->sha256[0])
			memcpy(a->r->items[it].sha256, pe->sha256, 65);
		audit_note(a, it, EIF_AUDIT_MISSING, "the manifest names this %s, ramdisk %u lacks it",
			   audit_entry_kind_name(pe->type), pe->ramdisk);
	}
}


static void walk(struct audit *a)
{
	unsigned char raw[EIF_HEADER_SIZE];
	uint64_t covered = EIF_HEADER_SIZE;
	unsigned ramdisk = 0;
	size_t header;

	if (read_at(a, 0, raw, sizeof(raw)) != 0)
		return;
	header = audit_item_add(a, EIF_AUDIT_OK, 0, EIF_HEADER_SIZE, "header");
	audit_set_sha256(a, header, raw, sizeof(raw));
	check_header(a, header);
	for (unsigned i = 0; i < a->info->section_count; i++) {
		const struct eif_section_info *s = &a->info->sections[i];

		if (s->offset != covered ||
		    !eif_add_u64(covered, EIF_SECTION_HEADER_SIZE, &covered) ||
		    !eif_add_u64(covered, s->size, &covered))
			break;
		if (walk_section(a, i, &ramdisk) != 0)
			return;
	}
	/* The reader refuses gaps and trailing bytes; check the sum rather than trust it. */
	if (covered != a->info->file_size) {
		size_t it = audit_item_add(a, EIF_AUDIT_CORRUPT, 0, 0, "section layout");

		audit_note(a, it, EIF_AUDIT_CORRUPT, "header and sections cover %llu of %llu bytes",
			   (unsigned long long)covered, (unsigned long long)a->info->file_size);
		return;
	}
	a->r->pcrs = a->info->pcrs;
	a->r->walk_complete = 1;
	report_missing(a);
}

/* The reader refused the file: one item says why, covering all of it. */
static void report_unreadable(struct audit *a, const struct eif_error *why, uint64_t size)
{
	size_t it;

	a->r->file_size = size;
	it = audit_item_add(a, EIF_AUDIT_CORRUPT, 0, size, "EIF structure");
	audit_note(a, it, EIF_AUDIT_CORRUPT, "%s", why->msg);
}

/* The audit of an image the reader has read (rc EIF_OK, info) or refused (EIF_E_FORMAT,
 * why): the walk, then the tallies. Frees info. */
static enum eif_status audit_image(struct audit *a, enum eif_status rc, struct eif_info *info,
				   const struct eif_error *why, uint64_t size)
{
	struct eif_audit_report *report = a->r;

	if (rc == EIF_E_FORMAT) {
		report_unreadable(a, why, size);
	} else if (rc != EIF_OK) {
		*a->err = *why;
		return rc;
	} else {
		a->info = info;
		report->file_size = info->file_size;
		a->entry_used = calloc(a->m->entry_count + 1, 1);
		if (!a->entry_used)
			a->nomem = 1;
		else
			walk(a);
		free(a->entry_used);
		eif_info_free(info);
		if (a->io_failed)
			return a->err->code;
	}
	if (a->nomem)
		return eif_fail(a->err, EIF_E_NOMEM, "audit: '%s': out of memory", a->path);
	for (size_t i = 0; i < report->count; i++) {
		const struct eif_audit_item *it = &report->items[i];

		report->counts[it->status]++;
		if (it->status == EIF_AUDIT_OK)
			report->bytes_ok += it->length;
		else
			report->bytes_flagged += it->length;
	}
	return EIF_OK;
}

enum eif_status eif_audit(const char *path, const struct eif_provenance *manifest,
			  struct eif_audit_report *report, struct eif_error *err)
{
	struct audit a = { .path = path, .m = manifest, .r = report, .err = err };
	struct eif_info info;
	struct eif_error why;
	enum eif_status rc;
	struct stat st;
	uint64_t size = 0;

	memset(report, 0, sizeof(*report));
	/* One descriptor for the reader and the walk, so that a rename between two opens cannot
	 * mix two files in one report; O_NONBLOCK so that a FIFO is refused, not waited on. */
	a.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (a.fd < 0)
		return eif_fail_errno(err, "EIF '%s': cannot open it", path);
	rc = eif_read_fd(a.fd, path, &info, &why);
	if (rc == EIF_E_FORMAT && fstat(a.fd, &st) == 0)
		size = (uint64_t)st.st_size;
	rc = audit_image(&a, rc, &info, &why, size);
	close(a.fd);
	return rc;
}

enum eif_status eif_audit_memory(const unsigned char *data, size_t len, const char *name,
				 const struct eif_provenance *manifest,
				 struct eif_audit_report *report, struct eif_error *err)
{
	struct audit a = { .path = name, .fd = -1, .mem = data, .m = manifest, .r = report,
			   .err = err };
	struct eif_info info;
	struct eif_error why;

	memset(report, 0, sizeof(*report));
	return audit_image(&a, eif_read_memory(data, len, &info, &why), &info, &why, len);
}
