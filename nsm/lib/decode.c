/* Decoding of NSM answers and attestation documents. Everything the device sends is treated as
 * hostile: every item's type, length and count is checked before use, fields may come in any
 * order, unknown fields are skipped, duplicate or missing required ones are rejected, and the
 * whole input must be exactly one item. */
#include <stdio.h>
#include <string.h>

#include "cbor.h"
#include "internal.h"

struct decoder {
	struct cbor_reader r;
	char *err;
	size_t errlen;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

__attribute__((format(printf, 2, 3)))
static enum nsm_status bad(struct decoder *d, const char *fmt, ...)
{
	char what[NSM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nsm_format_error(d->err, d->errlen, "%s (at byte %zu)", what, d->r.pos);
	return NSM_INVALID_RESPONSE;
}

static void decoder_init(struct decoder *d, const uint8_t *buf, size_t len, char *err,
			 size_t errlen)
{
	cbor_reader_init(&d->r, buf, len);
	d->err = err;
	d->errlen = errlen;
}

static enum nsm_status expect_end(struct decoder *d, const char *what)
{
	if (!cbor_at_end(&d->r))
		return bad(d, "%s: %zu unexpected bytes after the item", what, d->r.len - d->r.pos);
	return NSM_SUCCESS;
}

static enum nsm_status read_uint(struct decoder *d, const char *what, uint64_t max, uint64_t *v)
{
	enum cbor_error e = cbor_read_uint(&d->r, v);

	if (e != CBOR_OK)
		return bad(d, "%s: expected an unsigned integer: %s", what, cbor_strerror(e));
	if (*v > max)
		return bad(d, "%s: %llu exceeds %llu", what, (unsigned long long)*v,
			   (unsigned long long)max);
	return NSM_SUCCESS;
}

static enum nsm_status read_u16(struct decoder *d, const char *what, uint16_t *v)
{
	uint64_t x;
	enum nsm_status st = read_uint(d, what, UINT16_MAX, &x);

	if (st == NSM_SUCCESS)
		*v = (uint16_t)x;
	return st;
}

static enum nsm_status check_length(struct decoder *d, const char *what, size_t n, size_t min,
				    size_t max)
{
	if (n < min || n > max)
		return bad(d, "%s: length %zu outside %zu..%zu", what, n, min, max);
	return NSM_SUCCESS;
}

static enum nsm_status read_bytes(struct decoder *d, const char *what, size_t min, size_t max,
				  struct nsm_bytes *b)
{
	enum cbor_error e = cbor_read_bytes(&d->r, &b->data, &b->len);

	if (e != CBOR_OK)
		return bad(d, "%s: expected a byte string: %s", what, cbor_strerror(e));
	return check_length(d, what, b->len, min, max);
}

/* A byte string, or null (then b->data = NULL). */
static enum nsm_status read_optional_bytes(struct decoder *d, const char *what, size_t min,
					   size_t max, struct nsm_bytes *b)
{
	if (cbor_read_null(&d->r) == CBOR_OK) {
		b->data = NULL;
		b->len = 0;
		return NSM_SUCCESS;
	}
	return read_bytes(d, what, min, max, b);
}

static enum nsm_status read_text(struct decoder *d, const char *what, size_t min, size_t max,
				 struct nsm_bytes *t)
{
	const char *p;
	enum cbor_error e = cbor_read_text(&d->r, &p, &t->len);

	if (e != CBOR_OK)
		return bad(d, "%s: expected a text string: %s", what, cbor_strerror(e));
	t->data = (const uint8_t *)p;
	return check_length(d, what, t->len, min, max);
}

static enum nsm_status read_digest(struct decoder *d, const char *what, enum nsm_digest *digest)
{
	struct nsm_bytes t;
	enum nsm_status st = read_text(d, what, 1, 16, &t);

	if (st != NSM_SUCCESS)
		return st;
	int i = nsm_digest_from_name((const char *)t.data, t.len);
	if (i < 0)
		return bad(d, "%s: unknown digest '%.*s'", what, (int)t.len, (const char *)t.data);
	*digest = (enum nsm_digest)i;
	return NSM_SUCCESS;
}

/* A PCR value: the length of a SHA-256, SHA-384 or SHA-512 digest. */
static enum nsm_status read_pcr_value(struct decoder *d, const char *what, struct nsm_bytes *b)
{
	enum nsm_status st = read_bytes(d, what, 32, NSM_PCR_MAX_LEN, b);

