/* audit: account for every byte of an EIF against a provenance manifest (see audit.h).
 * The EIF structure (header, section table, CRC, PCRs, metadata and signature bytes) comes
 * from the library's reader, eif_read_file(); this file adds the manifest, the per-section
 * checks and the walk through every ramdisk entry. */
#include <eif/audit.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cpio_read.h"
#include "json.h"
#include <eif/sign.h>
#include "util.h"

#define MANIFEST_MAGIC "enclave-kit-provenance"
#define MANIFEST_VERSION "1"
#define MANIFEST_MAX (256u << 20)
#define MAX_FIELDS 12
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the manifest --------------------------------------------------------------------- */

struct prov_section {
	int present;
	const char *kind;
	int has_size;
	uint64_t size;
	char sha256[65];	/* "" when the manifest says "-" */
	const char *step, *input;
};

struct prov_metadata {
	const char *key, *value;
};

struct prov_signer {
	char sha384[97];
	const char *step, *input;
};

struct prov_entry {
	unsigned ramdisk;
	const char *name;
	uint32_t type;		/* S_IFREG, S_IFDIR, ... */
	uint32_t mode;		/* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t size;
	char sha256[65];
	const char *target;	/* "-" when none */
	const char *step, *input;
};

struct eif_provenance {
	char *text;
	struct prov_section sections[EIF_MAX_SECTIONS];
	struct prov_metadata *metadata;
	size_t metadata_count;
	struct prov_signer *signers;
	size_t signer_count;
	struct prov_entry *entries;
	size_t entry_count;
};

static const struct {
	const char *name;
	uint32_t type;
} entry_kinds[] = {
	{ "file", S_IFREG }, { "dir", S_IFDIR }, { "symlink", S_IFLNK }, { "char", S_IFCHR },
	{ "block", S_IFBLK }, { "fifo", S_IFIFO }, { "socket", S_IFSOCK },
};

static const char *entry_kind_name(uint32_t mode)
{
	for (size_t i = 0; i < COUNT(entry_kinds); i++)
		if (entry_kinds[i].type == (mode & S_IFMT))
			return entry_kinds[i].name;
	return "unknown type";
}

static const char *const section_kinds[] = { "kernel", "cmdline", "metadata", "ramdisk",
					     "signature" };

