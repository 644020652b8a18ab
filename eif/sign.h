/* sign: the EIF signature section (spec EIF_FORMAT.md section 11).
 *
 * The section is CBOR [ {"signing_certificate": [PEM bytes as uints],
 *                        "signature": [COSE_Sign1 bytes as uints]} ];
 * the COSE_Sign1 (untagged, ES384) signs CBOR {"register_index": 0, "register_value": [PCR0]}.
 * PCR8 = SHA-384(48 zero bytes || SHA-384(certificate DER)).
 *
 * Typical use:
 *   eif build / eif sign:  eif_signer_load() before writing anything, then
 *                          eif_signature_section_build(signer, pcr0, ...) once PCR0 is known.
 *   eif describe:          eif_signature_verify() for SignatureCheck (VALID = true),
 *                          eif_signature_cert_info() for SigningCertificate and PCR8.
 *   eif pcr --signing-certificate:  eif_cert_pcr8_from_pem().
 * Like the rest of libeif, nothing here prints or exits. */
#ifndef EIF_SIGN_H
#define EIF_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "eif.h"

/* A loaded certificate (PEM file bytes kept verbatim) and the matching EC private key. */
struct eif_signer;

/* Reads the PEM certificate and PEM private key files, checks that the key is EC and
 * belongs to the certificate. The key's curve picks the COSE algorithm as AWS's library does:
 * P-384 -> ES384 (what Nitro uses), P-256 -> ES256, P-521 -> ES512. On failure *out is NULL
 * and err names the file and the cause. */
enum eif_status eif_signer_load(struct eif_signer **out, const char *cert_path,
				const char *key_path, struct eif_error *err);
void eif_signer_free(struct eif_signer *signer);
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

/* The oldest queued OpenSSL error as text in buf (then clears the queue); returns buf. */
const char *eif_openssl_reason(char *buf, size_t n);

/* PCR8 of a PEM certificate: SHA-384(Z48 || SHA-384(DER)). */
enum eif_status eif_cert_pcr8_from_pem(const unsigned char *pem, size_t len,
				       unsigned char pcr8[EIF_PCR_SIZE], struct eif_error *err);

#endif
