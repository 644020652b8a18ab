/* attest, part 2: verifying a decoded attestation document and reporting the verdict. Each
 * check (root pinning, certificate roles, the chain, validity at a chosen time, the COSE_Sign1
 * signature, PCRs and the other expected values) is recorded with its class, and the result is
 * also rendered as JSON. Decoding the document and parsing the expectations is attest.c. The
 * document's shape is docs/boot-contract.md#the-attestation-document, the signature structure
 * docs/eif-format.md#the-cose_sign1-structure; the trust rules and verdict order are attest.h. */
#include <eif/attest.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "json.h"
#include <eif/sign.h>
#include "util.h"

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

static int add_bytes(struct json_value *obj, const char *key, const struct eif_attest_bytes *b)
{
	return json_add_hex(obj, key, b->present ? b->data : NULL, b->len);
}

static int document_json(const struct eif_attest_doc *doc, struct json_value *obj)
{
	char when[32];
	struct json_value *pcrs;
	int r = 0;

	json_init_object(obj);
	time_text((int64_t)(doc->timestamp_ms / 1000), when);
	r |= json_add_string(obj, "module_id", doc->module_id, doc->module_id_len);
	r |= json_add_u64(obj, "timestamp", doc->timestamp_ms);
	r |= json_add_text(obj, "time", when);
	r |= json_add_text(obj, "digest", "SHA384");
	if (!(pcrs = json_object_add(obj, "pcrs")))
		return -1;
	json_init_object(pcrs);
	for (unsigned i = 0; i < EIF_ATTEST_PCR_COUNT; i++) {
		char name[8];
		if (!doc->pcrs[i].present)
			continue;
		snprintf(name, sizeof(name), "PCR%u", i);
		r |= add_bytes(pcrs, name, &doc->pcrs[i]);
	}
	r |= add_bytes(obj, "nonce", &doc->nonce);
	r |= add_bytes(obj, "user_data", &doc->user_data);
	r |= add_bytes(obj, "public_key", &doc->public_key);
	r |= json_add_u64(obj, "certificates", doc->cabundle_count + 1);
	return r ? -1 : 0;
}

char *eif_attest_result_json(const struct eif_attest_result *res)
{
	struct json_value root, *v, *checks;
	char *text = NULL;
	int r = 0;

	json_init_object(&root);
	r |= json_add_text(&root, "verdict", res->verdict == EIF_ATTEST_PASS ? "pass" : "fail");
	r |= json_add_text(&root, "failure", res->verdict == EIF_ATTEST_PASS ? NULL :
			   eif_attest_class_name(res->verdict));
	r |= json_add_bool(&root, "chain_checked", res->chain_checked);
	r |= json_add_bool(&root, "signature_checked", res->signature_checked);
	if (r || !(v = json_object_add(&root, "document")))
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
		r |= json_add_text(o, "result", c->skipped ? "skipped" : c->passed ? "pass" : "fail");
		if (!c->passed && !c->skipped)
			r |= json_add_text(o, "failure", eif_attest_class_name(c->class));
		r |= json_add_text(o, "reason", c->reason);
	}
	if (!r)
		text = eif_json_text(&root);
out:
	json_free(&root);
	return text;
}