/* Decimal digits only, at most max. */
static int parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* "-" (out = "") or exactly hex_len lowercase hex digits. */
static int parse_digest(const char *s, size_t hex_len, char *out)
{
	if (strcmp(s, "-") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (strlen(s) != hex_len || strspn(s, "0123456789abcdef") != hex_len)
		return -1;
	memcpy(out, s, hex_len + 1);
	return 0;
}

static int parse_owner(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	char first[16];
	uint64_t u, g;

	if (!colon || (size_t)(colon - s) >= sizeof(first))
		return -1;
	memcpy(first, s, (size_t)(colon - s));
	first[colon - s] = '\0';
	if (parse_decimal(first, UINT32_MAX, &u) != 0 ||
	    parse_decimal(colon + 1, UINT32_MAX, &g) != 0)
		return -1;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}

static int compare_prov_entries(const void *pa, const void *pb)
{
	const struct prov_entry *a = pa, *b = pb;

	if (a->ramdisk != b->ramdisk)
		return a->ramdisk < b->ramdisk ? -1 : 1;
	return strcmp(a->name, b->name);
}

#define BAD_LINE(...) eif_fail(err, EIF_E_FORMAT, __VA_ARGS__)

/* The start every record parser shares: the field count, then a section or ramdisk number
 * in f[1]. */
static enum eif_status record_start(char **f, size_t n, size_t want, const char *layout,
				    const char *number_name, uint64_t *number, const char *what,
				    unsigned line, struct eif_error *err)
{
	if (n != want)
		return BAD_LINE("%s line %u: a %s record has %zu fields (%s), this one %zu; "
				"regenerate it with scripts/provenance", what, line, f[0], want,
				layout, n);
	if (parse_decimal(f[1], EIF_MAX_SECTIONS - 1, number) != 0)
		return BAD_LINE("%s line %u: %s '%s' is not 0..%d", what, line, number_name, f[1],
				EIF_MAX_SECTIONS - 1);
	return EIF_OK;
}

static enum eif_status parse_section_record(struct eif_provenance *m, char **f, size_t n,
					    const char *what, unsigned line,
					    struct eif_error *err)
{
	struct prov_section *s;
	enum eif_status rc;
	uint64_t index;
	size_t k;

	rc = record_start(f, n, 7, "section INDEX KIND SIZE SHA256 STEP INPUT", "section index",
			  &index, what, line, err);
	if (rc != EIF_OK)
		return rc;
	s = &m->sections[index];
	if (s->present)
		return BAD_LINE("%s line %u: section %s is described twice", what, line, f[1]);
	for (k = 0; k < COUNT(section_kinds); k++)
		if (strcmp(f[2], section_kinds[k]) == 0)
			break;
	if (k == COUNT(section_kinds))
		return BAD_LINE("%s line %u: section kind '%s' is not kernel, cmdline, metadata, "
				"ramdisk or signature", what, line, f[2]);
	s->kind = section_kinds[k];
	s->has_size = strcmp(f[3], "-") != 0;
	if (s->has_size && parse_decimal(f[3], UINT64_MAX, &s->size) != 0)
		return BAD_LINE("%s line %u: section size '%s' is not a decimal number or '-'",
				what, line, f[3]);
	if (parse_digest(f[4], 64, s->sha256) != 0)
		return BAD_LINE("%s line %u: '%s' is not a lowercase sha256 or '-'", what, line,
				f[4]);
	s->step = f[5];
	s->input = f[6];
	s->present = 1;
	return EIF_OK;
}

static enum eif_status parse_entry_record(struct prov_entry *e, char **f, size_t n,
					  const char *what, unsigned line, struct eif_error *err)
{
	enum eif_status rc;
	uint64_t v;
	size_t k;

	rc = record_start(f, n, 11, "entry RAMDISK NAME KIND MODE UID:GID SIZE SHA256 TARGET STEP "
			  "INPUT", "ramdisk number", &v, what, line, err);
	if (rc != EIF_OK)
		return rc;
	e->ramdisk = (unsigned)v;
	if (!*f[2])
		return BAD_LINE("%s line %u: the entry name is empty", what, line);
	e->name = f[2];
	for (k = 0; k < COUNT(entry_kinds); k++)
		if (strcmp(f[3], entry_kinds[k].name) == 0)
			break;
	if (k == COUNT(entry_kinds))
		return BAD_LINE("%s line %u: entry kind '%s' is not file, dir, symlink, char, block, "
				"fifo or socket", what, line, f[3]);
	e->type = entry_kinds[k].type;
	if (strlen(f[4]) != 4 || strspn(f[4], "01234567") != 4)
		return BAD_LINE("%s line %u: mode '%s' is not 4 octal digits", what, line, f[4]);
	e->mode = (uint32_t)strtoul(f[4], NULL, 8);
	if (parse_owner(f[5], &e->uid, &e->gid) != 0)
		return BAD_LINE("%s line %u: owner '%s' is not UID:GID", what, line, f[5]);
	if (parse_decimal(f[6], UINT32_MAX, &e->size) != 0)
		return BAD_LINE("%s line %u: size '%s' is not a decimal number below 4 GiB", what,
				line, f[6]);
	if (parse_digest(f[7], 64, e->sha256) != 0)
		return BAD_LINE("%s line %u: '%s' is not a lowercase sha256 or '-'", what, line,
				f[7]);
	if ((e->type == S_IFREG || e->type == S_IFLNK) && !e->sha256[0])
		return BAD_LINE("%s line %u: %s '%s' has no sha256; files and symlinks must be "
				"pinned", what, line, f[3], e->name);
	e->target = f[8];
	e->step = f[9];
	e->input = f[10];
	return EIF_OK;
}

static enum eif_status parse_record(struct eif_provenance *m, char **f, size_t n,
				    const char *what, unsigned line, struct eif_error *err)
{
	if (strcmp(f[0], "section") == 0)
		return parse_section_record(m, f, n, what, line, err);
	if (strcmp(f[0], "entry") == 0)
		return parse_entry_record(&m->entries[m->entry_count++], f, n, what, line, err);
	if (strcmp(f[0], "metadata") == 0) {
		if (n != 3)
			return BAD_LINE("%s line %u: a metadata record is 'metadata KEY VALUE'", what,
					line);
		m->metadata[m->metadata_count].key = f[1];
		m->metadata[m->metadata_count++].value = f[2];
		return EIF_OK;
	}
	if (strcmp(f[0], "signer") == 0) {
		struct prov_signer *s = &m->signers[m->signer_count++];

		if (n != 4 || parse_digest(f[1], 96, s->sha384) != 0 || !s->sha384[0])
			return BAD_LINE("%s line %u: a signer record is 'signer SHA384-FINGERPRINT "
					"STEP INPUT' with 96 lowercase hex digits", what, line);
		s->step = f[2];
		s->input = f[3];
		return EIF_OK;
	}
	if (strcmp(f[0], "input") == 0)
		return n >= 2 ? EIF_OK : BAD_LINE("%s line %u: an input record names the input",
						   what, line);
	return BAD_LINE("%s line %u: unknown record '%s'; this eif understands section, entry, "
			"metadata, signer and input records", what, line, f[0]);
}

/* Split one line into TAB-separated fields in place; -1 when there are too many. */
static int split_fields(char *p, char **f, size_t *n)
{
	*n = 0;
	for (char *q = p;; q++) {
		if (*n == MAX_FIELDS)
			return -1;
		f[(*n)++] = q;
		if (!(q = strchr(q, '\t')))
			return 0;
		*q = '\0';
	}
}

enum eif_status eif_provenance_parse(const char *text, size_t len, const char *what,
				     struct eif_provenance **out, struct eif_error *err)
{
	struct eif_provenance *m;
	size_t lines = 1;
	enum eif_status rc = EIF_OK;
	unsigned line = 0;
	int seen_magic = 0;
	char *p, *end;

	*out = NULL;
	if (memchr(text, '\0', len))
		return eif_fail(err, EIF_E_FORMAT, "%s: holds a NUL byte; it is not a provenance "
				"manifest", what);
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	m = calloc(1, sizeof(*m));
	if (!m || !(m->text = malloc(len + 1)) ||
	    !(m->entries = calloc(lines, sizeof(*m->entries))) ||
	    !(m->metadata = calloc(lines, sizeof(*m->metadata))) ||
	    !(m->signers = calloc(lines, sizeof(*m->signers)))) {
		eif_provenance_free(m);
		return eif_fail(err, EIF_E_NOMEM, "%s: out of memory reading the manifest", what);
	}
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	for (p = m->text, end = m->text + len; p <= end && rc == EIF_OK; p++) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *f[MAX_FIELDS];
		size_t n;

		if (!nl)
			nl = end;
		*nl = '\0';
		line++;
		if (!*p || *p == '#') {
			p = nl;
			continue;
		}
		if (split_fields(p, f, &n) != 0)
			rc = BAD_LINE("%s line %u: more than %d TAB-separated fields", what, line,
				      MAX_FIELDS);
		else if (!seen_magic && (n != 2 || strcmp(f[0], MANIFEST_MAGIC) != 0 ||
					 strcmp(f[1], MANIFEST_VERSION) != 0))
			rc = BAD_LINE("%s line %u: not an enclave-kit provenance manifest version 1 "
				      "(the first record must be '" MANIFEST_MAGIC "<TAB>1'); write "
				      "one with scripts/provenance", what, line);
		else if (seen_magic)
			rc = parse_record(m, f, n, what, line, err);
		seen_magic = 1;
		p = nl;
	}
	if (rc == EIF_OK && !seen_magic)
		rc = eif_fail(err, EIF_E_FORMAT, "%s: empty; write a manifest with scripts/provenance",
			      what);
	if (rc == EIF_OK && m->entry_count > 1) {
		qsort(m->entries, m->entry_count, sizeof(*m->entries), compare_prov_entries);
		for (size_t i = 1; i < m->entry_count; i++)
			if (compare_prov_entries(&m->entries[i - 1], &m->entries[i]) == 0) {
				rc = eif_fail(err, EIF_E_FORMAT, "%s: ramdisk %u entry '%s' is "
					      "described twice; regenerate it with scripts/provenance",
					      what, m->entries[i].ramdisk, m->entries[i].name);
				break;
			}
	}
	if (rc != EIF_OK) {
		eif_provenance_free(m);
		return rc;
	}
	*out = m;
	return EIF_OK;
}

