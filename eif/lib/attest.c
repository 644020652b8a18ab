/* attest: decode and verify a Nitro attestation document (see attest.h). */
#include <eif/attest.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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
	if (n == 0 || n > 2 || (n == 2 && s[0] == '0'))
		return -1;
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned long)(s[i] - '0');
	}
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
	if (*text >= '0' && *text <= '9' && strspn(text, "0123456789") == strlen(text) &&
	    strlen(text) <= 12) {
		expect->time = strtoll(text, NULL, 10);
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

/* ---- checks --------------------------------------------------------------------------- */

static struct eif_attest_check *add_check(struct eif_attest_result *res, const char *name,
					  enum eif_attest_class class)
{
	struct eif_attest_check *c = &res->checks[res->count < EIF_ATTEST_CHECK_MAX ?
						  res->count++ : EIF_ATTEST_CHECK_MAX - 1];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->class = class;
	return c;
}

static void __attribute__((format(printf, 3, 4)))
check_result(struct eif_attest_check *c, int passed, const char *fmt, ...)
{
	va_list ap;

	c->passed = passed;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof(c->reason), fmt, ap);
	va_end(ap);
}

static X509 *der_cert(const struct eif_attest_bytes *b)
{
	const unsigned char *p = b->data;
	X509 *x = d2i_X509(NULL, &p, (long)b->len);

	if (x && p != b->data + b->len) {	/* trailing bytes after the certificate */
		X509_free(x);
		x = NULL;
	}
	return x;
}

/* The certificates of the chain, root first, leaf last (certs[n - 1]). */
struct chain {
	X509 *certs[EIF_ATTEST_CABUNDLE_MAX + 1];
	char names[EIF_ATTEST_CABUNDLE_MAX + 1][16];
	size_t n;
};

static void chain_free(struct chain *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		X509_free(ch->certs[i]);
	ch->n = 0;
}

/* Parses every certificate; 0 or -1 with the check failed. */
static int chain_load(const struct eif_attest_doc *doc, struct chain *ch,
		      struct eif_attest_check *c)
{
	char why[256];

	for (size_t i = 0; i <= doc->cabundle_count; i++) {
		const struct eif_attest_bytes *b = i < doc->cabundle_count ? &doc->cabundle[i] :
								  &doc->certificate;
		if (i < doc->cabundle_count)
			snprintf(ch->names[i], sizeof(ch->names[i]), "cabundle[%zu]", i);
		else
			snprintf(ch->names[i], sizeof(ch->names[i]), "certificate");
		ch->certs[i] = der_cert(b);
		if (!ch->certs[i]) {
			check_result(c, 0, "%s is not one DER X.509 certificate (%s)", ch->names[i],
				     eif_openssl_reason(why, sizeof(why)));
			return -1;
		}
		ch->n = i + 1;
	}
	return 0;
}

static void check_root(const struct eif_attest_doc *doc, const struct eif_attest_expect *expect,
		       struct eif_attest_check *c)
{
	const struct eif_attest_bytes *root = &doc->cabundle[0];
	unsigned char sha[32];
	char hex[65];

	if (expect->root_der) {
		int same = root->len == expect->root_der_len &&
			   !memcmp(root->data, expect->root_der, root->len);
		check_result(c, same, same ? "cabundle[0] is the root given with --root" :
			     "cabundle[0] is not the root given with --root");
		return;
	}
	if (!EVP_Digest(root->data, root->len, sha, NULL, EVP_sha256(), NULL)) {
		ERR_clear_error();
		check_result(c, 0, "cannot compute SHA-256 of cabundle[0]");
		return;
	}
	eif_hex(sha, sizeof(sha), hex);
	if (strcmp(hex, EIF_ATTEST_AWS_ROOT_SHA256) == 0)
		check_result(c, 1, "cabundle[0] is the AWS Nitro Enclaves root G1 (SHA-256 %s)",
			     hex);
	else
		check_result(c, 0, "cabundle[0] has SHA-256 %s, not the AWS Nitro Enclaves root "
			     "G1 %s; pass --root for another root", hex, EIF_ATTEST_AWS_ROOT_SHA256);
}

