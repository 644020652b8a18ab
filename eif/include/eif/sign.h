/* sign: the EIF signature section (docs/eif-format.md#signature-section).
 *
 * The section is CBOR [ {"signing_certificate": [PEM bytes as uints],
 *                        "signature": [COSE_Sign1 bytes as uints]} ];
 * the COSE_Sign1 (untagged, ES384) signs CBOR {"register_index": 0, "register_value": [PCR0]}.
 * PCR8 = SHA-384(48 zero bytes || SHA-384(certificate DER)).
 *
 * Typical use:
 *   eif build / eif sign:  eif_signer_load() or eif_signer_open() before writing anything,
 *                          then eif_signature_section_build(signer, pcr0, ...) once PCR0
 *                          is known.
 *   detached (KMS, HSM):   eif_signer_open(cert, NULL) and eif_sign_export() write what to
 *                          sign; later eif_signer_load_signature() and eif_sign_file().
 *   eif describe:          eif_signature_verify() for SignatureCheck (VALID = true),
 *                          eif_signature_cert_info() for SigningCertificate and PCR8.
 *   eif pcr --signing-certificate:  eif_cert_pcr8_from_pem().
 * Like the rest of libeif, nothing here prints or exits. */
#ifndef EIF_SIGN_H
#define EIF_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

/* A loaded certificate (PEM file bytes kept verbatim) and the matching EC private key. */
struct eif_signer;

/* Reads the PEM certificate and PEM private key files, checks that the key is EC and
 * belongs to the certificate. The key's curve picks the COSE algorithm as AWS's library does:
 * P-384 -> ES384 (what Nitro uses), P-256 -> ES256, P-521 -> ES512. On failure *out is NULL
 * and err names the file and the cause. key_path may also be a pkcs11: URI (eif_signer_open
 * with the default module). */
enum eif_status eif_signer_load(struct eif_signer **out, const char *cert_path,
				const char *key_path, struct eif_error *err);
/* Like eif_signer_load, with more key sources: key "pkcs11:..." (RFC 7512) is a key on a
 * PKCS#11 token, used through pkcs11_module (NULL: the URI's module-path, else
 * pkcs11-provider's configuration, else p11-kit-proxy.so; see pkcs11.h; PIN from the URI or
 * $EIF_PKCS11_PIN);
 * it must be on the certificate's curve and sign what the certificate verifies. key NULL
 * loads the certificate alone, for detached signing (eif_sign_export, then
 * eif_signer_load_signature). Every kind refuses a certificate outside its validity dates. */
enum eif_status eif_signer_open(struct eif_signer **out, const char *cert_path,
				const char *key, const char *pkcs11_module,
				struct eif_error *err);
/* Gives a certificate-only signer a signature made elsewhere: DER ECDSA-Sig-Value (openssl
 * dgst -sign, AWS KMS) or raw r || s (96 bytes for P-384). tbs_path (or NULL) names the
 * Sig_structure it was made over (eif_sign_export's output) so that a signature that does
 * not verify can be told apart: made for another PCR0, or with another key. The signature is
 * checked against the certificate and the EIF's PCR0 when the section is built. */
enum eif_status eif_signer_load_signature(struct eif_signer *signer, const char *signature_path,
					  const char *tbs_path, struct eif_error *err);
void eif_signer_free(struct eif_signer *signer);

/* What a signer outside this process must sign for PCR0. */
struct eif_tbs {
	unsigned char *tbs;		/* COSE Sig_structure bytes (malloc'd) */
	size_t tbs_len;
	unsigned char digest[64];	/* its hash with the curve's digest (SHA-384 for P-384) */
	size_t digest_len;
	const char *algorithm;		/* "ES384" */
	const char *curve;		/* "P-384" */
	const char *digest_name;	/* "SHA-384" */
	const char *openssl_digest;	/* "sha384", as openssl dgst -sha384 */
	unsigned char pcr0[EIF_PCR_SIZE];
	unsigned char pcr8[EIF_PCR_SIZE];	/* of the image once signed */
};
enum eif_status eif_signer_tbs(const struct eif_signer *signer,
			       const unsigned char pcr0[EIF_PCR_SIZE], struct eif_tbs *out,
			       struct eif_error *err);
void eif_tbs_free(struct eif_tbs *tbs);
/* PCR8 the signed EIF will have. */
void eif_signer_pcr8(const struct eif_signer *signer, unsigned char pcr8[EIF_PCR_SIZE]);

/* Builds the complete signature section data for PCR0 into a malloc'd buffer (free()).
 * The ECDSA signature is randomized, as AWS's, so the length varies between calls
 * (at most EIF_SIGNATURE_MAX_SIZE, else EIF_E_LIMIT). */
enum eif_status eif_signature_section_build(const struct eif_signer *signer,
					    const unsigned char pcr0[EIF_PCR_SIZE],
					    unsigned char **section, size_t *len,
					    struct eif_error *err);

