/* libFuzzer target: libnsm's decoders on hostile bytes, as if the device sent them. Each input
 * is decoded as an NSM answer and as an attestation document; an Attestation answer's document
 * is decoded too. Nothing may crash, read out of bounds or return success with bad fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nsm.h"

static void check_bytes(struct nsm_bytes b, const uint8_t *buf, size_t len)
{
	/* Decoded fields point into the input, never outside it. */
	if (b.data && (b.data < buf || b.len > len || b.data + b.len > buf + len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nsm_document doc;
	struct nsm_response resp;
	char err[NSM_ERROR_MAX];

	if (nsm_decode_response(data, size, &resp, err, sizeof(err)) == NSM_SUCCESS) {
		check_bytes(resp.data, data, size);
		check_bytes(resp.random, data, size);
		check_bytes(resp.document, data, size);
		if (resp.data.data && resp.data.len != 32 && resp.data.len != 48 &&
		    resp.data.len != 64)
			abort();
		if (resp.description.locked_count > NSM_MAX_LOCKED ||
		    strlen(resp.description.module_id) > NSM_MODULE_ID_MAX)
			abort();
		if (!resp.is_error && resp.kind == NSM_REQ_ATTESTATION &&
		    nsm_decode_document(resp.document.data, resp.document.len, &doc, err,
					sizeof(err)) == NSM_SUCCESS)
			check_bytes(doc.payload, resp.document.data, resp.document.len);
	}
	if (nsm_decode_document(data, size, &doc, err, sizeof(err)) == NSM_SUCCESS) {
		check_bytes(doc.payload, data, size);
		check_bytes(doc.module_id, data, size);
		check_bytes(doc.nonce, data, size);
		if (doc.pcr_count < 1 || doc.pcr_count > NSM_MAX_PCRS || doc.user_data.len > 1024)
			abort();
		for (size_t i = 0; i < doc.pcr_count; i++)
			check_bytes(doc.pcrs[i].value, data, size);
	}
	return 0;
}