	if (st == NSM_SUCCESS && b->len != 32 && b->len != 48 && b->len != 64)
		return bad(d, "%s: %zu bytes is not a SHA-256/384/512 digest", what, b->len);
	return st;
}

/* Decodes the value of field `field` (index into the field list) into ctx. */
typedef enum nsm_status field_decoder(struct decoder *d, int field, void *ctx);

struct fields {
	const char *what;		/* "DescribePCR", for messages */
	const char *const *names;
	size_t count;			/* at most 32 */
	uint32_t required;		/* bit i: names[i] must be present */
	field_decoder *decode;
};

/* Walks the map at the cursor; see the file comment for the rules. */
static enum nsm_status read_fields(struct decoder *d, const struct fields *f, void *ctx)
{
	size_t pairs;
	uint32_t seen = 0;
	enum cbor_error e = cbor_read_map(&d->r, &pairs);

	if (e != CBOR_OK)
		return bad(d, "%s: expected a map of fields: %s", f->what, cbor_strerror(e));
	for (size_t i = 0; i < pairs; i++) {
		const char *key;
		size_t klen;

		e = cbor_read_text(&d->r, &key, &klen);
		if (e != CBOR_OK)
			return bad(d, "%s: field name: %s", f->what, cbor_strerror(e));
		int k = nsm_find_name(f->names, f->count, key, klen);
		if (k < 0) {
			e = cbor_skip(&d->r);
			if (e != CBOR_OK)
				return bad(d, "%s.%.*s: %s", f->what, (int)klen, key,
					   cbor_strerror(e));
			continue;
		}
		if (seen & UINT32_C(1) << k)
			return bad(d, "%s: field '%s' appears twice", f->what, f->names[k]);
		seen |= UINT32_C(1) << k;
		enum nsm_status st = f->decode(d, k, ctx);
		if (st != NSM_SUCCESS)
			return st;
	}
	for (size_t k = 0; k < f->count; k++)
		if ((f->required & UINT32_C(1) << k) && !(seen & UINT32_C(1) << k))
			return bad(d, "%s: field '%s' missing", f->what, f->names[k]);
	return NSM_SUCCESS;
}

/* ---- answers -------------------------------------------------------------------------- */

static enum nsm_status describe_pcr_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_response *out = ctx;
	enum cbor_error e;

	if (field == 1)
		return read_pcr_value(d, "DescribePCR.data", &out->data);
	e = cbor_read_bool(&d->r, &out->lock);
	if (e != CBOR_OK)
		return bad(d, "DescribePCR.lock: expected true or false: %s", cbor_strerror(e));
	return NSM_SUCCESS;
}

static enum nsm_status extend_pcr_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_response *out = ctx;

	(void)field;
	return read_pcr_value(d, "ExtendPCR.data", &out->data);
}

static enum nsm_status attestation_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_response *out = ctx;

	(void)field;
	return read_bytes(d, "Attestation.document", 1, NSM_RESPONSE_MAX_SIZE, &out->document);
}

static enum nsm_status get_random_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_response *out = ctx;

	(void)field;
	return read_bytes(d, "GetRandom.random", 1, NSM_RESPONSE_MAX_SIZE, &out->random);
}

static enum nsm_status locked_pcrs(struct decoder *d, struct nsm_description *desc)
{
	size_t count;
	enum cbor_error e = cbor_read_array(&d->r, &count);

	if (e != CBOR_OK)
		return bad(d, "DescribeNSM.locked_pcrs: expected an array: %s", cbor_strerror(e));
	if (count > NSM_MAX_LOCKED)
		return bad(d, "DescribeNSM.locked_pcrs: %zu entries exceed %d", count,
			   NSM_MAX_LOCKED);
	for (size_t i = 0; i < count; i++) {
		enum nsm_status st = read_u16(d, "DescribeNSM.locked_pcrs[]",
					      &desc->locked_pcrs[i]);
		if (st != NSM_SUCCESS)
			return st;
	}
	desc->locked_count = count;
	return NSM_SUCCESS;
}

