/* audit: account for every byte of an EIF against a provenance manifest.
 *
 * The manifest (written by scripts/provenance; its format is documented at the top of that
 * script) says, for each section and each entry of each ramdisk, which build step made it
 * from which pinned input, and its size and sha256. eif_audit() reads the file through one
 * descriptor with eif_read_fd() (which refuses gaps, overlaps and trailing bytes: such a
 * file is reported as one corrupt item) and then walks it: the header (fields and CRC-32),
 * every section in order, the kernel, the command line, the metadata JSON (exact
 * serialization and the values the manifest pins), the signature (structure, COSE signature
 * over PCR0, certificate allowed by the manifest), and every entry of every newc ramdisk
 * (type, mode, owner, size, sha256 of file data and link targets, as the name holds them at
 * boot once cpio_read_links() has resolved hard links as the kernel does). Each part becomes
 * one item of the report; the items' byte ranges together cover the whole file exactly once.
 *
 * Nothing here prints or exits. */
#ifndef EIF_AUDIT_H
#define EIF_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

enum eif_audit_status {
	EIF_AUDIT_OK = 0,	/* accounted for by the manifest (or by the format itself) */
	EIF_AUDIT_UNKNOWN,	/* bytes or entries the manifest does not name */
	EIF_AUDIT_MISMATCH,	/* named by the manifest, but different (hash, size, mode, ...) */
	EIF_AUDIT_MISSING,	/* in the manifest, not in the EIF (covers no bytes) */
	EIF_AUDIT_CORRUPT,	/* breaks the EIF or newc format; the walk may stop here */
};
#define EIF_AUDIT_STATUS_COUNT 5

struct eif_audit_item {
	enum eif_audit_status status;
	char *what;		/* "header", "section 0 kernel", "ramdisk 1 rootfs/bin/hello" */
	uint64_t offset;	/* the bytes of the EIF this item covers */
	uint64_t length;
	char *step;		/* manifest STEP and INPUT; NULL when the manifest has none */
	char *input;
	char sha256[65];	/* lowercase hex of the item's data (a ramdisk entry: what its name
				 * holds at boot), "" when there is none */
	char *detail;		/* facts about the item, or what is wrong and what to do */
	int container;		/* a ramdisk section: its entries' items cover its data */
};

struct eif_audit_report {
	struct eif_audit_item *items;
	size_t count, cap;
	uint64_t file_size;
	uint64_t bytes_ok;	/* covered by items with status OK */
	uint64_t bytes_flagged;	/* covered by all other items */
	size_t counts[EIF_AUDIT_STATUS_COUNT];
	int walk_complete;	/* every section was read; pcrs is valid */
	struct eif_measurements pcrs;
};

struct eif_provenance;

/* Read and check a manifest (EIF_E_IO, EIF_E_FORMAT naming the line, EIF_E_NOMEM). */
enum eif_status eif_provenance_load(const char *path, struct eif_provenance **out,
				    struct eif_error *err);
/* The same for text in memory; what names it in messages. */
enum eif_status eif_provenance_parse(const char *text, size_t len, const char *what,
				     struct eif_provenance **out, struct eif_error *err);
void eif_provenance_free(struct eif_provenance *manifest);

/* Audit the EIF at path. Returns EIF_OK whenever the file could be read, with every finding
 * (including a corrupt or truncated file) in *report; EIF_E_IO when it cannot be opened or
 * read, EIF_E_NOMEM. Free the report with eif_audit_report_free() in every case. */
enum eif_status eif_audit(const char *path, const struct eif_provenance *manifest,
			  struct eif_audit_report *report, struct eif_error *err);
/* The same for an EIF in memory (len bytes at data); name names it in messages. */
enum eif_status eif_audit_memory(const unsigned char *data, size_t len, const char *name,
				 const struct eif_provenance *manifest,
				 struct eif_audit_report *report, struct eif_error *err);
void eif_audit_report_free(struct eif_audit_report *report);

/* "ok", "unknown", "mismatch", "missing", "corrupt". */
const char *eif_audit_status_name(enum eif_audit_status status);
/* 0 when every item is OK, 3 when one is CORRUPT, else 1: the exit status of eif audit. */
int eif_audit_exit_code(const struct eif_audit_report *report);
/* The item that best explains a failure: the first corrupt one, else the first other
 * item that is not OK, preferring entries to the ramdisk sections holding them; NULL when
 * all are OK. */
const struct eif_audit_item *eif_audit_first_problem(const struct eif_audit_report *report);

/* One line per item, then a summary line. malloc'd, NULL when out of memory. */
char *eif_audit_report_text(const struct eif_audit_report *report, const char *path);
/* The report as pretty JSON with a final newline: {"file", "size", "result", "PCRs"?,
 * "items": [...], "summary": {...}} in this key order; each item {"status", "what", "offset",
 * "length", "step", "input", "sha256", "detail"} (step/input/sha256/detail null when
 * absent). malloc'd, NULL when out of memory. */
char *eif_audit_report_json(const struct eif_audit_report *report, const char *path);

#endif
