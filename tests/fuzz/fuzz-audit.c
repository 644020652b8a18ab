/* libFuzzer target: eif audit of a hostile EIF (the input, whole) against a fixed manifest
 * must never crash, and its report must keep audit.h's promises (audit-common.h). The input
 * is also fed to the manifest parser, which reads text from the same untrusted places. */
#include "audit-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eif_provenance *manifest = NULL;
	struct eif_error err;

	err.msg[0] = '\0';
	if (eif_provenance_parse((const char *)data, size, "fuzz", &manifest, &err) != EIF_OK) {
		if (err.msg[0] == '\0' || manifest)
			abort();
	}
	eif_provenance_free(manifest);
	fuzz_audit_check(data, size);
	return 0;
}
