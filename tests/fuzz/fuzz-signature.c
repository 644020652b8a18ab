/* libFuzzer target: a hostile signature section (or bare COSE_Sign1) must never crash the
 * section parser, the COSE parser, the certificate reader or the verifier. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cose.h"
#include "sign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* tv1's PCR0, so the TV-14 seed reaches the "valid" path */
	static const unsigned char pcr0[EIF_PCR_SIZE] = {
		0xd8, 0x34, 0x79, 0x61, 0x77, 0x48, 0xab, 0xea, 0xb8, 0x51, 0x27, 0x6f,
		0x77, 0x5e, 0x8e, 0x6d, 0xaf, 0x65, 0xb5, 0x0f, 0xf7, 0x12, 0x78, 0x17,
		0x38, 0xb0, 0x77, 0x07, 0xfe, 0xa6, 0x38, 0xe8, 0xa4, 0x09, 0xf4, 0x20,
		0x73, 0x23, 0x4d, 0x1c, 0x5c, 0x99, 0x0a, 0x78, 0x7d, 0xbf, 0x0b, 0x61,
	};
	struct eif_error err;
	struct eif_cert_info info;
	struct eif_cose_sign1 cose;

	err.msg[0] = '\0';
	enum eif_signature_result r = eif_signature_verify(data, size, pcr0, &err);
	if (r != EIF_SIGNATURE_VALID && err.msg[0] == '\0')
		abort();	/* every failure explains itself */
	if (eif_signature_cert_info(data, size, &info, &err) == EIF_OK)
		eif_cert_info_free(&info);
	if (eif_cose_sign1_parse(data, size, &cose, &err) == EIF_OK) {
		if (cose.payload < data || cose.payload_len > size ||
		    cose.signature_len > size || cose.protected_len > size)
			abort();
	}
	return 0;
}
