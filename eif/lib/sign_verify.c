/* sign, part 2: checking signatures. A COSE_Sign1 is checked under a certificate's EC key
 * (P-256, P-384 or P-521, the algorithm matching the curve), and a signature section is checked
 * as the hypervisor and describe-eif do: the signature under its certificate, then the payload
 * against PCR0 recomputed from the image. The section's layout and who verifies what are
 * docs/eif-format.md#signature-section; making signatures is sign.c, certificates sign_cert.c. */
#include <eif/sign.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <eif/cose.h>
#include "sign_internal.h"
#include "util.h"

/* 1 valid, 0 invalid, -1 could not check (message in why). */
int sign_ecdsa_verify(EVP_PKEY *key, const struct curve *c, const unsigned char *raw,
		      const unsigned char *tbs, size_t tbs_len, char *why, size_t why_len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)c->coordinate, NULL);
	BIGNUM *s = BN_bin2bn(raw + c->coordinate, (int)c->coordinate, NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *der = NULL;
	int der_len, result = -1;

	if (!sig || !r || !s || !ctx || !ECDSA_SIG_set0(sig, r, s)) {
		BN_free(r);
		BN_free(s);
		eif_openssl_reason(why, why_len);
		goto out;
	}
	der_len = i2d_ECDSA_SIG(sig, &der);
	if (der_len <= 0 || EVP_DigestVerifyInit(ctx, NULL, c->md(), NULL, key) != 1) {
		eif_openssl_reason(why, why_len);
		goto out;
	}
	result = EVP_DigestVerify(ctx, der, (size_t)der_len, tbs, tbs_len) == 1;
	ERR_clear_error();
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	ECDSA_SIG_free(sig);
	return result;
}

/* The COSE_Sign1 signature under the certificate's key: VALID or BAD (err says why; its
 * code is EIF_E_CRYPTO when OpenSSL could not check at all). */
static enum eif_signature_result cose_verify_cert(X509 *cert, const struct eif_cose_sign1 *cose,
						  struct eif_error *err)
{
	unsigned char *tbs = NULL;
	size_t tbs_len;
	char why[256];
	EVP_PKEY *key = X509_get0_pubkey(cert);
	const struct curve *c = key ? sign_key_curve(key) : NULL;

	if (!c) {
		ERR_clear_error();
		eif_fail(err, EIF_E_SIGNATURE, "signing certificate: key is not EC P-256, P-384 or "
			 "P-521, so no COSE signature can verify under it");
		return EIF_SIGNATURE_BAD;
	}
	if (cose->alg != c->alg) {
		eif_fail(err, EIF_E_SIGNATURE, "COSE_Sign1: algorithm %lld (%s) does not match the "
			 "certificate's %s key (%s)", (long long)cose->alg, sign_alg_name(cose->alg),
			 c->name, c->alg_name);
		return EIF_SIGNATURE_BAD;
	}
	if (cose->signature_len != 2 * c->coordinate) {
		eif_fail(err, EIF_E_SIGNATURE, "COSE_Sign1: signature of %zu bytes; %s needs %zu "
			 "(r || s)", cose->signature_len, c->alg_name, 2 * c->coordinate);
		return EIF_SIGNATURE_BAD;
	}
	if (eif_cose_sig_structure(cose->protected_hdr, cose->protected_len, cose->payload,
				   cose->payload_len, &tbs, &tbs_len, err) != EIF_OK)
		return EIF_SIGNATURE_BAD;
	int ok = sign_ecdsa_verify(key, c, cose->signature, tbs, tbs_len, why, sizeof(why));
	free(tbs);
	if (ok < 0) {
		eif_fail(err, EIF_E_CRYPTO, "COSE_Sign1: cannot check the signature: %s", why);
		return EIF_SIGNATURE_BAD;
	}
	if (!ok) {
		eif_fail(err, EIF_E_SIGNATURE, "COSE_Sign1: the %s signature does not verify under "
			 "the signing certificate's key; the signed data or the signature was "
			 "altered", c->alg_name);
		return EIF_SIGNATURE_BAD;
	}
	return EIF_SIGNATURE_VALID;
}

enum eif_signature_result eif_cose_verify_der(const unsigned char *der, size_t der_len,
					      const struct eif_cose_sign1 *cose,
					      struct eif_error *err)
{
	const unsigned char *p = der;
	char why[256];
	X509 *cert = der_len <= LONG_MAX ? d2i_X509(NULL, &p, (long)der_len) : NULL;

	if (!cert || p != der + der_len) {
		X509_free(cert);
		eif_fail(err, EIF_E_FORMAT, "signing certificate: not one DER X.509 certificate "
			 "(%s)", eif_openssl_reason(why, sizeof(why)));
		return EIF_SIGNATURE_CORRUPT;
	}
	enum eif_signature_result r = cose_verify_cert(cert, cose, err);
	X509_free(cert);
	return r;
}

enum eif_signature_result eif_signature_verify(const unsigned char *section, size_t len,
					       const unsigned char pcr0[EIF_PCR_SIZE],
					       struct eif_error *err)
{
	struct eif_pcr_signature sig;
	struct eif_cose_sign1 cose;
	unsigned char expected[EIF_PCR_PAYLOAD_MAX];
	size_t expected_len;
	char why[256];
	X509 *cert = NULL;
	enum eif_signature_result result = EIF_SIGNATURE_CORRUPT;

	if (!section) {
		eif_fail(err, EIF_E_UNSIGNED, "no signature section; sign the EIF with 'eif sign'");
		return EIF_SIGNATURE_UNSIGNED;
	}
	if (eif_signature_section_parse(section, len, &sig, err) != EIF_OK)
		return EIF_SIGNATURE_CORRUPT;
	cert = sign_x509_from_pem(sig.cert, sig.cert_len);
	if (!cert) {
		eif_fail(err, EIF_E_FORMAT, "signature section: the signing certificate is not a "
			 "PEM X.509 certificate (%s)", eif_openssl_reason(why, sizeof(why)));
		goto out;
	}
	if (eif_cose_sign1_parse(sig.cose, sig.cose_len, &cose, err) != EIF_OK) {
		eif_error_prefix(err, "signature section");
		goto out;
	}
	result = cose_verify_cert(cert, &cose, err);
	if (result != EIF_SIGNATURE_VALID)
		goto out;
	if (eif_pcr_payload_encode(0, pcr0, EIF_PCR_SIZE, expected, &expected_len, err) != EIF_OK)
		goto out;
	if (cose.payload_len != expected_len || memcmp(cose.payload, expected, expected_len)) {
		char hex[EIF_PCR_HEX_SIZE];
		eif_hex(pcr0, EIF_PCR_SIZE, hex);
		eif_fail(err, EIF_E_SIGNATURE, "the signature is valid but signs another image, "
			 "not PCR0 %s; the image changed after signing, re-sign it", hex);
		result = EIF_SIGNATURE_WRONG_PCR0;
		goto out;
	}
	result = EIF_SIGNATURE_VALID;
out:
	X509_free(cert);
	eif_pcr_signature_free(&sig);
	return result;
}
