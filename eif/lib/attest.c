/* attest, part 1: reading a Nitro attestation document and what it is checked against. The
 * COSE_Sign1 envelope and its CBOR payload are decoded with every field's type and size checked
 * (hostile input fails with a message, never a crash), the input may be raw, base64 or PEM, and
 * the expectations (PCRs, measurements JSON, the time to check at) are parsed from the command
 * line's text. The checks and the verdict JSON are attest_verify.c. The document's shape is
 * docs/boot-contract.md#the-attestation-document; the field limits and trust rules are attest.h. */
#include <eif/attest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cbor.h"
#include "json.h"
#include <eif/sign.h>
#include "util.h"

/* ---- decoding ------------------------------------------------------------------------- */

static enum eif_status doc_fail(struct eif_error *err, const struct cbor_reader *r,
				const char *field, const char *expected, enum cbor_error e)
{
	return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: '%s': "
			"expected %s%s%s", r->pos, field, expected, e ? ": " : "",
			e ? cbor_strerror(e) : "");
}

/* A byte string of min..max bytes. */
static enum eif_status read_field_bytes(struct cbor_reader *r, const char *field, size_t min,
					size_t max, struct eif_attest_bytes *out,
					struct eif_error *err)
{
	enum cbor_error e = cbor_read_bytes(r, &out->data, &out->len);
	char expected[64];

	snprintf(expected, sizeof(expected), "a byte string of %zu to %zu bytes", min, max);
	if (e != CBOR_OK)
		return doc_fail(err, r, field, expected, e);
	if (out->len < min || out->len > max)
		return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: '%s' "
				"has %zu bytes; expected %zu to %zu", r->pos, field, out->len, min,
				max);
	out->present = 1;
	return EIF_OK;
}

/* public_key, user_data, nonce: null (absent) or 0..1024 bytes. */
static enum eif_status read_optional(struct cbor_reader *r, const char *field,
				     struct eif_attest_bytes *out, struct eif_error *err)
{
	if (cbor_read_null(r) == CBOR_OK) {
		out->present = 0;
		return EIF_OK;
	}
	return read_field_bytes(r, field, 0, EIF_ATTEST_FIELD_MAX, out, err);
}

static enum eif_status read_text(struct cbor_reader *r, const char *field, const char **p,
				 size_t *n, struct eif_error *err)
{
	enum cbor_error e = cbor_read_text(r, p, n);

	if (e != CBOR_OK)
		return doc_fail(err, r, field, "a text string", e);
	if (*n == 0 || *n > 256 || !json_utf8_valid(*p, *n))
		return doc_fail(err, r, field, "1 to 256 bytes of UTF-8", CBOR_OK);
	return EIF_OK;
}

static enum eif_status read_pcrs(struct cbor_reader *r, struct eif_attest_doc *doc,
				 struct eif_error *err)
{
	size_t pairs;
	enum cbor_error e;

	if ((e = cbor_read_map(r, &pairs)) != CBOR_OK)
		return doc_fail(err, r, "pcrs", "a map", e);
	if (pairs == 0 || pairs > EIF_ATTEST_PCR_COUNT)
		return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: 'pcrs' "
				"has %zu entries; expected 1 to %d", r->pos, pairs,
				EIF_ATTEST_PCR_COUNT);
	for (size_t i = 0; i < pairs; i++) {
		uint64_t index;
		struct eif_attest_bytes value;
		if ((e = cbor_read_uint(r, &index)) != CBOR_OK)
			return doc_fail(err, r, "pcrs", "an unsigned register index", e);
		if (index >= EIF_ATTEST_PCR_COUNT || doc->pcrs[index].present)
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: "
					"PCR index %llu is %s", r->pos, (unsigned long long)index,
					index >= EIF_ATTEST_PCR_COUNT ? "beyond 31" : "repeated");
		if ((e = cbor_read_bytes(r, &value.data, &value.len)) != CBOR_OK)
			return doc_fail(err, r, "pcrs", "a byte string register value", e);
		if (value.len != 32 && value.len != 48 && value.len != 64)
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: "
					"PCR%llu has %zu bytes; expected 32, 48 or 64", r->pos,
					(unsigned long long)index, value.len);
		value.present = 1;
		doc->pcrs[index] = value;
	}
	return EIF_OK;
}

static enum eif_status read_cabundle(struct cbor_reader *r, struct eif_attest_doc *doc,
				     struct eif_error *err)
{
	size_t count;
	enum cbor_error e;
	enum eif_status st;