enum eif_status eif_provenance_load(const char *path, struct eif_provenance **out,
				    struct eif_error *err)
{
	unsigned char *text;
	enum eif_status rc;
	char what[512];
	size_t len;

	*out = NULL;
	rc = eif_read_small_file(path, "provenance manifest", MANIFEST_MAX, &text, &len, err);
	if (rc != EIF_OK)
		return rc;
	snprintf(what, sizeof(what), "provenance manifest '%s'", path);
	rc = eif_provenance_parse((const char *)text, len, what, out, err);
	free(text);
	return rc;
}

void eif_provenance_free(struct eif_provenance *m)
{
	if (!m)
		return;
	free(m->text);
	free(m->entries);
	free(m->metadata);
	free(m->signers);
	free(m);
}

/* ---- report items -------------------------------------------------------------------- */

struct audit {
	const char *path;
	int fd;				/* the EIF: this descriptor, */
	const unsigned char *mem;	/* or these bytes when fd is -1 */
	const struct eif_provenance *m;
	const struct eif_info *info;
	struct eif_audit_report *r;
	struct eif_error *err;
	int nomem, io_failed;
	unsigned char *entry_used;
	int section_seen[EIF_MAX_SECTIONS];
	int ramdisk_damaged[EIF_MAX_SECTIONS];	/* entries past the damage were never read */
	uint64_t initrd_length;	/* ramdisk bytes so far, as the loader concatenates them */
};

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
static size_t add_item(struct audit *a, enum eif_audit_status status, uint64_t offset,
		       uint64_t length, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static size_t add_item(struct audit *a, enum eif_audit_status status, uint64_t offset,
		       uint64_t length, const char *fmt, ...)
{
	struct eif_audit_report *r = a->r;
	struct eif_audit_item *it;
	va_list ap;

	if (a->nomem)
		return SIZE_MAX;
	if (r->count == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct eif_audit_item *items = realloc(r->items, cap * sizeof(*items));

		if (!items) {
			a->nomem = 1;
			return SIZE_MAX;
		}
		r->items = items;
		r->cap = cap;
	}
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
static void note(struct audit *a, size_t i, enum eif_audit_status status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void note(struct audit *a, size_t i, enum eif_audit_status status, const char *fmt, ...)
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

static void set_source(struct audit *a, size_t i, const char *step, const char *input)
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

static void set_sha256(struct audit *a, size_t i, const unsigned char *data, size_t len)
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
static void printable(const char *s, size_t n, char *out, size_t cap)
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

/* ---- sections ------------------------------------------------------------------------ */

/* Compare a section with the manifest's record for its index. */
static void match_section(struct audit *a, size_t it, unsigned index, const char *kind,
			  uint64_t size)
{
	const struct prov_section *ps = &a->m->sections[index];
	const char *sha = it == SIZE_MAX ? "" : a->r->items[it].sha256;

	if (!ps->present) {
		note(a, it, EIF_AUDIT_UNKNOWN, "the manifest has no section %u: no build step "
		     "claims these bytes", index);
		return;
	}
	a->section_seen[index] = 1;
	if (it != SIZE_MAX && !a->r->items[it].step) /* a signer record, more precise, wins */
		set_source(a, it, ps->step, ps->input);
	if (strcmp(ps->kind, kind) != 0)
		note(a, it, EIF_AUDIT_MISMATCH, "the manifest says section %u is the %s", index,
		     ps->kind);
	if (ps->has_size && ps->size != size)
		note(a, it, EIF_AUDIT_MISMATCH, "%llu bytes, the manifest says %llu",
		     (unsigned long long)size, (unsigned long long)ps->size);
	if (ps->sha256[0] && strcmp(ps->sha256, sha) != 0)
		note(a, it, EIF_AUDIT_MISMATCH, "sha256 differs from the manifest's %s (rebuilt "
		     "since, or altered)", ps->sha256);
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void check_kernel(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	if (a->info->header.flags & EIF_FLAG_ARM64) {
		if (len >= 0x40 && memcmp(d + 0x38, "ARM\x64", 4) == 0)
			note(a, it, EIF_AUDIT_OK, "arm64 Image");
		else
			note(a, it, EIF_AUDIT_OK, "no arm64 Image magic at 0x38");
	} else if (len >= 0x208 && memcmp(d + 0x202, "HdrS", 4) == 0) {
		note(a, it, EIF_AUDIT_OK, "bzImage, x86 boot protocol %u.%02u",
		     le16(d + 0x206) >> 8, le16(d + 0x206) & 0xff);
	} else {
		note(a, it, EIF_AUDIT_OK, "no x86 boot header ('HdrS' at 0x202): not a bzImage");
	}
}

static void check_cmdline(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	char shown[300];

	if (memchr(d, 0, len)) {
		note(a, it, EIF_AUDIT_CORRUPT, "the command line holds a NUL byte, which ends it "
		     "for the kernel; the bytes after it are never used");
		return;
	}
	printable((const char *)d, len > 256 ? 256 : len, shown, sizeof(shown));
	note(a, it, EIF_AUDIT_OK, "'%s%s'", shown, len > 256 ? "..." : "");
}

static const char *const build_metadata_keys[] = { "BuildTime", "BuildTool", "BuildToolVersion",
						   "OperatingSystem", "KernelVersion" };
static const char *const top_metadata_keys[] = { "ImageName", "ImageVersion", "BuildMetadata",
						 "DockerInfo", "CustomMetadata" };

static int in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

/* The metadata as eif build serializes it: compact, members in this key order, with
 * BuildMetadata's own members in theirs. */
static void canonical_metadata(const struct json_value *obj, const char *const *keys, size_t n,
			       struct json_buf *b)
{
	json_buf_puts(b, "{");
	for (size_t i = 0; i < n; i++) {
		const struct json_value *v = json_object_get(obj, keys[i]);

		json_buf_puts(b, i ? "," : "");
		json_buf_string(b, keys[i], strlen(keys[i]));
		json_buf_puts(b, ":");
		if (strcmp(keys[i], "BuildMetadata") == 0)
			canonical_metadata(v, build_metadata_keys, COUNT(build_metadata_keys), b);
		else
			json_write(b, v, -1);
	}
	json_buf_puts(b, "}");
}

/* The string a manifest pin names, or NULL when absent or not a string. Each key has one
 * home, as eif build writes it: "BuildMetadata.KEY" and the bare BuildMetadata keys
 * ("BuildTime", ...) live only inside BuildMetadata, every other key only at the top, so
 * a stray top-level "BuildTime" can never stand in for the real one. */
static const struct json_value *metadata_string(const struct json_value *v, const char *key)
{
	const struct json_value *s;
	int nested = in_list(key, build_metadata_keys, COUNT(build_metadata_keys));

	if (strncmp(key, "BuildMetadata.", 14) == 0) {
		key += 14;
		nested = 1;
	}
	if (nested && (!(v = json_object_get(v, "BuildMetadata")) || v->type != JSON_OBJECT))
		return NULL;
	s = json_object_get(v, key);
	return s && s->type == JSON_STRING ? s : NULL;
}

/* Keys, types and exact bytes; returns 0 when the required keys are all there. */
static int check_metadata_shape(struct audit *a, size_t it, const struct json_value *v,
				const unsigned char *d, size_t len)
{
	const struct json_value *bm = json_object_get(v, "BuildMetadata"), *s;
	int missing = 0;

	for (size_t i = 0; i < COUNT(top_metadata_keys); i++)
		if (!json_object_get(v, top_metadata_keys[i])) {
			note(a, it, EIF_AUDIT_CORRUPT, "key %s is missing (AWS tools refuse such "
			     "metadata)", top_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; bm && i < COUNT(build_metadata_keys); i++)
		if (bm->type != JSON_OBJECT || !(s = json_object_get(bm, build_metadata_keys[i])) ||
		    s->type != JSON_STRING) {
			note(a, it, EIF_AUDIT_CORRUPT, "BuildMetadata.%s is missing or not a string",
			     build_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; i < 2; i++)
		if ((s = json_object_get(v, top_metadata_keys[i])) && s->type != JSON_STRING) {
			note(a, it, EIF_AUDIT_CORRUPT, "%s is not a string", top_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; i < v->count; i++)
		if (!in_list(v->keys[i], top_metadata_keys, COUNT(top_metadata_keys)))
			note(a, it, EIF_AUDIT_UNKNOWN, "key '%s' is not one eif build writes",
			     v->keys[i]);
	for (size_t i = 0; bm && bm->type == JSON_OBJECT && i < bm->count; i++)
		if (!in_list(bm->keys[i], build_metadata_keys, COUNT(build_metadata_keys)))
			note(a, it, EIF_AUDIT_UNKNOWN, "key 'BuildMetadata.%s' is not one eif build "
			     "writes", bm->keys[i]);
	if (!missing) {
		struct json_buf b = { 0 };

		canonical_metadata(v, top_metadata_keys, COUNT(top_metadata_keys), &b);
		if (b.failed)
			a->nomem = 1;
		else if (b.len != len || memcmp(b.data, d, len) != 0)
			note(a, it, EIF_AUDIT_UNKNOWN, "the bytes are not the compact serialization "
			     "eif build writes (spacing, key order or escapes differ)");
		free(b.data);
	}
	return missing ? -1 : 0;
}

static void check_metadata(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	static const char *const shown_keys[] = { "ImageName", "ImageVersion", "BuildTime",
						  "KernelVersion" };
	const struct json_value *s;
	struct json_value v;
	struct eif_error e;
	char shown[200];

	memset(&v, 0, sizeof(v));
	if (json_parse(d, len, "metadata section", &v, &e) != EIF_OK) {
		note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		return;
	}
	if (v.type != JSON_OBJECT) {
		note(a, it, EIF_AUDIT_CORRUPT, "the metadata is not a JSON object");
		json_free(&v);
		return;
	}
	if (check_metadata_shape(a, it, &v, d, len) == 0)
		for (size_t i = 0; i < COUNT(shown_keys); i++) {
			if (!(s = metadata_string(&v, shown_keys[i])))
				continue; /* the shape check has reported it */
			printable(s->text, s->len > 120 ? 120 : s->len, shown, sizeof(shown));
			note(a, it, EIF_AUDIT_OK, "%s '%s'", shown_keys[i], shown);
		}
	for (size_t i = 0; i < a->m->metadata_count; i++) {
		const struct prov_metadata *pm = &a->m->metadata[i];

		s = metadata_string(&v, pm->key);
		if (!s) {
			note(a, it, EIF_AUDIT_MISMATCH, "the manifest pins %s, which the metadata "
			     "lacks or holds as a non-string", pm->key);
		} else if (s->len != strlen(pm->value) || memcmp(s->text, pm->value, s->len) != 0) {
			printable(s->text, s->len > 120 ? 120 : s->len, shown, sizeof(shown));
			note(a, it, EIF_AUDIT_MISMATCH, "%s is '%s', the manifest says '%s'",
			     pm->key, shown, pm->value);
		}
	}
	json_free(&v);
}

static void check_signature(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	enum eif_signature_result result;
	char fingerprint[2 * EIF_PCR_SIZE + 1];
	struct eif_cert_info info;
	const char *name = NULL;
	struct eif_error e;

	memset(&info, 0, sizeof(info));
	if (eif_signature_cert_info(d, len, &info, &e) != EIF_OK) {
		note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		return;
	}
	eif_hex(info.fingerprint, EIF_PCR_SIZE, fingerprint);
	for (size_t i = 0; i < info.issuer_count; i++)
		if (strcmp(info.issuer[i].name, "commonName") == 0)
			name = info.issuer[i].value;
	note(a, it, EIF_AUDIT_OK, "certificate issued by CN '%s', SHA-384 fingerprint %s, valid "
	     "%s to %s", name ? name : "(none)", fingerprint, info.not_before, info.not_after);
	eif_cert_info_free(&info);
	result = eif_signature_verify(d, len, a->info->pcrs.pcr0, &e);
	if (result == EIF_SIGNATURE_CORRUPT)
		note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
	else if (result != EIF_SIGNATURE_VALID)
		note(a, it, EIF_AUDIT_MISMATCH, "%s", e.msg);
	else
		note(a, it, EIF_AUDIT_OK, "the COSE signature over PCR0 verifies");
	for (size_t i = 0; i < a->m->signer_count; i++)
		if (strcmp(a->m->signers[i].sha384, fingerprint) == 0) {
			set_source(a, it, a->m->signers[i].step, a->m->signers[i].input);
			return;
		}
	note(a, it, EIF_AUDIT_UNKNOWN, "the manifest allows no signer with this fingerprint "
	     "(run scripts/provenance with CERT=the certificate)");
}

/* ---- ramdisks ------------------------------------------------------------------------ */

static const struct prov_entry *find_prov_entry(const struct eif_provenance *m,
						unsigned ramdisk, const char *name)
{
	struct prov_entry key = { .ramdisk = ramdisk, .name = name };

	if (!m->entry_count)
		return NULL;
	return bsearch(&key, m->entries, m->entry_count, sizeof(key), compare_prov_entries);
}

/* A ramdisk's entries as stored and as the kernel leaves their names at boot. */
struct ramdisk_view {
	const struct cpio_read_entry *entries;
	const struct cpio_boot_view *boot;
};

static void describe_entry(struct audit *a, size_t it, const struct ramdisk_view *rv, size_t i)
{
	const struct cpio_read_entry *e = &rv->entries[i];
	const struct cpio_boot_view *b = &rv->boot[i];
	char target[CPIO_READ_PATH_MAX * 4 + 1];

	if (S_ISLNK(e->mode)) {
		printable((const char *)b->body, b->size, target, sizeof(target));
		note(a, it, EIF_AUDIT_OK, "symlink -> %s", target);
	} else if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		note(a, it, EIF_AUDIT_OK, "%s %04o %u:%u, device %u:%u", entry_kind_name(e->mode),
		     b->mode & 07777, b->uid, b->gid, b->rdev_major, b->rdev_minor);
	} else if (S_ISREG(e->mode)) {
		note(a, it, EIF_AUDIT_OK, "file %04o %u:%u, %llu bytes", b->mode & 07777, b->uid,
		     b->gid, (unsigned long long)b->size);
	} else {
		note(a, it, EIF_AUDIT_OK, "%s %04o %u:%u", entry_kind_name(e->mode),
		     b->mode & 07777, b->uid, b->gid);
	}
	if (b->names < 2)
		return;
	printable(rv->entries[b->inode].name, rv->entries[b->inode].name_len, target,
		  sizeof(target));
	note(a, it, EIF_AUDIT_OK, "one of %zu hard links to the inode first made as '%s'",
	     b->names, target);
	if (b->data_from != i && (e->filesize != 0 || b->size != 0)) {
		printable(rv->entries[b->data_from].name, rv->entries[b->data_from].name_len,
			  target, sizeof(target));
		note(a, it, EIF_AUDIT_OK, "%s at boot: the %u bytes stored with '%s'",
		     e->filesize ? "its own data is overwritten" : "its data",
		     b->size, target);
	}
	if (b->attrs_from != i && (b->mode != e->mode || b->uid != e->uid || b->gid != e->gid ||
				   b->rdev_major != e->rdev_major ||
				   b->rdev_minor != e->rdev_minor)) {
		printable(rv->entries[b->attrs_from].name, rv->entries[b->attrs_from].name_len,
			  target, sizeof(target));
		note(a, it, EIF_AUDIT_OK, "its header says %04o %u:%u, device %u:%u; at boot it "
		     "has those of '%s'", e->mode & 07777, e->uid, e->gid, e->rdev_major,
		     e->rdev_minor, target);
	}
}

static void match_entry(struct audit *a, size_t it, unsigned ramdisk,
			const struct ramdisk_view *rv, size_t i)
{
	const struct cpio_read_entry *e = &rv->entries[i];
	const struct cpio_boot_view *b = &rv->boot[i];
	const struct prov_entry *pe = find_prov_entry(a->m, ramdisk, e->name);
	const char *sha = it == SIZE_MAX ? "" : a->r->items[it].sha256;
	size_t index;

	if (!pe) {
		note(a, it, EIF_AUDIT_UNKNOWN, "not in the manifest: no build step claims this "
		     "entry");
		return;
	}
	index = (size_t)(pe - a->m->entries);
	if (a->entry_used[index]) {
		note(a, it, EIF_AUDIT_UNKNOWN, "a second entry with this name (at boot it replaces "
		     "the first); the manifest accounts for one");
		return;
	}
	a->entry_used[index] = 1;
	set_source(a, it, pe->step, pe->input);
	if ((e->mode & S_IFMT) != pe->type) {
		note(a, it, EIF_AUDIT_MISMATCH, "a %s, the manifest says %s",
		     entry_kind_name(e->mode), entry_kind_name(pe->type));
		return;
	}
	if ((b->mode & 07777) != pe->mode)
		note(a, it, EIF_AUDIT_MISMATCH, "mode %04o, the manifest says %04o", b->mode & 07777,
		     pe->mode);
	if (b->uid != pe->uid || b->gid != pe->gid)
		note(a, it, EIF_AUDIT_MISMATCH, "owner %u:%u, the manifest says %u:%u", b->uid,
		     b->gid, pe->uid, pe->gid);
	if ((S_ISREG(e->mode) || S_ISLNK(e->mode)) && b->size != pe->size)
		note(a, it, EIF_AUDIT_MISMATCH, "%llu bytes, the manifest says %llu",
		     (unsigned long long)b->size, (unsigned long long)pe->size);
	if (pe->sha256[0] && strcmp(sha, pe->sha256) != 0)
		note(a, it, EIF_AUDIT_MISMATCH, "sha256 differs from the manifest's %s",
		     pe->sha256);
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		char rdev[32];

		snprintf(rdev, sizeof(rdev), "%u:%u", b->rdev_major, b->rdev_minor);
		if (strcmp(rdev, pe->target) != 0)
			note(a, it, EIF_AUDIT_MISMATCH, "device %s, the manifest says %s", rdev,
			     pe->target);
	}
}

/* Read every entry first (hard links need the whole archive), then report them in order,
 * each with what its name holds at boot. */
static void check_ramdisk(struct audit *a, size_t section_item, unsigned ramdisk,
			  uint64_t data_offset, const unsigned char *d, size_t len)
{
	struct cpio_read_entry *v = NULL;
	struct cpio_boot_view *boot = NULL;
	size_t n = 0, cap = 0, it;
	struct cpio_reader r;
	struct eif_error e, link_err;
	enum eif_status rc;
	uint64_t structure;
	int end = 0;

	if (a->initrd_length & 3)
		note(a, section_item, EIF_AUDIT_CORRUPT, "the loader places this ramdisk at initrd "
		     "offset %llu, not a multiple of 4, so the kernel would not unpack it; "
		     "pad the previous ramdisk to a multiple of 4 bytes",
		     (unsigned long long)a->initrd_length);
	cpio_reader_init(&r, d, len);
	for (;;) {
		struct cpio_read_entry entry;

		if ((rc = cpio_read_next(&r, &entry, &end, &e)) != EIF_OK || end)
			break;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct cpio_read_entry *nv = realloc(v, ncap * sizeof(*nv));

			if (!nv) {
				a->nomem = 1;
				free(v);
				return;
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = entry;
	}
	if (n && (!(boot = malloc(n * sizeof(*boot))) ||
		  cpio_read_links(v, n, boot, &link_err) != EIF_OK))
		a->nomem = 1;
	for (size_t i = 0; i < n && !a->nomem; i++) {
		const struct ramdisk_view rv = { v, boot };
		char shown[CPIO_READ_PATH_MAX * 4 + 1];

		printable(v[i].name, v[i].name_len, shown, sizeof(shown));
		it = add_item(a, EIF_AUDIT_OK, data_offset + v[i].offset, v[i].length,
			      "ramdisk %u %s", ramdisk, shown);
		if (S_ISREG(v[i].mode) || S_ISLNK(v[i].mode))
			set_sha256(a, it, boot[i].body, boot[i].size);
		describe_entry(a, it, &rv, i);
		match_entry(a, it, ramdisk, &rv, i);
	}
	free(boot);
	free(v);
	structure = r.totals.trailer_bytes + r.totals.gap_bytes;
	if (rc != EIF_OK) {
		a->ramdisk_damaged[ramdisk] = 1;
		/* Trailers and padding before the failure are structure already read. */
		if (structure)
			add_item(a, EIF_AUDIT_OK, data_offset, structure,
				 "ramdisk %u cpio trailers and padding before the damage", ramdisk);
		it = add_item(a, EIF_AUDIT_CORRUPT, data_offset + r.pos, len - r.pos,
			      "ramdisk %u bytes %zu..%zu", ramdisk, r.pos, len);
		note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		set_sha256(a, it, d + r.pos, len - r.pos);
		return;
	}
	note(a, section_item, EIF_AUDIT_OK, "%llu entries in %llu newc archive%s",
	     (unsigned long long)r.totals.entries, (unsigned long long)r.totals.archives,
	     r.totals.archives == 1 ? "" : "s");
	it = add_item(a, EIF_AUDIT_OK, data_offset + len - structure, structure,
		      "ramdisk %u cpio trailer and padding", ramdisk);
	if (r.totals.entry_bytes + structure != len)
		note(a, it, EIF_AUDIT_CORRUPT, "entries (%llu bytes) and structure (%llu bytes) do "
		     "not add up to the section's %zu bytes", (unsigned long long)r.totals.entry_bytes,
		     (unsigned long long)structure, len);
	else
		note(a, it, EIF_AUDIT_OK, "TRAILER!!! entries and NUL padding");
}

/* ---- the walk ---------------------------------------------------------------------- */

static int read_at(struct audit *a, uint64_t offset, void *buf, size_t len)
{
	unsigned char *p = buf;

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
	while (len) {
		ssize_t n = pread(a->fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				eif_fail_errno(a->err, "audit: '%s': cannot read %zu bytes at offset "
					       "%llu", a->path, len, (unsigned long long)offset);
			else
				eif_fail(a->err, EIF_E_IO, "audit: '%s' became shorter while it was "
					 "read; audit a file nothing is writing to", a->path);
			a->io_failed = 1;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

static void check_header(struct audit *a, size_t it)
{
	const struct eif_header *h = &a->info->header;

	if (!a->info->crc_ok)
		note(a, it, EIF_AUDIT_CORRUPT, "stored CRC-32 0x%08x, computed 0x%08x: the file was "
		     "altered or damaged after it was built", h->crc32, a->info->crc_computed);
	if (h->version != EIF_VERSION_CURRENT)
		note(a, it, EIF_AUDIT_UNKNOWN, "version %u; eif build writes %d", h->version,
		     EIF_VERSION_CURRENT);
	if (h->flags & ~EIF_FLAG_ARM64)
		note(a, it, EIF_AUDIT_CORRUPT, "flags 0x%04x set reserved bits", h->flags);
	if (h->reserved != 0 || h->unused != 0)
		note(a, it, EIF_AUDIT_UNKNOWN, "reserved fields are not zero (%u, %u)", h->reserved,
		     h->unused);
	if (h->default_mem != EIF_DEFAULT_MEM || h->default_cpus != EIF_DEFAULT_CPUS)
		note(a, it, EIF_AUDIT_UNKNOWN, "default_mem %llu / default_cpus %llu are not the "
		     "values eif build writes (%llu / %d)", (unsigned long long)h->default_mem,
		     (unsigned long long)h->default_cpus, (unsigned long long)EIF_DEFAULT_MEM,
		     EIF_DEFAULT_CPUS);
	note(a, it, EIF_AUDIT_OK, "EIF v%u, %s, %u sections, CRC-32 0x%08x", h->version,
	     h->flags & EIF_FLAG_ARM64 ? "aarch64" : "x86_64", h->num_sections, h->crc32);
	set_source(a, it, "eif-build", "the EIF format: magic, version, section table, CRC-32");
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
		it = add_item(a, EIF_AUDIT_OK, s->offset, EIF_SECTION_HEADER_SIZE,
			      "section %u ramdisk %u", i, *ramdisk);
		if (it != SIZE_MAX)
			a->r->items[it].container = 1;
	} else
		it = add_item(a, EIF_AUDIT_OK, s->offset, EIF_SECTION_HEADER_SIZE + s->size,
			      "section %u %s", i, kind);
	set_sha256(a, it, data, (size_t)s->size);
	switch (s->type) {
	case EIF_SECTION_KERNEL: check_kernel(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_CMDLINE: check_cmdline(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_METADATA: check_metadata(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_SIGNATURE: check_signature(a, it, data, (size_t)s->size); break;
	case EIF_SECTION_RAMDISK:
		check_ramdisk(a, it, *ramdisk, data_offset, data, (size_t)s->size);
		a->initrd_length += s->size;
		++*ramdisk;
		break;
	default: break;
	}
	match_section(a, it, i, kind, s->size);
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
		it = add_item(a, EIF_AUDIT_MISSING, 0, 0, "section %u %s", i, ps->kind);
		set_source(a, it, ps->step, ps->input);
		note(a, it, EIF_AUDIT_MISSING, "the manifest names it, the EIF has no section %u", i);
	}
	for (size_t i = 0; i < a->m->entry_count; i++) {
		const struct prov_entry *pe = &a->m->entries[i];
		size_t it;

		if (a->entry_used[i] || a->ramdisk_damaged[pe->ramdisk])
			continue;
		it = add_item(a, EIF_AUDIT_MISSING, 0, 0, "ramdisk %u %s", pe->ramdisk, pe->name);
		set_source(a, it, pe->step, pe->input);
		if (it != SIZE_MAX && pe->sha256[0])
			memcpy(a->r->items[it].sha256, pe->sha256, 65);
		note(a, it, EIF_AUDIT_MISSING, "the manifest names this %s, ramdisk %u lacks it",
		     entry_kind_name(pe->type), pe->ramdisk);
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
	header = add_item(a, EIF_AUDIT_OK, 0, EIF_HEADER_SIZE, "header");
	set_sha256(a, header, raw, sizeof(raw));
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
		size_t it = add_item(a, EIF_AUDIT_CORRUPT, 0, 0, "section layout");

		note(a, it, EIF_AUDIT_CORRUPT, "header and sections cover %llu of %llu bytes",
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
	it = add_item(a, EIF_AUDIT_CORRUPT, 0, size, "EIF structure");
	note(a, it, EIF_AUDIT_CORRUPT, "%s", why->msg);
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
		printable(s + i, n - i > 240 ? 240 : n - i, shown, sizeof(shown));
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

static int add_string(struct json_value *obj, const char *key, const char *s)
{
	struct json_value *v = json_object_add(obj, key);

	if (!v)
		return -1;
	return s ? json_set_string(v, s, strlen(s)) : 0;
}

static int add_number(struct json_value *obj, const char *key, uint64_t n)
{
	struct json_value *v = json_object_add(obj, key);
	char text[24];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)n);
	return v ? json_set_number_text(v, text) : -1;
}

static int add_pcr(struct json_value *obj, const char *key, const unsigned char pcr[EIF_PCR_SIZE])
{
	char hex[EIF_PCR_HEX_SIZE];

	eif_hex(pcr, EIF_PCR_SIZE, hex);
	return add_string(obj, key, hex);
}

static int report_json(const struct eif_audit_report *r, const char *path, struct json_value *out)
{
	struct json_value *items, *summary, *pcrs;
	static const char *const count_keys[] = { "ok", "unknown", "mismatch", "missing",
						  "corrupt" };

	json_init_object(out);
	if (add_string(out, "file", path) || add_number(out, "size", r->file_size) ||
	    add_string(out, "result", result_name(r)))
		return -1;
	if (r->walk_complete) {
		if (!(pcrs = json_object_add(out, "PCRs")))
			return -1;
		json_init_object(pcrs);
		if (add_pcr(pcrs, "PCR0", r->pcrs.pcr0) || add_pcr(pcrs, "PCR1", r->pcrs.pcr1) ||
		    add_pcr(pcrs, "PCR2", r->pcrs.pcr2) ||
		    (r->pcrs.has_pcr8 && add_pcr(pcrs, "PCR8", r->pcrs.pcr8)))
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
		if (add_string(v, "status", eif_audit_status_name(it->status)) ||
		    add_string(v, "what", it->what) || add_number(v, "offset", it->offset) ||
		    add_number(v, "length", it->length) || add_string(v, "step", it->step) ||
		    add_string(v, "input", it->input) ||
		    add_string(v, "sha256", it->sha256[0] ? it->sha256 : NULL) ||
		    add_string(v, "detail", it->detail))
			return -1;
	}
	if (!(summary = json_object_add(out, "summary")))
		return -1;
	json_init_object(summary);
	if (add_number(summary, "items", r->count))
		return -1;
	for (unsigned s = 0; s < EIF_AUDIT_STATUS_COUNT; s++)
		if (add_number(summary, count_keys[s], r->counts[s]))
			return -1;
	if (add_number(summary, "bytes_ok", r->bytes_ok) ||
	    add_number(summary, "bytes_flagged", r->bytes_flagged))
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