static enum nsm_status describe_nsm_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_description *desc = &((struct nsm_response *)ctx)->description;
	struct nsm_bytes id;
	enum nsm_status st;

	switch (field) {
	case 0:
		return read_u16(d, "DescribeNSM.version_major", &desc->version_major);
	case 1:
		return read_u16(d, "DescribeNSM.version_minor", &desc->version_minor);
	case 2:
		return read_u16(d, "DescribeNSM.version_patch", &desc->version_patch);
	case 3:
		st = read_text(d, "DescribeNSM.module_id", 1, NSM_MODULE_ID_MAX, &id);
		if (st == NSM_SUCCESS) {
			memcpy(desc->module_id, id.data, id.len);
			desc->module_id[id.len] = '\0';
		}
		return st;
	case 4:
		return read_u16(d, "DescribeNSM.max_pcrs", &desc->max_pcrs);
	case 5:
		return locked_pcrs(d, desc);
	default:
		return read_digest(d, "DescribeNSM.digest", &desc->digest);
	}
}

static const char *const describe_pcr_names[] = { "lock", "data" };
static const char *const extend_pcr_names[] = { "data" };
static const char *const attestation_names[] = { "document" };
static const char *const get_random_names[] = { "random" };
static const char *const describe_nsm_names[] = {
	"version_major", "version_minor", "version_patch", "module_id", "max_pcrs",
	"locked_pcrs", "digest",
};

/* Answers that are a map {name: {fields}}, by request kind; unlisted kinds have none. */
static const struct fields answer_fields[] = {
	[NSM_REQ_DESCRIBE_PCR] = { "DescribePCR", describe_pcr_names, 2, 0x3,
				   describe_pcr_field },
	[NSM_REQ_EXTEND_PCR] = { "ExtendPCR", extend_pcr_names, 1, 0x1, extend_pcr_field },
	[NSM_REQ_DESCRIBE_NSM] = { "DescribeNSM", describe_nsm_names, 7, 0x7f,
				   describe_nsm_field },
	[NSM_REQ_ATTESTATION] = { "Attestation", attestation_names, 1, 0x1, attestation_field },
	[NSM_REQ_GET_RANDOM] = { "GetRandom", get_random_names, 1, 0x1, get_random_field },
};

static enum nsm_status decode_error(struct decoder *d, struct nsm_response *out)
{
	struct nsm_bytes name;
	enum nsm_status st = read_text(d, "Error", 1, 64, &name);

	if (st != NSM_SUCCESS)
		return st;
	int code = nsm_status_from_name((const char *)name.data, name.len);
	if (code <= NSM_SUCCESS)
		return bad(d, "Error: unknown error code '%.*s'", (int)name.len,
			   (const char *)name.data);
	out->is_error = true;
	out->error = (enum nsm_status)code;
	return NSM_SUCCESS;
}

static enum nsm_status decode_answer(struct decoder *d, struct nsm_response *out)
{
	struct cbor_head h;
	const char *name;
	size_t n, pairs;
	enum cbor_error e = cbor_peek(&d->r, &h);

	if (e != CBOR_OK)
		return bad(d, "answer: %s", cbor_strerror(e));
	if (h.major == CBOR_TEXT) {
		/* Unit answers: "LockPCR", "LockPCRs". */
		e = cbor_read_text(&d->r, &name, &n);
		if (e != CBOR_OK)
			return bad(d, "answer: %s", cbor_strerror(e));
		int kind = nsm_request_from_name(name, n);
		if (kind != NSM_REQ_LOCK_PCR && kind != NSM_REQ_LOCK_PCRS)
			return bad(d, "answer: unexpected text '%.*s'", (int)n, name);
		out->kind = (enum nsm_request_kind)kind;
		return NSM_SUCCESS;
	}
	e = cbor_read_map(&d->r, &pairs);
	if (e != CBOR_OK)
		return bad(d, "answer: expected a text or a map: %s", cbor_strerror(e));
	if (pairs != 1)
		return bad(d, "answer: map of %zu entries, expected 1", pairs);
	e = cbor_read_text(&d->r, &name, &n);
	if (e != CBOR_OK)
		return bad(d, "answer: variant name: %s", cbor_strerror(e));
	if (n == 5 && memcmp(name, "Error", 5) == 0)
		return decode_error(d, out);
	int kind = nsm_request_from_name(name, n);
	if (kind < 0 || !answer_fields[kind].names)
		return bad(d, "answer: unknown variant '%.*s'", (int)n, name);
	out->kind = (enum nsm_request_kind)kind;
	return read_fields(d, &answer_fields[kind], out);
}