/* An untagged COSE_Sign1 (protected header {1: alg}, empty unprotected header) signing any
 * payload with the signer's key, malloc'd (free()). */
enum eif_status eif_signer_sign_cose(const struct eif_signer *signer, const unsigned char *payload,
				     size_t payload_len, unsigned char **cose, size_t *cose_len,
				     struct eif_error *err);

enum eif_signature_result {
	EIF_SIGNATURE_VALID = 0,	/* COSE signature verifies and signs this PCR0 */
	EIF_SIGNATURE_UNSIGNED,		/* no section given (section == NULL) */
	EIF_SIGNATURE_CORRUPT,		/* section, CBOR, COSE structure or certificate malformed */
	EIF_SIGNATURE_BAD,		/* the ECDSA signature does not verify under the certificate */
	EIF_SIGNATURE_WRONG_PCR0,	/* the signature verifies but its payload is another PCR0 */
};

/* Verifies the first (only checked) signature of a section against PCR0 recomputed from the
 * file. Does not look at the certificate's dates (see eif_cert_info's not_before/after_unix).
 * For anything but VALID, err explains (err->code EIF_E_FORMAT for CORRUPT, EIF_E_UNSIGNED,
 * EIF_E_SIGNATURE for BAD/WRONG_PCR0). */
enum eif_signature_result eif_signature_verify(const unsigned char *section, size_t len,
					       const unsigned char pcr0[EIF_PCR_SIZE],
					       struct eif_error *err);

/* Checks a parsed COSE_Sign1 (cose.h) under the key of a DER certificate: VALID, CORRUPT
 * (the certificate is not one DER X.509 certificate) or BAD (wrong algorithm for the key, wrong
 * length, or the signature does not verify). Looks at nothing else in the certificate. */
struct eif_cose_sign1;
enum eif_signature_result eif_cose_verify_der(const unsigned char *der, size_t der_len,
					      const struct eif_cose_sign1 *cose,
					      struct eif_error *err);

/* The certificate of a signature, as nitro-cli describe-eif shows it. */
struct eif_cert_attr {
	char *name;	/* OpenSSL long name, e.g. "commonName" */
	char *value;	/* UTF-8 */
};
struct eif_cert_info {
	struct eif_cert_attr *issuer;	/* sorted by name; a repeated name keeps the last value */
	size_t issuer_count;
	char *algorithm;		/* signature algorithm long name, "ecdsa-with-SHA384" */
	char *not_before;		/* OpenSSL text, "Nov 22 12:21:50 2026 GMT" */
	char *not_after;
	char *signature;		/* certificate signature bytes, "3A:0F:..." uppercase */
	int64_t not_before_unix;	/* validity as seconds since the epoch (UTC) */
	int64_t not_after_unix;
	unsigned char fingerprint[EIF_PCR_SIZE];	/* SHA-384 of the DER */
	unsigned char pcr8[EIF_PCR_SIZE];
};

/* Certificate details of a PEM certificate (first one in the buffer). */
enum eif_status eif_cert_info_from_pem(const unsigned char *pem, size_t len,
				       struct eif_cert_info *info, struct eif_error *err);
/* Certificate details of the signature section's first signature (EIF_E_FORMAT if corrupt). */
enum eif_status eif_signature_cert_info(const unsigned char *section, size_t len,
					struct eif_cert_info *info, struct eif_error *err);
void eif_cert_info_free(struct eif_cert_info *info);

/* Adds (or replaces, in place of the old one) the signature section of the EIF at in_path,
 * signing the PCR0 recomputed from its data, and writes the result atomically to out_path
 * (NULL: in_path itself). The header's num_sections, section_offsets, section_sizes and CRC
 * are rewritten. Refuses an EIF whose structure or CRC is bad, and fails if the input changes
 * while it is copied. *pcrs receives the measurements of the signed file (with PCR8). */
enum eif_status eif_sign_file(const char *in_path, const char *out_path,
			      const struct eif_signer *signer, struct eif_measurements *pcrs,
			      struct eif_error *err);

/* Detached signing, step 1: writes the Sig_structure for the EIF's PCR0 to tbs_path, its
 * digest to digest_path (unless NULL) and a JSON summary (PCR0, PCR8, algorithm, digest) to
 * tbs_path + ".json", each atomically; the EIF itself is not written. Refuses an EIF whose
 * structure or CRC is bad. *out holds what was written (eif_tbs_free). */
enum eif_status eif_sign_export(const char *eif_path, const struct eif_signer *signer,
				const char *tbs_path, const char *digest_path,
				struct eif_tbs *out, struct eif_error *err);

/* The oldest queued OpenSSL error as text in buf (then clears the queue); returns buf. */
const char *eif_openssl_reason(char *buf, size_t n);

/* PCR8 of a PEM certificate: SHA-384(Z48 || SHA-384(DER)). */
enum eif_status eif_cert_pcr8_from_pem(const unsigned char *pem, size_t len,
				       unsigned char pcr8[EIF_PCR_SIZE], struct eif_error *err);

#endif
