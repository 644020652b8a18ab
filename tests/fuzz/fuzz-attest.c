/* libFuzzer target: a hostile attestation document (raw CBOR or base64) must never crash the
 * input decoder, the strict document parser or the verdict's JSON, every field the parser
 * accepts must lie inside the input, and every rejection must explain itself. The crypto
 * checks (chain, signature) are fuzzed through fuzz-signature; here the point is the decoder,
 * so each execution stays cheap enough for 10 M runs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <eif/attest.h>

static void inside(const void *p, size_t n, const unsigned char *buf, size_t len)
{
	const unsigned char *q = p;

	if (n && (q < buf || n > len || (size_t)(q - buf) > len - n))
		abort();
}

static void check_doc(const struct eif_attest_doc *d, const unsigned char *buf, size_t len)
{
	inside(d->module_id, d->module_id_len, buf, len);
	inside(d->digest, d->digest_len, buf, len);
	inside(d->certificate.data, d->certificate.len, buf, len);
	if (d->cabundle_count == 0 || d->cabundle_count > EIF_ATTEST_CABUNDLE_MAX ||
	    d->certificate.len == 0 || d->certificate.len > EIF_ATTEST_FIELD_MAX)
		abort();
	for (size_t i = 0; i < d->cabundle_count; i++)
		inside(d->cabundle[i].data, d->cabundle[i].len, buf, len);
	for (int i = 0; i < EIF_ATTEST_PCR_COUNT; i++) {
		if (d->pcrs[i].present && d->pcrs[i].len != 32 && d->pcrs[i].len != 48 &&
		    d->pcrs[i].len != 64)
			abort();
		inside(d->pcrs[i].data, d->pcrs[i].len, buf, len);
	}
	const struct eif_attest_bytes *opt[] = { &d->nonce, &d->user_data, &d->public_key };
	for (int i = 0; i < 3; i++) {
		if (opt[i]->len > EIF_ATTEST_FIELD_MAX)
			abort();
		inside(opt[i]->data, opt[i]->len, buf, len);
	}
	if (d->digest_len != 6 || memcmp(d->digest, "SHA384", 6) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eif_attest_result res;
	struct eif_error err;
	unsigned char *raw;
	size_t len;

	err.msg[0] = '\0';
	if (eif_attest_doc_decode(data, size, &raw, &len, &err) != EIF_OK) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	memset(&res, 0, sizeof(res));
	err.msg[0] = '\0';
	if (eif_attest_doc_parse(raw, len, &res.doc, &err) == EIF_OK) {
		check_doc(&res.doc, raw, len);
		res.doc_ok = 1;
		res.verdict = EIF_ATTEST_MISMATCH;
		free(eif_attest_result_json(&res));
	} else if (err.msg[0] == '\0') {
		abort();	/* every rejection explains itself */
	}
	free(raw);
	return 0;
}
