/* Provenance records written by the cpio writer (eif cpio --record) and by eif build
 * (eif build --record): the lines of the manifest `eif audit --provenance` reads (see
 * scripts/provenance and eif(1)), filled from what the writer really wrote, so that
 * scripts/provenance only joins them and labels their inputs.
 *
 * eif cpio --record: one line per archive entry, in archive order,
 *   entry  -  NAME KIND MODE UID:GID SIZE SHA256 TARGET ORIGIN SOURCE
 * RAMDISK "-" (the archive does not know its place in the EIF); ORIGIN is where the writer
 * took the entry from: "dir" (SOURCE: the path below the --dir tree), "list" (SOURCE: a
 * file line's LOCATION as written, else "-"), "image" (--oci, --docker-archive) or
 * "implied" (a parent nobody declared); SOURCE is "-" for the last two. The file ends with
 *   # archive SIZE SHA256
 * of the whole archive, so a reader can tell whether the record is that of the archive it has.
 *
 * eif build --record: one "section INDEX KIND SIZE SHA256 - -" line per section as written
 * (SIZE and SHA256 "-" for metadata and signature), then "metadata KEY VALUE" for ImageName,
 * ImageVersion, BuildTime and KernelVersion. */
#ifndef EIF_RECORD_H
#define EIF_RECORD_H

#include <stdint.h>

#include <eif/cpio.h>

/* Zero-initialise; eif_record_open makes the output, commit or abort ends it. */
struct eif_record {
	struct eif_outfile *out; /* library-internal */
	const char *path;
};

/* The KIND field of entry records for a mode's type: file, dir, symlink, char, block, fifo
 * or socket. */
const char *eif_record_kind(uint32_t mode);

/* Open path for an atomic write (nothing appears until eif_record_commit). */
enum eif_status eif_record_open(struct eif_record *r, const char *path, struct eif_error *err);
/* A cpio_report_fn: ctx is the struct eif_record. Refuses names and link targets with
 * control characters, which a TAB- and newline-separated record cannot hold. */
enum eif_status eif_record_cpio_entry(void *ctx, const struct cpio_entry_info *entry,
				      struct eif_error *err);
/* One TAB-separated line of fields (n of them); refuses control characters in fields. */
enum eif_status eif_record_line(struct eif_record *r, const char *const *fields, size_t n,
				struct eif_error *err);
/* A section_written callback of struct eif_build_options: ctx is the struct eif_record. */
enum eif_status eif_record_section(void *ctx, unsigned index, uint16_t type, uint64_t size,
				   const unsigned char *sha256, struct eif_error *err);
enum eif_status eif_record_commit(struct eif_record *r, struct eif_error *err);
void eif_record_abort(struct eif_record *r);

#endif
