/* Internal to the SBOM writer (eif/lib/sbom.c, eif/lib/sbom_app.c). */
#ifndef EIF_SBOM_INT_H
#define EIF_SBOM_INT_H

#include <eif/eif.h>

/* "sbom: out of memory", as EIF_E_NOMEM. */
enum eif_status sbom_no_memory(struct eif_error *err);

/* Lowercase hex SHA-1 (sha1 may be NULL) and SHA-256 of the file at path. */
enum eif_status sbom_file_digests(const char *path, char sha1[41], char sha256[65],
				  struct eif_error *err);

/* The application's hash (hex) and what it is (*what, a fixed text): a file or an image by its
 * bytes, a directory by its manifest. record (may be NULL) is eif cpio's record of the user
 * ramdisk; it is used, instead of a walk of the tree, when its last line names the archive
 * user_sha256 (the ramdisk's sha256). */
enum eif_status sbom_app_hash(const char *app, char *record, const char *user_sha256, char hex[65],
			      const char **what, struct eif_error *err);

#endif