	if ((e = cbor_read_array(r, &count)) != CBOR_OK)
		return doc_fail(err, r, "cabundle", "an array", e);
	if (count == 0 || count > EIF_ATTEST_CABUNDLE_MAX)
		return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: "
				"'cabundle' has %zu certificates; expected 1 to %d", r->pos, count,
				EIF_ATTEST_CABUNDLE_MAX);
	for (size_t i = 0; i < count; i++)
		if ((st = read_field_bytes(r, "cabundle", 1, EIF_ATTEST_FIELD_MAX,
					   &doc->cabundle[i], err)) != EIF_OK)
			return st;
	doc->cabundle_count = count;
	return EIF_OK;
}

enum attest_key {
	KEY_MODULE_ID, KEY_DIGEST, KEY_TIMESTAMP, KEY_PCRS, KEY_CERTIFICATE, KEY_CABUNDLE,
	KEY_PUBLIC_KEY, KEY_USER_DATA, KEY_NONCE, KEY_COUNT
};
static const char *const key_names[KEY_COUNT] = {
	"module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle",
	"public_key", "user_data", "nonce",
};

static enum eif_status read_value(struct cbor_reader *r, enum attest_key key,
				  struct eif_attest_doc *doc, struct eif_error *err)
{
	enum cbor_error e;

	switch (key) {
	case KEY_MODULE_ID:
		return read_text(r, "module_id", &doc->module_id, &doc->module_id_len, err);
	case KEY_DIGEST:
		if (read_text(r, "digest", &doc->digest, &doc->digest_len, err) != EIF_OK)
			return err->code;
		if (doc->digest_len != 6 || memcmp(doc->digest, "SHA384", 6) != 0)
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: 'digest' is "
					"'%.*s'; the NSM only uses SHA384", (int)doc->digest_len,
					doc->digest);
		return EIF_OK;
	case KEY_TIMESTAMP:
		if ((e = cbor_read_uint(r, &doc->timestamp_ms)) != CBOR_OK)
			return doc_fail(err, r, "timestamp", "an unsigned integer", e);
		if (doc->timestamp_ms == 0 || doc->timestamp_ms > (uint64_t)INT64_MAX / 2)
			return doc_fail(err, r, "timestamp", "milliseconds since the epoch",
					CBOR_OK);
		return EIF_OK;
	case KEY_PCRS:
		return read_pcrs(r, doc, err);
	case KEY_CERTIFICATE:
		return read_field_bytes(r, "certificate", 1, EIF_ATTEST_FIELD_MAX,
					&doc->certificate, err);
	case KEY_CABUNDLE:
		return read_cabundle(r, doc, err);
	case KEY_PUBLIC_KEY:
		return read_optional(r, "public_key", &doc->public_key, err);
	case KEY_USER_DATA:
		return read_optional(r, "user_data", &doc->user_data, err);
	default:
		return read_optional(r, "nonce", &doc->nonce, err);
	}
}

static enum eif_status parse_payload(const unsigned char *p, size_t n,
				     struct eif_attest_doc *doc, struct eif_error *err)
{
	struct cbor_reader r;
	size_t pairs;
	int seen[KEY_COUNT] = { 0 };
	enum cbor_error e;
	enum eif_status st;

	cbor_reader_init(&r, p, n);
	if ((e = cbor_read_map(&r, &pairs)) != CBOR_OK)
		return doc_fail(err, &r, "(document)", "a map", e);
	for (size_t i = 0; i < pairs; i++) {
		const char *name;
		size_t name_len;
		size_t at = r.pos;
		enum attest_key key = KEY_COUNT;
		if ((e = cbor_read_text(&r, &name, &name_len)) != CBOR_OK)
			return doc_fail(err, &r, "(key)", "a text key", e);
		for (int k = 0; k < KEY_COUNT; k++)
			if (strlen(key_names[k]) == name_len && !memcmp(key_names[k], name, name_len))
				key = (enum attest_key)k;
		if (key == KEY_COUNT)
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: "
					"unknown key '%.*s'", at, (int)(name_len > 64 ? 64 : name_len),
					name);
		if (seen[key]++)
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: byte %zu: "
					"'%s' appears twice", at, key_names[key]);
		if ((st = read_value(&r, key, doc, err)) != EIF_OK)
			return st;
	}
	if ((e = cbor_expect_end(&r)) != CBOR_OK)
		return doc_fail(err, &r, "(document)", "the end of the payload", e);
	for (int k = 0; k <= KEY_CABUNDLE; k++)
		if (!seen[k])
			return eif_fail(err, EIF_E_FORMAT, "attestation document payload: required "
					"key '%s' is missing", key_names[k]);
	return EIF_OK;
}

enum eif_status eif_attest_doc_parse(const unsigned char *buf, size_t len,
				     struct eif_attest_doc *doc, struct eif_error *err)
{
	enum eif_status st;