enum nsm_status nsm_decode_response(const uint8_t *buf, size_t len, struct nsm_response *out,
				    char *err, size_t errlen)
{
	struct decoder d;
	enum nsm_status st;

	memset(out, 0, sizeof(*out));
	decoder_init(&d, buf, len, err, errlen);
	st = decode_answer(&d, out);
	if (st == NSM_SUCCESS)
		st = expect_end(&d, "answer");
	if (st != NSM_SUCCESS)
		memset(out, 0, sizeof(*out));
	return st;
}

/* ---- attestation documents ---------------------------------------------------------- */

/* Limits of real NSM documents: AWS's attestation_process.md says 512 bytes of user_data and
 * nonce, but the NSM signs 1024 of each (tests/data/attest/aws-2024-09-07.b64). */
#define DOC_CERT_MAX 1024
#define DOC_PUBLIC_KEY_MAX 1024
#define DOC_USER_DATA_MAX 1024
#define DOC_NONCE_MAX 1024

static enum nsm_status document_pcrs(struct decoder *d, struct nsm_document *doc)
{
	size_t pairs;
	uint32_t seen = 0;
	enum cbor_error e = cbor_read_map(&d->r, &pairs);

	if (e != CBOR_OK)
		return bad(d, "document.pcrs: expected a map: %s", cbor_strerror(e));
	if (pairs < 1 || pairs > NSM_MAX_PCRS)
		return bad(d, "document.pcrs: %zu entries, expected 1..%d", pairs, NSM_MAX_PCRS);
	for (size_t i = 0; i < pairs; i++) {
		struct nsm_document_pcr *pcr = &doc->pcrs[i];
		uint64_t index;
		enum nsm_status st = read_uint(d, "document.pcrs index", NSM_MAX_PCRS - 1, &index);

		if (st != NSM_SUCCESS)
			return st;
		if (seen & UINT32_C(1) << index)
			return bad(d, "document.pcrs: index %llu appears twice",
				   (unsigned long long)index);
		seen |= UINT32_C(1) << index;
		pcr->index = (uint16_t)index;
		st = read_pcr_value(d, "document.pcrs value", &pcr->value);
		if (st != NSM_SUCCESS)
			return st;
	}
	doc->pcr_count = pairs;
	return NSM_SUCCESS;
}

static enum nsm_status document_cabundle(struct decoder *d, struct nsm_document *doc)
{
	size_t count;
	struct nsm_bytes cert;
	enum cbor_error e = cbor_read_array(&d->r, &count);

	if (e != CBOR_OK)
		return bad(d, "document.cabundle: expected an array: %s", cbor_strerror(e));
	if (count < 1)
		return bad(d, "document.cabundle: empty");
	for (size_t i = 0; i < count; i++) {
		enum nsm_status st = read_bytes(d, "document.cabundle[]", 1, DOC_CERT_MAX, &cert);

		if (st != NSM_SUCCESS)
			return st;
	}
	doc->cabundle_count = count;
	return NSM_SUCCESS;
}

static enum nsm_status document_field(struct decoder *d, int field, void *ctx)
{
	struct nsm_document *doc = ctx;
	enum nsm_status st;

	switch (field) {
	case 0:
		return read_text(d, "document.module_id", 1, NSM_MODULE_ID_MAX, &doc->module_id);
	case 1:
		return read_digest(d, "document.digest", &doc->digest);
	case 2:
		st = read_uint(d, "document.timestamp", UINT64_MAX, &doc->timestamp);
		if (st == NSM_SUCCESS && doc->timestamp == 0)
			return bad(d, "document.timestamp: zero");
		return st;
	case 3:
		return document_pcrs(d, doc);
	case 4:
		return read_bytes(d, "document.certificate", 1, DOC_CERT_MAX, &doc->certificate);
	case 5:
		return document_cabundle(d, doc);
	case 6:
		return read_optional_bytes(d, "document.public_key", 1, DOC_PUBLIC_KEY_MAX,
					   &doc->public_key);
	case 7:
		return read_optional_bytes(d, "document.user_data", 0, DOC_USER_DATA_MAX,
					   &doc->user_data);
	default:
		return read_optional_bytes(d, "document.nonce", 0, DOC_NONCE_MAX, &doc->nonce);
	}
}

