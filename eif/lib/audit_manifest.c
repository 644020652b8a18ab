/* eif audit: the provenance manifest scripts/provenance writes (see audit.h). */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAGIC "enclave-kit-provenance"
#define MANIFEST_VERSION "1"
#define MANIFEST_MAX (256u << 20)
#define MAX_FIELDS 12

/* ---- the manifest --------------------------------------------------------------------- */

static const struct {
	const char *name;
	uint32_t type;
} entry_kinds[] = {
	{ "file", S_IFREG }, { "dir", S_IFDIR }, { "symlink", S_IFLNK }, { "char", S_IFCHR },
	{ "block", S_IFBLK }, { "fifo", S_IFIFO }, { "socket", S_IFSOCK },
};

const char *audit_entry_kind_name(uint32_t mode)
{
	for (size_t i = 0; i < COUNT(entry_kinds); i++)
		if (entry_kinds[i].type == (mode & S_IFMT))
			return entry_kinds[i].name;
	return "unknown type";
}

static const char *const section_kinds[] = { "kernel", "cmdline", "metadata", "ramdisk",
					     "signature" };

/* Decimal digits only, at most max. */
static bool decimal(const char *s, uint64_t max, uint64_t *out)
{
	return eif_parse_digits(s, strlen(s), 10, max, out);
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

int audit_prov_compare(const void *pa, const void *pb)
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
	if (!decimal(f[1], EIF_MAX_SECTIONS - 1, number))
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
	if (s->has_size && !decimal(f[3], UINT64_MAX, &s->size))
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
	if (strlen(f[4]) != 4 || !eif_parse_digits(f[4], 4, 8, 07777, &v))
		return BAD_LINE("%s line %u: mode '%s' is not 4 octal digits", what, line, f[4]);
	e->mode = (uint32_t)v;
	if (eif_parse_owner(f[5], &e->uid, &e->gid) != 0)
		return BAD_LINE("%s line %u: owner '%s' is not UID:GID", what, line, f[5]);
	if (!decimal(f[6], UINT32_MAX, &e->size))
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
		qsort(m->entries, m->entry_count, sizeof(*m->entries), audit_prov_compare);
		for (size_t i = 1; i < m->entry_count; i++)
			if (audit_prov_compare(&m->entries[i - 1], &m->entries[i]) == 0) {
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