	memset(doc, 0, sizeof(*doc));
	if (len > EIF_ATTEST_DOC_MAX)
		return eif_fail(err, EIF_E_FORMAT, "attestation document: %zu bytes; at most %d "
				"are accepted", len, EIF_ATTEST_DOC_MAX);
	if ((st = eif_cose_sign1_parse(buf, len, &doc->cose, err)) != EIF_OK)
		return eif_error_prefix(err, "attestation document");
	st = parse_payload(doc->cose.payload, doc->cose.payload_len, doc, err);
	if (st != EIF_OK) {
		struct eif_error saved = *err;
		memset(doc, 0, sizeof(*doc));
		*err = saved;
	}
	return st;
}

/* ---- input form ----------------------------------------------------------------------- */

static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Standard or URL-safe base64, padding optional, whitespace ignored. */
static enum eif_status base64_decode(const unsigned char *in, size_t len, unsigned char *out,
				     size_t *out_len, struct eif_error *err)
{
	uint32_t acc = 0;
	size_t bits = 0, n = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = base64_value(c);
		if (v < 0 || pad)
			return eif_fail(err, EIF_E_FORMAT, "attestation document: byte %zu (0x%02x) "
					"is neither raw CBOR (COSE_Sign1 starts with 0x84 or 0xd2) nor "
					"base64", i, c);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits >= 6 || pad > 2 || (acc & ((1u << bits) - 1)) != 0)
		return eif_fail(err, EIF_E_FORMAT, "attestation document: base64 text ends in the "
				"middle of a byte; the text was cut or altered");
	*out_len = n;
	return EIF_OK;
}

enum eif_status eif_attest_doc_decode(const unsigned char *in, size_t len, unsigned char **raw,
				      size_t *raw_len, struct eif_error *err)
{
	unsigned char *out = malloc(len ? len : 1);

	*raw = NULL;
	if (!out)
		return eif_fail(err, EIF_E_NOMEM, "attestation document: out of memory");
	if (len > 0 && (in[0] == 0x84 || in[0] == 0xd2)) {	/* array(4) or tag 18 */
		memcpy(out, in, len);
		*raw_len = len;
	} else if (base64_decode(in, len, out, raw_len, err) != EIF_OK) {
		free(out);
		return err->code;
	}
	if (*raw_len == 0) {
		free(out);
		return eif_fail(err, EIF_E_FORMAT, "attestation document: empty input");
	}
	*raw = out;
	return EIF_OK;
}

enum eif_status eif_attest_der_from_pem(const unsigned char *pem, size_t len, const char *what,
					unsigned char **der, size_t *der_len, struct eif_error *err)
{
	BIO *bio = len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char *out = NULL;
	char why[256];
	int n = x ? i2d_X509(x, &out) : -1;

	BIO_free(bio);
	X509_free(x);
	*der = NULL;
	if (n <= 0)
		return eif_fail(err, EIF_E_FORMAT, "'%s': not a PEM X.509 certificate (%s)", what,
				eif_openssl_reason(why, sizeof(why)));
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	if (!*der)
		return eif_fail(err, EIF_E_NOMEM, "'%s': out of memory", what);
	*der_len = (size_t)n;
	return EIF_OK;
}

/* ---- expectations --------------------------------------------------------------------- */

