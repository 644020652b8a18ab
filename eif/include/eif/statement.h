/* statement: the build statement, an in-toto Statement v1 (https://in-toto.io/Statement/v1)
 * whose subject is the EIF (sha256) and whose predicate says what the build measured and
 * from what:
 *   {"measurements": {"HashAlgorithm", "PCR0", "PCR1", "PCR2"[, "PCR8"]},
 *    "locks": [{"name", "sha256"}...], "sbom": {"name", "sha256"},
 *    "source": {"commit"}}
 * The measurements are those out/pcr.json holds, recomputed from the EIF (PCR8 only when it
 * is signed), so eif attest --statement can use them as expectations. */
#ifndef EIF_STATEMENT_H
#define EIF_STATEMENT_H

#include <stddef.h>

#include <eif/attest.h>
#include <eif/eif.h>

#define EIF_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define EIF_STATEMENT_PREDICATE_TYPE "https://enclave-kit.dev/eif-build/v1"
#define EIF_STATEMENT_LOCKS_MAX 16

struct eif_statement_input {
	const char *eif_path;
	const char *sbom_path;
	const char *lock_paths[EIF_STATEMENT_LOCKS_MAX];
	size_t lock_count;
	const char *commit;	/* source commit (git describe --always --dirty --abbrev=40) */
};

/* The statement as pretty JSON text (malloc'd). Reads the EIF (structure and CRC must be
 * good), the SBOM and the locks. */
enum eif_status eif_statement_build(const struct eif_statement_input *in, char **text,
				    struct eif_error *err);

/* A statement's measurements as expectations for eif_attest_verify(); checks _type and
 * predicateType. what names the file in messages. */
enum eif_status eif_statement_expect(struct eif_attest_expect *expect, const unsigned char *text,
				     size_t len, const char *what, struct eif_error *err);

#endif
