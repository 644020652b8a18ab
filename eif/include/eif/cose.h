/* cose: encoding and parsing of the EIF signature structures (docs/eif-format.md#cbor-encoding
 * and on): the PcrInfo payload, COSE_Sign1 (RFC 8152) and the signature section. No crypto here;
 * sign.c adds ECDSA and X.509 on top. Parsers return pointers into (or copies of) hostile input
 * only after checking every length, and fill err with the byte offset of a problem. */
#ifndef EIF_COSE_H
#define EIF_COSE_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

/* COSE algorithm identifiers (RFC 8152 table 5). */
#define EIF_COSE_ALG_ES256 (-7)
#define EIF_COSE_ALG_ES384 (-35)
#define EIF_COSE_ALG_ES512 (-36)
/* CBOR tag of a tagged COSE_Sign1 (accepted, never written). */
#define EIF_COSE_SIGN1_TAG 18

/* Largest PcrInfo encoding for a 64-byte register value (SHA-512): 2 + 15 + 1 + 15 + 2 + 128. */
#define EIF_PCR_PAYLOAD_MAX 163

/* CBOR of PcrInfo { register_index, register_value } as serde_cbor writes it. */
enum eif_status eif_pcr_payload_encode(unsigned register_index, const unsigned char *value,
				       size_t value_len, unsigned char out[EIF_PCR_PAYLOAD_MAX],
				       size_t *len, struct eif_error *err);

/* Protected header bstr content {1: alg}: A1 01 <alg>. */
size_t eif_cose_protected_encode(int64_t alg, unsigned char out[16]);

/* Sig_structure ["Signature1", protected, h'', payload], malloc'd. */
enum eif_status eif_cose_sig_structure(const unsigned char *protected_hdr, size_t protected_len,
				       const unsigned char *payload, size_t payload_len,
				       unsigned char **out, size_t *len, struct eif_error *err);

/* Untagged COSE_Sign1 [protected, {}, payload, signature], malloc'd. */
enum eif_status eif_cose_sign1_encode(const unsigned char *protected_hdr, size_t protected_len,
				      const unsigned char *payload, size_t payload_len,
				      const unsigned char *signature, size_t signature_len,
				      unsigned char **out, size_t *len, struct eif_error *err);

/* A parsed COSE_Sign1; pointers into the parsed buffer. */
struct eif_cose_sign1 {
	const unsigned char *protected_hdr;
	size_t protected_len;
	int64_t alg;		/* from the protected header */
	const unsigned char *payload;
	size_t payload_len;
	const unsigned char *signature;
	size_t signature_len;
};
/* Accepts tagged (18) or untagged; requires the protected header to be a map holding alg (1)
 * as an integer, a map as unprotected header, a byte-string payload and signature, and no
 * bytes after the array. */
enum eif_status eif_cose_sign1_parse(const unsigned char *buf, size_t len,
				     struct eif_cose_sign1 *out, struct eif_error *err);

/* Signature section [{"signing_certificate": [..], "signature": [..]}], malloc'd. */
enum eif_status eif_signature_section_encode(const unsigned char *cert, size_t cert_len,
					     const unsigned char *cose, size_t cose_len,
					     unsigned char **out, size_t *len,
					     struct eif_error *err);

/* First element of a signature section, as malloc'd copies (eif_pcr_signature_free). Every
 * element must be a well-formed PcrSignature (as AWS's deserializer requires); the array must
 * not be empty and nothing may follow it. */
struct eif_pcr_signature {
	unsigned char *cert;
	size_t cert_len;
	unsigned char *cose;
	size_t cose_len;
	size_t count;		/* signatures in the section (only the first is used) */
};
enum eif_status eif_signature_section_parse(const unsigned char *section, size_t len,
					    struct eif_pcr_signature *out, struct eif_error *err);
void eif_pcr_signature_free(struct eif_pcr_signature *sig);

#endif
