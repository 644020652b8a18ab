/* Internals of eif audit (audit.c: report items and the walk; audit_manifest.c: the
 * provenance manifest; audit_check.c: the checks of sections and ramdisk entries;
 * audit_report.c: the report as text and JSON). Library-only. */
#ifndef EIF_AUDIT_INT_H
#define EIF_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eif/audit.h>

#include "json.h"
#include "util.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the manifest (audit_manifest.c) ---- */
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

/* "file", "dir", "symlink", ... for the S_IF* type of mode, as the manifest names it. */
const char *audit_entry_kind_name(uint32_t mode);
/* Manifest entries in (ramdisk, name) order, for qsort and bsearch. */
int audit_prov_compare(const void *pa, const void *pb);

/* ---- report items (audit.c) ---- */

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

/* A new item; returns its index (items move when the array grows), SIZE_MAX when out of
 * memory (every helper below ignores SIZE_MAX). */
size_t audit_item_add(struct audit *a, enum eif_audit_status status, uint64_t offset,
		      uint64_t length, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Raise the item's status to at least status and append "; text" to its detail. */
void audit_note(struct audit *a, size_t i, enum eif_audit_status status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The build step and pinned input that made item i. */
void audit_set_source(struct audit *a, size_t i, const char *step, const char *input);
/* Item i's sha256, of the len bytes at data. */
void audit_set_sha256(struct audit *a, size_t i, const unsigned char *data, size_t len);
/* Names from the archive may hold any byte; keep messages on one line. */
void audit_printable(const char *s, size_t n, char *out, size_t cap);

/* ---- checks (audit_check.c) ---- */

/* Compare a section with the manifest's record for its index. */
void audit_match_section(struct audit *a, size_t it, unsigned index, const char *kind,
			 uint64_t size);
void audit_check_kernel(struct audit *a, size_t it, const unsigned char *d, size_t len);
void audit_check_cmdline(struct audit *a, size_t it, const unsigned char *d, size_t len);
void audit_check_metadata(struct audit *a, size_t it, const unsigned char *d, size_t len);
void audit_check_signature(struct audit *a, size_t it, const unsigned char *d, size_t len);
/* Read every entry first (hard links need the whole archive), then report them in order,
 * each with what its name holds at boot. */
void audit_check_ramdisk(struct audit *a, size_t section_item, unsigned ramdisk,
			 uint64_t data_offset, const unsigned char *d, size_t len);

#endif
