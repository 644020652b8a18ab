/* sign: what sign.c (keys, signing, the signature section), sign_verify.c (checking signatures)
 * and sign_cert.c (certificate details) share and nothing else sees. The public contract is
 * sign.h; the signature section is docs/eif-format.md#signature-section. */
#ifndef EIF_SIGN_INTERNAL_H
#define EIF_SIGN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <eif/eif.h>

/* One of the curves AWS's COSE library accepts (the table is in sign.c). */
struct curve {
	int nid;
	int64_t alg;
	const char *name;
	const char *alg_name;
	const char *digest_name;	/* as in FIPS 180-4, and as openssl dgst names it */
	const char *openssl_digest;
	size_t coordinate;	/* bytes of r and of s in the raw signature */
	const EVP_MD *(*md)(void);
};

/* ---- sign.c ---- */

/* The curve of an EC key, or NULL when it is none of the accepted ones. */
const struct curve *sign_key_curve(EVP_PKEY *key);
/* "ES256", "ES384", "ES512" for a COSE algorithm id, else a phrase saying it is none. */
const char *sign_alg_name(int64_t alg);
/* One PEM certificate, or NULL (OpenSSL's error queue says why). */
X509 *sign_x509_from_pem(const unsigned char *pem, size_t len);
/* PCR8 of a certificate, extend(DER) = SHA-384(Z48 || SHA-384(DER)), and its fingerprint
 * SHA-384(DER). */
enum eif_status sign_cert_measure(X509 *cert, unsigned char fingerprint[EIF_PCR_SIZE],
				  unsigned char pcr8[EIF_PCR_SIZE], struct eif_error *err);

/* ---- sign_verify.c ---- */

/* The raw r || s signature over tbs under key: 1 valid, 0 invalid, -1 could not check
 * (message in why). */
int sign_ecdsa_verify(EVP_PKEY *key, const struct curve *c, const unsigned char *raw,
		      const unsigned char *tbs, size_t tbs_len, char *why, size_t why_len);

/* ---- sign_cert.c ---- */

/* A certificate time as OpenSSL prints it (malloc'd) and as seconds since the epoch. */
enum eif_status sign_cert_time(const ASN1_TIME *t, char **text, int64_t *unix_time,
			       const char *what, struct eif_error *err);

#endif