enum eif_status eif_attest_hex(const char *hex, unsigned char *out, size_t cap, size_t *len,
			       const char *what, struct eif_error *err)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > cap)
		return eif_fail(err, EIF_E_USAGE, "%s: %zu hex digits; give an even number, at "
				"most %zu", what, n, 2 * cap);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = eif_hex_value((unsigned char)hex[2 * i]);
		int lo = eif_hex_value((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return eif_fail(err, EIF_E_USAGE, "%s: '%c%c' at digit %zu is not hex",
					what, hex[2 * i], hex[2 * i + 1], 2 * i);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return EIF_OK;
}

static enum eif_status set_pcr(struct eif_attest_expect *expect, unsigned long index,
			       const char *hex, const char *what, struct eif_error *err)
{
	size_t n;

	if (index >= EIF_ATTEST_PCR_COUNT)
		return eif_fail(err, EIF_E_USAGE, "%s: PCR%lu does not exist; the NSM has PCR0 to "
				"PCR31", what, index);
	if (eif_attest_hex(hex, expect->pcr[index].value, 64, &n, what, err) != EIF_OK)
		return err->code;
	if (n != 32 && n != 48 && n != 64)
		return eif_fail(err, EIF_E_USAGE, "%s: PCR%lu of %zu bytes; a register holds 32, "
				"48 or 64 (SHA-384: 96 hex digits)", what, index, n);
	expect->pcr[index].len = n;
	expect->pcr[index].set = 1;
	return EIF_OK;
}

/* Decimal 0..99 with no sign, no leading zero (except "0"): the register number. */
static int parse_index(const char *s, size_t n, unsigned long *out)
{
	uint64_t v;

	if ((n == 2 && s[0] == '0') || !eif_parse_digits(s, n, 10, 99, &v))
		return -1;
	*out = (unsigned long)v;
	return 0;
}

enum eif_status eif_attest_expect_pcr(struct eif_attest_expect *expect, const char *spec,
				      struct eif_error *err)
{
	const char *eq = strchr(spec, '=');
	unsigned long index;
	char what[64];

	if (!eq || parse_index(spec, (size_t)(eq - spec), &index) != 0)
		return eif_fail(err, EIF_E_USAGE, "--pcr '%.40s': give N=HEX, e.g. 4=<96 hex "
				"digits>", spec);
	snprintf(what, sizeof(what), "--pcr %lu", index);
	return set_pcr(expect, index, eq + 1, what, err);
}

enum eif_status eif_attest_expect_measurements(struct eif_attest_expect *expect,
					       const struct json_value *v, const char *what,
					       struct eif_error *err)
{
	enum eif_status st = EIF_OK;
	char field[300];

	if (v->type != JSON_OBJECT)
		return eif_fail(err, EIF_E_FORMAT, "%s: not a JSON object of PCRs like out/pcr.json",
				what);
	for (size_t i = 0; i < v->count && st == EIF_OK; i++) {
		const char *key = v->keys[i];
		unsigned long index;
		if (strcmp(key, "HashAlgorithm") == 0)
			continue;
		snprintf(field, sizeof(field), "%s: %.64s", what, key);
		if (strncmp(key, "PCR", 3) != 0 || parse_index(key + 3, v->key_lens[i] - 3, &index))
			st = eif_fail(err, EIF_E_FORMAT, "%s: unknown member; expected PCR0, PCR1, "
				      "PCR2, other PCRn and HashAlgorithm", field);
		else if (v->items[i].type != JSON_STRING || strlen(v->items[i].text) != v->items[i].len)
			st = eif_fail(err, EIF_E_FORMAT, "%s: not a hex string", field);
		else
			st = set_pcr(expect, index, v->items[i].text, field, err);
		if (st != EIF_OK && err->code == EIF_E_USAGE)
			err->code = EIF_E_FORMAT;
	}
	for (int i = 0; i < 3 && st == EIF_OK; i++)
		if (!expect->pcr[i].set)
			st = eif_fail(err, EIF_E_FORMAT, "%s: no PCR%d; give the out/pcr.json of the "
				      "build", what, i);
	return st;
}

enum eif_status eif_attest_expect_json(struct eif_attest_expect *expect, const unsigned char *text,
				       size_t len, const char *what, struct eif_error *err)
{
	struct json_value v;

	if (json_parse(text, len, what, &v, err) != EIF_OK)
		return err->code;
	enum eif_status st = eif_attest_expect_measurements(expect, &v, what, err);
	json_free(&v);
	return st;
}

enum eif_status eif_attest_expect_time(struct eif_attest_expect *expect, const char *text,
				       struct eif_error *err)
{
	struct tm tm;
	const char *end;

	expect->time_is_doc = 0;
	if (strcmp(text, "doc") == 0) {
		expect->time_is_doc = 1;
		return EIF_OK;
	}
	uint64_t seconds;
	if (eif_parse_digits(text, strlen(text), 10, 999999999999, &seconds)) {
		expect->time = (int64_t)seconds;
		return EIF_OK;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || strlen(text) < 19 || text[4] != '-' || text[10] != 'T')
		goto bad;
	int64_t t = (int64_t)timegm(&tm);
	if (*end == '.') {
		end++;
		if (*end < '0' || *end > '9')
			goto bad;
		while (*end >= '0' && *end <= '9')
			end++;	/* certificates have whole seconds: the fraction is dropped */
	}
	if (*end == 'Z' || *end == 'z') {
		end++;
	} else if ((*end == '+' || *end == '-') && strlen(end) == 6 && end[3] == ':' &&
		   strspn(end + 1, "0123456789") == 2 && strspn(end + 4, "0123456789") == 2) {
		int h = (end[1] - '0') * 10 + (end[2] - '0');
		int m = (end[4] - '0') * 10 + (end[5] - '0');
		if (h > 23 || m > 59)
			goto bad;
		t -= (*end == '+' ? 1 : -1) * (int64_t)(h * 3600 + m * 60);
		end += 6;
	} else {
		goto bad;
	}
	if (*end)
		goto bad;
	expect->time = t;
	return EIF_OK;
bad:
	return eif_fail(err, EIF_E_USAGE, "--time '%.64s': give 'doc', seconds since the epoch or "
			"RFC 3339 like 2024-09-07T14:37:39Z", text);
}