/* Issuers must be CAs allowed to sign certificates; the leaf must be an end entity allowed
 * to sign data, with a P-384 key. This is the part of RFC 5280 that matters here, checked by
 * hand because X509_V_FLAG_X509_STRICT also requires an Authority Key Identifier in every
 * non-root certificate, which genuine AWS leaf certificates do not have. */
static int check_roles(const struct chain *ch, struct eif_attest_check *c)
{
	for (size_t i = 0; i < ch->n; i++) {
		X509 *x = ch->certs[i];
		uint32_t ku = X509_get_key_usage(x);	/* UINT32_MAX when absent */
		int is_leaf = i + 1 == ch->n;
		if (!is_leaf && X509_check_ca(x) != 1) {
			check_result(c, 0, "%s issues a certificate but is not a CA (basic "
				     "constraints CA:TRUE missing)", ch->names[i]);
			return -1;
		}
		if (!is_leaf && !(ku & KU_KEY_CERT_SIGN)) {
			check_result(c, 0, "%s issues a certificate but its key usage lacks "
				     "keyCertSign", ch->names[i]);
			return -1;
		}
		if (is_leaf && (X509_get_extension_flags(x) & EXFLAG_CA)) {
			check_result(c, 0, "the leaf certificate is a CA (basic constraints "
				     "CA:TRUE); an NSM leaf is an end entity");
			return -1;
		}
		if (is_leaf && !(ku & KU_DIGITAL_SIGNATURE)) {
			check_result(c, 0, "the leaf certificate's key usage lacks "
				     "digitalSignature");
			return -1;
		}
	}
	EVP_PKEY *key = X509_get0_pubkey(ch->certs[ch->n - 1]);
	char group[64];
	size_t n;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &n) ||
	    OBJ_txt2nid(group) != NID_secp384r1) {
		ERR_clear_error();
		check_result(c, 0, "the leaf certificate's key is not EC P-384, so it cannot "
			     "make the ES384 signature");
		return -1;
	}
	return 0;
}

/* Signatures, issuer names and constraints along exactly the bundle's order. */
static enum eif_status check_chain(const struct chain *ch, struct eif_attest_check *c,
				   struct eif_error *err)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	char why[256];
	enum eif_status st = EIF_OK;

	if (!store || !ctx || !untrusted) {
		st = eif_fail(err, EIF_E_NOMEM, "certificate chain: out of memory");
		goto out;
	}
	for (size_t i = 1; i < ch->n; i++) {
		int r = X509_check_issued(ch->certs[i - 1], ch->certs[i]);
		if (r != X509_V_OK) {
			check_result(c, 0, "%s is not issued by %s (%s); the bundle must run from "
				     "the root to the leaf's issuer without gaps", ch->names[i],
				     ch->names[i - 1], X509_verify_cert_error_string(r));
			goto out;
		}
	}
	if (check_roles(ch, c) != 0)
		goto out;
	for (size_t i = 1; i + 1 < ch->n; i++)
		if (!sk_X509_push(untrusted, ch->certs[i])) {
			st = eif_fail(err, EIF_E_NOMEM, "certificate chain: out of memory");
			goto out;
		}
	/* Validity is the separate "validity" check, so an expired leaf is reported as such. */
	if (!X509_STORE_add_cert(store, ch->certs[0]) ||
	    !X509_STORE_CTX_init(ctx, store, ch->certs[ch->n - 1], untrusted)) {
		st = eif_fail(err, EIF_E_CRYPTO, "certificate chain: %s",
			      eif_openssl_reason(why, sizeof(why)));
		goto out;
	}
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		int depth = X509_STORE_CTX_get_error_depth(ctx);
		ERR_clear_error();
		check_result(c, 0, "%s: %s", depth >= 0 && (size_t)depth < ch->n ?
			     ch->names[ch->n - 1 - (size_t)depth] : "chain",
			     X509_verify_cert_error_string(e));
		goto out;
	}
	STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
	if ((size_t)sk_X509_num(built) != ch->n) {
		check_result(c, 0, "OpenSSL built a chain of %d certificates from a bundle of %zu",
			     sk_X509_num(built), ch->n);
		goto out;
	}
	check_result(c, 1, "%zu certificates chain from cabundle[0] to the leaf; signatures, "
		     "CA constraints and key usage hold", ch->n);
out:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return st;
}

static void time_text(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(out, 32, "%lld", (long long)t);
}

static void check_validity(const struct chain *ch, int64_t t, const char *how,
			   struct eif_attest_check *c)
{
	char when[32];
	time_t tt = (time_t)t;

	time_text(t, when);
	for (size_t i = 0; i < ch->n; i++) {
		int before = X509_cmp_time(X509_get0_notBefore(ch->certs[i]), &tt);
		int after = X509_cmp_time(X509_get0_notAfter(ch->certs[i]), &tt);
		if (before == 0 || after == 0) {
			ERR_clear_error();
			check_result(c, 0, "%s has an unreadable validity time", ch->names[i]);
			return;
		}
		if (before > 0 || after < 0) {
			check_result(c, 0, "%s is %s at %s (%s); an archived document verifies with "
				     "--time doc", ch->names[i], before > 0 ? "not yet valid" :
				     "expired", when, how);
			return;
		}
	}
	check_result(c, 1, "all %zu certificates are valid at %s (%s)", ch->n, when, how);
}

static void check_signature(const struct eif_attest_doc *doc, struct eif_attest_check *c)
{
	struct eif_error e;

	if (doc->cose.alg != EIF_COSE_ALG_ES384) {
		check_result(c, 0, "COSE algorithm %lld; the NSM signs with ES384 (-35)",
			     (long long)doc->cose.alg);
		return;
	}
	if (eif_cose_verify_der(doc->certificate.data, doc->certificate.len, &doc->cose, &e) ==
	    EIF_SIGNATURE_VALID)
		check_result(c, 1, "the ES384 signature over the Sig_structure verifies under the "
			     "leaf certificate's key");
	else
		check_result(c, 0, "%s", e.msg);
}

static int all_zero(const struct eif_attest_bytes *b)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i])
			return 0;
	return 1;
}

static void check_pcr(const struct eif_attest_doc *doc, const struct eif_attest_expect *expect,
		      unsigned i, struct eif_attest_check *c)
{
	const struct eif_attest_bytes *got = &doc->pcrs[i];
	char want[129], have[129];

	eif_hex(expect->pcr[i].value, expect->pcr[i].len, want);
	if (!got->present) {
		check_result(c, 0, "the document has no PCR%u; expected %s", i, want);
		return;
	}
	eif_hex(got->data, got->len, have);
	if (got->len == expect->pcr[i].len && !memcmp(got->data, expect->pcr[i].value, got->len))
		check_result(c, 1, "PCR%u is %s as expected", i, have);
	else
		check_result(c, 0, "PCR%u is %s; expected %s", i, have, want);
}

static void check_bytes(const char *name, const struct eif_attest_bytes *got,
			const struct eif_attest_bytes *want, struct eif_attest_check *c)
{
	if (!got->present)
		check_result(c, 0, "the document's %s is null; expected %zu bytes", name,
			     want->len);
	else if (got->len != want->len || (got->len && memcmp(got->data, want->data, got->len)))
		check_result(c, 0, "the document's %s (%zu bytes) differs from the expected one "
			     "(%zu bytes)", name, got->len, want->len);
	else
		check_result(c, 1, "the document's %s equals the expected %zu bytes", name,
			     want->len);
}

static void check_expectations(const struct eif_attest_doc *doc,
			       const struct eif_attest_expect *expect,
			       struct eif_attest_result *res)
{
	struct eif_attest_check *c = add_check(res, "debug_mode", EIF_ATTEST_MISMATCH);
	int debug = 1;

