/* cose: PcrInfo, COSE_Sign1 and signature section bytes (docs/eif-format.md#cbor-encoding). */
#include <eif/cose.h>

#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "util.h"

#define KEY_REGISTER_INDEX "register_index"
#define KEY_REGISTER_VALUE "register_value"
#define KEY_CERTIFICATE "signing_certificate"
#define KEY_SIGNATURE "signature"
#define COSE_HEADER_ALG 1

/* Runs an encoder twice: once to measure, once into an exactly sized malloc'd buffer. */
typedef void encode_fn(struct cbor_writer *w, const void *ctx);

static enum eif_status encode_alloc(encode_fn *encode, const void *ctx, const char *what,
				    unsigned char **out, size_t *len, struct eif_error *err)
{
	struct cbor_writer w;
	size_t need;

	cbor_writer_init(&w, NULL, 0);
	encode(&w, ctx);
	cbor_writer_finish(&w, &need);
	if (need == SIZE_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: encoding too large", what);
	unsigned char *buf = malloc(need ? need : 1);
	if (!buf)
		return eif_fail(err, EIF_E_NOMEM, "%s: out of memory for %zu bytes", what, need);
	cbor_writer_init(&w, buf, need);
	encode(&w, ctx);
	if (cbor_writer_finish(&w, len) != CBOR_OK) {
		free(buf);
		return eif_fail(err, EIF_E_LIMIT, "%s: encoding changed size between passes", what);
	}
	*out = buf;
	return EIF_OK;
}

enum eif_status eif_pcr_payload_encode(unsigned register_index, const unsigned char *value,
				       size_t value_len, unsigned char out[EIF_PCR_PAYLOAD_MAX],
				       size_t *len, struct eif_error *err)
{
	struct cbor_writer w;

	if (value_len > 64)
		return eif_fail(err, EIF_E_USAGE, "PCR payload: register value of %zu bytes; "
				"at most 64 (SHA-512) are possible", value_len);
	cbor_writer_init(&w, out, EIF_PCR_PAYLOAD_MAX);
	cbor_put_map(&w, 2);
	cbor_put_cstr(&w, KEY_REGISTER_INDEX);
	cbor_put_uint(&w, register_index);
	cbor_put_cstr(&w, KEY_REGISTER_VALUE);
	cbor_put_byte_array(&w, value, value_len);
	if (cbor_writer_finish(&w, len) != CBOR_OK)
		return eif_fail(err, EIF_E_LIMIT, "PCR payload: register index %u too large",
				register_index);
	return EIF_OK;
}

size_t eif_cose_protected_encode(int64_t alg, unsigned char out[16])
{
	struct cbor_writer w;
	size_t len;

	cbor_writer_init(&w, out, 16);
	cbor_put_map(&w, 1);
	cbor_put_uint(&w, COSE_HEADER_ALG);
	cbor_put_int(&w, alg);
	cbor_writer_finish(&w, &len);	/* at most 1 + 1 + 9 bytes: always fits */
	return len;
}

struct sign1_parts {
	const unsigned char *protected_hdr, *payload, *signature;
	size_t protected_len, payload_len, signature_len;
};

static void encode_sig_structure(struct cbor_writer *w, const void *ctx)
{
	const struct sign1_parts *p = ctx;

	cbor_put_array(w, 4);
	cbor_put_cstr(w, "Signature1");
	cbor_put_bytes(w, p->protected_hdr, p->protected_len);
	cbor_put_bytes(w, NULL, 0);	/* external_aad: empty */
	cbor_put_bytes(w, p->payload, p->payload_len);
}

enum eif_status eif_cose_sig_structure(const unsigned char *protected_hdr, size_t protected_len,
				       const unsigned char *payload, size_t payload_len,
				       unsigned char **out, size_t *len, struct eif_error *err)
{
	struct sign1_parts p = { protected_hdr, payload, NULL, protected_len, payload_len, 0 };

	return encode_alloc(encode_sig_structure, &p, "COSE Sig_structure", out, len, err);
}

static void encode_sign1(struct cbor_writer *w, const void *ctx)
{
	const struct sign1_parts *p = ctx;

	cbor_put_array(w, 4);
	cbor_put_bytes(w, p->protected_hdr, p->protected_len);
	cbor_put_map(w, 0);
	cbor_put_bytes(w, p->payload, p->payload_len);
	cbor_put_bytes(w, p->signature, p->signature_len);
}

enum eif_status eif_cose_sign1_encode(const unsigned char *protected_hdr, size_t protected_len,
				      const unsigned char *payload, size_t payload_len,
				      const unsigned char *signature, size_t signature_len,
				      unsigned char **out, size_t *len, struct eif_error *err)
{
	struct sign1_parts p = { protected_hdr, payload, signature,
				 protected_len, payload_len, signature_len };

	return encode_alloc(encode_sign1, &p, "COSE_Sign1", out, len, err);
}

/* Error for a CBOR problem at the reader's position. */
static enum eif_status cbor_fail(struct eif_error *err, const char *what,
				 const struct cbor_reader *r, const char *expected, enum cbor_error e)
{
	return eif_fail(err, EIF_E_FORMAT, "%s: byte %zu: expected %s: %s", what, r->pos,
			expected, cbor_strerror(e));
}

/* Finds alg (label 1) in the protected header map; every entry must be well formed. */
static enum eif_status parse_protected(const unsigned char *p, size_t n, int64_t *alg,
				       struct eif_error *err)
{
	static const char what[] = "COSE_Sign1 protected header";
	struct cbor_reader r;
	size_t pairs;
	bool found = false;
	enum cbor_error e;

	cbor_reader_init(&r, p, n);
	if ((e = cbor_read_map(&r, &pairs)) != CBOR_OK)
		return cbor_fail(err, what, &r, "a map", e);
	for (size_t i = 0; i < pairs; i++) {
		struct cbor_head h;
		if ((e = cbor_peek(&r, &h)) != CBOR_OK)
			return cbor_fail(err, what, &r, "a label", e);
		bool is_alg = (h.major == CBOR_UINT && h.value == COSE_HEADER_ALG);
		if ((e = cbor_skip(&r)) != CBOR_OK)
			return cbor_fail(err, what, &r, "a label", e);
		if (!is_alg) {
			if ((e = cbor_skip(&r)) != CBOR_OK)
				return cbor_fail(err, what, &r, "a header value", e);
			continue;
		}
		if (found)
			return eif_fail(err, EIF_E_FORMAT, "%s: byte %zu: alg appears twice",
					what, r.pos);
		if ((e = cbor_read_int(&r, alg)) != CBOR_OK)
			return cbor_fail(err, what, &r, "an integer alg", e);
		found = true;
	}
	if ((e = cbor_expect_end(&r)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the end of the header", e);
	if (!found)
		return eif_fail(err, EIF_E_FORMAT, "%s: no algorithm (label 1)", what);
	return EIF_OK;
}

enum eif_status eif_cose_sign1_parse(const unsigned char *buf, size_t len,
				     struct eif_cose_sign1 *out, struct eif_error *err)
{
	static const char what[] = "COSE_Sign1";
	struct cbor_reader r;
	struct cbor_head h;
	size_t count, pairs;
	uint64_t tag;
	enum cbor_error e;

	memset(out, 0, sizeof(*out));
	cbor_reader_init(&r, buf, len);
	if (cbor_peek(&r, &h) == CBOR_OK && h.major == CBOR_TAG) {
		if ((e = cbor_read_tag(&r, &tag)) != CBOR_OK)
			return cbor_fail(err, what, &r, "a tagged COSE_Sign1", e);
		if (tag != EIF_COSE_SIGN1_TAG)
			return eif_fail(err, EIF_E_FORMAT, "%s: tag %llu; expected untagged or tag 18",
					what, (unsigned long long)tag);
	}
	if ((e = cbor_read_array(&r, &count)) != CBOR_OK)
		return cbor_fail(err, what, &r, "an array", e);
	if (count != 4)
		return eif_fail(err, EIF_E_FORMAT, "%s: array of %zu elements; expected 4",
				what, count);
	if ((e = cbor_read_bytes(&r, &out->protected_hdr, &out->protected_len)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the protected header (byte string)", e);
	if ((e = cbor_read_map(&r, &pairs)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the unprotected header (map)", e);
	for (size_t i = 0; i < 2 * pairs; i++)
		if ((e = cbor_skip(&r)) != CBOR_OK)
			return cbor_fail(err, what, &r, "an unprotected header entry", e);
	if ((e = cbor_read_bytes(&r, &out->payload, &out->payload_len)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the payload (byte string)", e);
	if ((e = cbor_read_bytes(&r, &out->signature, &out->signature_len)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the signature (byte string)", e);
	if ((e = cbor_expect_end(&r)) != CBOR_OK)
		return cbor_fail(err, what, &r, "the end of the structure", e);
	return parse_protected(out->protected_hdr, out->protected_len, &out->alg, err);
}

struct section_parts {
	const unsigned char *cert, *cose;
	size_t cert_len, cose_len;
};

static void encode_section(struct cbor_writer *w, const void *ctx)
{
	const struct section_parts *p = ctx;

	cbor_put_array(w, 1);
	cbor_put_map(w, 2);
	cbor_put_cstr(w, KEY_CERTIFICATE);
	cbor_put_byte_array(w, p->cert, p->cert_len);
	cbor_put_cstr(w, KEY_SIGNATURE);
	cbor_put_byte_array(w, p->cose, p->cose_len);
}

enum eif_status eif_signature_section_encode(const unsigned char *cert, size_t cert_len,
					     const unsigned char *cose, size_t cose_len,
					     unsigned char **out, size_t *len,
					     struct eif_error *err)
{
	struct section_parts p = { cert, cose, cert_len, cose_len };

	return encode_alloc(encode_section, &p, "signature section", out, len, err);
}

/* Reads a serde Vec<u8> (array of uints) into a malloc'd copy. */
static enum eif_status read_byte_vector(struct cbor_reader *r, const char *key,
					unsigned char **out, size_t *len, struct eif_error *err)
{
	struct cbor_reader probe = *r;
	size_t n;
	enum cbor_error e;

	if ((e = cbor_read_byte_array(&probe, NULL, 0, &n)) != CBOR_OK)
		return eif_fail(err, EIF_E_FORMAT, "signature section: byte %zu: '%s' is not an "
				"array of bytes: %s", r->pos, key, cbor_strerror(e));
	unsigned char *buf = malloc(n ? n : 1);
	if (!buf)
		return eif_fail(err, EIF_E_NOMEM, "signature section: out of memory");
	cbor_read_byte_array(r, buf, n, &n);	/* cannot fail: validated above */
	*out = buf;
	*len = n;
	return EIF_OK;
}

/* One PcrSignature map; fields in any order, unknown fields skipped (as serde does). */
static enum eif_status parse_pcr_signature(struct cbor_reader *r, struct eif_pcr_signature *sig,
					   struct eif_error *err)
{
	static const char what[] = "signature section";
	size_t pairs;
	enum cbor_error e;
	enum eif_status st;

	if ((e = cbor_read_map(r, &pairs)) != CBOR_OK)
		return cbor_fail(err, what, r, "a PcrSignature map", e);
	for (size_t i = 0; i < pairs; i++) {
		unsigned char **field;
		size_t *field_len;
		const char *key;
		if (cbor_read_text_eq(r, KEY_CERTIFICATE) == CBOR_OK) {
			field = &sig->cert, field_len = &sig->cert_len, key = KEY_CERTIFICATE;
		} else if (cbor_read_text_eq(r, KEY_SIGNATURE) == CBOR_OK) {
			field = &sig->cose, field_len = &sig->cose_len, key = KEY_SIGNATURE;
		} else {
			const char *name;
			size_t n;
			if ((e = cbor_read_text(r, &name, &n)) != CBOR_OK)
				return cbor_fail(err, what, r, "a text key", e);
			if ((e = cbor_skip(r)) != CBOR_OK)
				return cbor_fail(err, what, r, "a value", e);
			continue;
		}
		if (*field)
			return eif_fail(err, EIF_E_FORMAT, "%s: byte %zu: '%s' appears twice",
					what, r->pos, key);
		if ((st = read_byte_vector(r, key, field, field_len, err)) != EIF_OK)
			return st;
	}
	if (!sig->cert)
		return eif_fail(err, EIF_E_FORMAT, "%s: no '%s' field", what, KEY_CERTIFICATE);
	if (!sig->cose)
		return eif_fail(err, EIF_E_FORMAT, "%s: no '%s' field", what, KEY_SIGNATURE);
	return EIF_OK;
}

enum eif_status eif_signature_section_parse(const unsigned char *section, size_t len,
					    struct eif_pcr_signature *out, struct eif_error *err)
{
	static const char what[] = "signature section";
	struct cbor_reader r;
	size_t count;
	enum cbor_error e;
	enum eif_status st;

	memset(out, 0, sizeof(*out));
	if (len > EIF_SIGNATURE_MAX_SIZE)
		return eif_fail(err, EIF_E_FORMAT, "%s: %zu bytes; at most %d are allowed",
				what, len, EIF_SIGNATURE_MAX_SIZE);
	cbor_reader_init(&r, section, len);
	if ((e = cbor_read_array(&r, &count)) != CBOR_OK)
		return cbor_fail(err, what, &r, "an array of signatures", e);
	if (count == 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: empty array; AWS tools need one signature",
				what);
	for (size_t i = 0; i < count; i++) {
		struct eif_pcr_signature other = { 0 };
		st = parse_pcr_signature(&r, i == 0 ? out : &other, err);
		eif_pcr_signature_free(&other);
		if (st != EIF_OK) {
			eif_pcr_signature_free(out);
			return st;
		}
	}
	if ((e = cbor_expect_end(&r)) != CBOR_OK) {
		eif_pcr_signature_free(out);
		return cbor_fail(err, what, &r, "the end of the section", e);
	}
	out->count = count;
	return EIF_OK;
}

void eif_pcr_signature_free(struct eif_pcr_signature *sig)
{
	free(sig->cert);
	free(sig->cose);
	sig->cert = sig->cose = NULL;
	sig->cert_len = sig->cose_len = 0;
}