static const char *const document_names[] = {
	"module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle",
	"public_key", "user_data", "nonce",
};

static const struct fields document_fields = {
	"document", document_names, 9, 0x3f, document_field,
};

/* The protected header: a map with the algorithm under label 1. */
static enum nsm_status protected_header(struct nsm_document *doc, char *err, size_t errlen)
{
	struct decoder d;
	size_t pairs;
	bool have_alg = false;
	enum cbor_error e;

	decoder_init(&d, doc->protected_header.data, doc->protected_header.len, err, errlen);
	e = cbor_read_map(&d.r, &pairs);
	if (e != CBOR_OK)
		return bad(&d, "COSE protected header: expected a map: %s", cbor_strerror(e));
	for (size_t i = 0; i < pairs; i++) {
		struct cbor_head h;
		int64_t label = 0;

		/* Labels are integers or (elsewhere in COSE) text; only label 1 matters here. */
		e = cbor_peek(&d.r, &h);
		if (e == CBOR_OK && (h.major == CBOR_UINT || h.major == CBOR_NEGINT))
			e = cbor_read_int(&d.r, &label);
		else if (e == CBOR_OK)
			e = cbor_skip(&d.r);
		if (e == CBOR_OK && label == 1) {
			if (have_alg)
				return bad(&d, "COSE protected header: algorithm given twice");
			e = cbor_read_int(&d.r, &doc->algorithm);
			have_alg = true;
		} else if (e == CBOR_OK) {
			e = cbor_skip(&d.r);
		}
		if (e != CBOR_OK)
			return bad(&d, "COSE protected header: %s", cbor_strerror(e));
	}
	if (!have_alg)
		return bad(&d, "COSE protected header: no algorithm (label 1)");
	return expect_end(&d, "COSE protected header");
}

static enum nsm_status decode_document(struct decoder *d, struct nsm_document *doc)
{
	struct cbor_head h;
	uint64_t tag;
	size_t count;
	enum nsm_status st;
	enum cbor_error e = cbor_peek(&d->r, &h);

	if (e == CBOR_OK && h.major == CBOR_TAG) {
		e = cbor_read_tag(&d->r, &tag);
		if (e == CBOR_OK && tag != 18)
			return bad(d, "COSE_Sign1: tag %llu, expected 18", (unsigned long long)tag);
	}
	if (e == CBOR_OK)
		e = cbor_read_array(&d->r, &count);
	if (e != CBOR_OK)
		return bad(d, "COSE_Sign1: expected an array: %s", cbor_strerror(e));
	if (count != 4)
		return bad(d, "COSE_Sign1: %zu elements, expected 4", count);
	st = read_bytes(d, "COSE_Sign1 protected header", 1, 64, &doc->protected_header);
	if (st != NSM_SUCCESS)
		return st;
	e = cbor_peek(&d->r, &h);
	if (e == CBOR_OK && h.major != CBOR_MAP)
		e = CBOR_ERR_TYPE;
	if (e == CBOR_OK)
		e = cbor_skip(&d->r);
	if (e != CBOR_OK)
		return bad(d, "COSE_Sign1 unprotected header: expected a map: %s",
			   cbor_strerror(e));
	st = read_bytes(d, "COSE_Sign1 payload", 1, SIZE_MAX, &doc->payload);
	if (st == NSM_SUCCESS)
		st = read_bytes(d, "COSE_Sign1 signature", 1, 1024, &doc->signature);
	if (st == NSM_SUCCESS)
		st = expect_end(d, "COSE_Sign1");
	if (st == NSM_SUCCESS)
		st = protected_header(doc, d->err, d->errlen);
	if (st != NSM_SUCCESS)
		return st;

	struct decoder payload;
	decoder_init(&payload, doc->payload.data, doc->payload.len, d->err, d->errlen);
	st = read_fields(&payload, &document_fields, doc);
	if (st == NSM_SUCCESS)
		st = expect_end(&payload, "document");
	return st;
}

enum nsm_status nsm_decode_document(const uint8_t *buf, size_t len, struct nsm_document *out,
				    char *err, size_t errlen)
{
	struct decoder d;
	enum nsm_status st;

	memset(out, 0, sizeof(*out));
	decoder_init(&d, buf, len, err, errlen);
	st = decode_document(&d, out);
	if (st != NSM_SUCCESS)
		memset(out, 0, sizeof(*out));
	return st;
}
