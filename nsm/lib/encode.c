/* NSM requests as CBOR, in the shape the reference client (serde_cbor) sends: unit requests are
 * a bare text string, the others a one-entry map {name: {fields in declaration order}}. */
#include "cbor.h"
#include "internal.h"

static void put_optional_bytes(struct cbor_writer *w, const char *key, struct nsm_bytes b)
{
	cbor_put_cstr(w, key);
	if (b.data)
		cbor_put_bytes(w, b.data, b.len);
	else
		cbor_put_null(w);
}

/* The opening of {name: {fields}}, the shape of every request that carries fields. */
static void put_variant(struct cbor_writer *w, const char *name, uint64_t fields)
{
	cbor_put_map(w, 1);
	cbor_put_cstr(w, name);
	cbor_put_map(w, fields);
}

enum nsm_status nsm_encode_request(const struct nsm_request *req, uint8_t *buf, size_t cap,
				   size_t *len)
{
	struct cbor_writer w;
	const char *name = nsm_request_name(req->kind);

	cbor_writer_init(&w, buf, cap);
	switch (req->kind) {
	case NSM_REQ_DESCRIBE_NSM:
	case NSM_REQ_GET_RANDOM:
		cbor_put_cstr(&w, name);
		break;
	case NSM_REQ_DESCRIBE_PCR:
	case NSM_REQ_LOCK_PCR:
		put_variant(&w, name, 1);
		cbor_put_cstr(&w, "index");
		cbor_put_uint(&w, req->index);
		break;
	case NSM_REQ_EXTEND_PCR:
		if (!req->data.data && req->data.len)
			return NSM_INVALID_ARGUMENT;
		put_variant(&w, name, 2);
		cbor_put_cstr(&w, "index");
		cbor_put_uint(&w, req->index);
		cbor_put_cstr(&w, "data");
		cbor_put_bytes(&w, req->data.data, req->data.len);
		break;
	case NSM_REQ_LOCK_PCRS:
		put_variant(&w, name, 1);
		cbor_put_cstr(&w, "range");
		cbor_put_uint(&w, req->range);
		break;
	case NSM_REQ_ATTESTATION:
		put_variant(&w, name, 3);
		put_optional_bytes(&w, "user_data", req->user_data);
		put_optional_bytes(&w, "nonce", req->nonce);
		put_optional_bytes(&w, "public_key", req->public_key);
		break;
	default:
		return NSM_INVALID_ARGUMENT;
	}
	if (cbor_writer_finish(&w, len) != CBOR_OK || w.overflow)
		return NSM_INPUT_TOO_LARGE;
	return NSM_SUCCESS;
}