	for (int i = 0; i < 3; i++)
		debug &= doc->pcrs[i].present && all_zero(&doc->pcrs[i]);
	if (debug)
		check_result(c, 0, "PCR0, PCR1 and PCR2 are all zero: the enclave runs in debug "
			     "mode, so the document says nothing about its code and never matches");
	else
		check_result(c, 1, "PCR0-2 are not all zero (not a debug-mode enclave)");
	for (unsigned i = 0; i < EIF_ATTEST_PCR_COUNT; i++) {
		if (!expect->pcr[i].set)
			continue;
		char name[8];
		snprintf(name, sizeof(name), "pcr%u", i);
		check_pcr(doc, expect, i, add_check(res, name, EIF_ATTEST_MISMATCH));
	}
	if (expect->nonce.present)
		check_bytes("nonce", &doc->nonce, &expect->nonce,
			    add_check(res, "nonce", EIF_ATTEST_MISMATCH));
	if (expect->user_data.present)
		check_bytes("user_data", &doc->user_data, &expect->user_data,
			    add_check(res, "user_data", EIF_ATTEST_MISMATCH));
	if (expect->public_key.present)
		check_bytes("public_key", &doc->public_key, &expect->public_key,
			    add_check(res, "public_key", EIF_ATTEST_MISMATCH));
}

static void skip(struct eif_attest_check *c, const char *reason)
{
	c->skipped = 1;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

enum eif_status eif_attest_verify(const unsigned char *raw, size_t len,
				  const struct eif_attest_expect *expect,
				  struct eif_attest_result *res, struct eif_error *err)
{
	struct chain ch = { 0 };
	struct eif_error perr;
	enum eif_status st = EIF_OK;
	struct eif_attest_check *c;

	memset(res, 0, sizeof(*res));
	c = add_check(res, "format", EIF_ATTEST_MALFORMED);
	if (eif_attest_doc_parse(raw, len, &res->doc, &perr) != EIF_OK) {
		check_result(c, 0, "%s", perr.msg);
		res->verdict = EIF_ATTEST_MALFORMED;
		return EIF_OK;
	}
	res->doc_ok = 1;
	check_result(c, 1, "COSE_Sign1 with a well-formed attestation document (%zu bytes)", len);

	struct eif_attest_check *root = add_check(res, "root", EIF_ATTEST_UNTRUSTED);
	struct eif_attest_check *chain = add_check(res, "chain", EIF_ATTEST_UNTRUSTED);
	struct eif_attest_check *validity = add_check(res, "validity", EIF_ATTEST_TIME);
	res->chain_checked = !expect->skip_chain;
	if (expect->skip_chain) {
		static const char why[] = "skipped on request (--skip-chain): the certificates "
					  "were not checked, so nothing ties this document to AWS";
		skip(root, why);
		skip(chain, why);
		skip(validity, why);
	} else {
		check_root(&res->doc, expect, root);
		if (chain_load(&res->doc, &ch, chain) == 0)
			st = check_chain(&ch, chain, err);
		if (ch.n == res->doc.cabundle_count + 1) {
			int64_t t = expect->time_is_doc ? (int64_t)(res->doc.timestamp_ms / 1000) :
							  expect->time;
			check_validity(&ch, t, expect->time_is_doc ? "the document's timestamp" :
				       "--time or now", validity);
		} else {
			skip(validity, "a certificate could not be read");
		}
		chain_free(&ch);
	}
	c = add_check(res, "signature", EIF_ATTEST_BAD_SIGNATURE);
	res->signature_checked = !expect->skip_signature;
	if (expect->skip_signature)
		skip(c, "skipped on request (--skip-signature): nothing shows that an NSM made "
		     "this document");
	else
		check_signature(&res->doc, c);
	check_expectations(&res->doc, expect, res);

	res->verdict = EIF_ATTEST_PASS;
	for (size_t i = 0; i < res->count; i++) {
		const struct eif_attest_check *k = &res->checks[i];
		if (!k->passed && !k->skipped &&
		    (res->verdict == EIF_ATTEST_PASS || k->class < res->verdict))
			res->verdict = k->class;
	}
	return st;
}

const char *eif_attest_class_name(enum eif_attest_class c)
{
	switch (c) {
	case EIF_ATTEST_PASS: return "pass";
	case EIF_ATTEST_MALFORMED: return "malformed";
	case EIF_ATTEST_UNTRUSTED: return "untrusted chain";
	case EIF_ATTEST_BAD_SIGNATURE: return "bad signature";
	case EIF_ATTEST_TIME: return "expired or not yet valid";
	default: return "measurement mismatch";
	}
}

/* ---- verdict JSON --------------------------------------------------------------------- */

static int set_hex(struct json_value *v, const struct eif_attest_bytes *b)
{
	if (!v)
		return -1;
	if (!b->present)
		return 0;	/* stays null */
	char *hex = malloc(2 * b->len + 1);
	if (!hex)
		return -1;
	eif_hex(b->data, b->len, hex);
	int r = json_set_string(v, hex, 2 * b->len);
	free(hex);
	return r;
}

static int set_text(struct json_value *v, const char *s)
{
	return v ? json_set_string(v, s, strlen(s)) : -1;
}

static int document_json(const struct eif_attest_doc *doc, struct json_value *obj)
{
	char num[32], when[32];
	struct json_value *v, *pcrs;
	int r = 0;

	json_init_object(obj);
	if ((v = json_object_add(obj, "module_id")))
		r |= json_set_string(v, doc->module_id, doc->module_id_len);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)doc->timestamp_ms);
	if ((v = json_object_add(obj, "timestamp")))
		r |= json_set_number_text(v, num);
	time_text((int64_t)(doc->timestamp_ms / 1000), when);
	r |= set_text(json_object_add(obj, "time"), when);
	r |= set_text(json_object_add(obj, "digest"), "SHA384");
	if (!(pcrs = json_object_add(obj, "pcrs")))
		return -1;
	json_init_object(pcrs);
	for (unsigned i = 0; i < EIF_ATTEST_PCR_COUNT; i++) {
		char name[8];
		if (!doc->pcrs[i].present)
			continue;
		snprintf(name, sizeof(name), "PCR%u", i);
		r |= set_hex(json_object_add(pcrs, name), &doc->pcrs[i]);
	}
	r |= set_hex(json_object_add(obj, "nonce"), &doc->nonce);
	r |= set_hex(json_object_add(obj, "user_data"), &doc->user_data);
	r |= set_hex(json_object_add(obj, "public_key"), &doc->public_key);
	snprintf(num, sizeof(num), "%zu", doc->cabundle_count + 1);
	if ((v = json_object_add(obj, "certificates")))
		r |= json_set_number_text(v, num);
	return r ? -1 : 0;
}

char *eif_attest_result_json(const struct eif_attest_result *res)
{
	struct json_value root, *v, *checks;
	char *text = NULL;
	int r = 0;

	json_init_object(&root);
	r |= set_text(json_object_add(&root, "verdict"),
		      res->verdict == EIF_ATTEST_PASS ? "pass" : "fail");
	if (!(v = json_object_add(&root, "failure")))
		goto out;
	if (res->verdict != EIF_ATTEST_PASS)
		r |= set_text(v, eif_attest_class_name(res->verdict));
	if ((v = json_object_add(&root, "chain_checked")))
		json_set_bool(v, res->chain_checked);
	if ((v = json_object_add(&root, "signature_checked")))
		json_set_bool(v, res->signature_checked);
	if (!(v = json_object_add(&root, "document")))
		goto out;
	if (res->doc_ok && document_json(&res->doc, v) != 0)
		goto out;
	if (!(checks = json_object_add(&root, "checks")))
		goto out;
	json_init_object(checks);
	for (size_t i = 0; i < res->count; i++) {
		const struct eif_attest_check *c = &res->checks[i];
		struct json_value *o = json_object_add(checks, c->name);
		if (!o)
			goto out;
		json_init_object(o);
		r |= set_text(json_object_add(o, "result"),
			      c->skipped ? "skipped" : c->passed ? "pass" : "fail");
		if (!c->passed && !c->skipped)
			r |= set_text(json_object_add(o, "failure"),
				      eif_attest_class_name(c->class));
		r |= set_text(json_object_add(o, "reason"), c->reason);
	}
	if (!r)
		text = eif_json_text(&root);
out:
	json_free(&root);
	return text;
}
