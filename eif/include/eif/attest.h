/* attest: offline verification of an AWS Nitro Enclaves attestation document.
 *
 * The document is a COSE_Sign1 (ES384) whose payload is a CBOR map: module_id, digest
 * ("SHA384"), timestamp (ms since the epoch), pcrs (index -> 32/48/64 bytes), certificate
 * (the leaf, DER), cabundle (DER, root first), and public_key, user_data, nonce (byte strings
 * of at most 1024 bytes, or null). eif_attest_verify() runs every check it can and records each
 * one with a class; the verdict is the first failing class in enum order, so a broken
 * certificate reports an untrusted chain even though the signature then fails too.
 *
 * Trust: cabundle[0] must be the pinned root, which is the AWS Nitro Enclaves root G1 named by
 * its SHA-256 fingerprint (EIF_ATTEST_AWS_ROOT_SHA256, as AWS publishes it), or a root the
 * caller gives. The chain is exactly cabundle[0] -> ... -> cabundle[n-1] -> certificate.
 * Like the rest of libeif, nothing here prints or exits. */
#ifndef EIF_ATTEST_H
#define EIF_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include <eif/cose.h>
#include <eif/eif.h>

/* SHA-256 of the DER of AWS's root.pem in AWS_NitroEnclaves_Root-G1.zip. */
#define EIF_ATTEST_AWS_ROOT_SHA256 \
	"641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b"

#define EIF_ATTEST_PCR_COUNT 32		/* the NSM has 32 registers */
#define EIF_ATTEST_FIELD_MAX 1024	/* public_key, user_data, nonce; also each certificate */
#define EIF_ATTEST_CABUNDLE_MAX 8	/* AWS sends 4; a longer bundle is not AWS's */
#define EIF_ATTEST_DOC_MAX (64 * 1024)	/* raw document bytes (AWS's are about 5-8 KiB) */

struct eif_attest_bytes {
	const unsigned char *data;	/* into the parsed buffer */
	size_t len;
	int present;			/* 0: absent or CBOR null */
};

/* A decoded document; every pointer points into the buffer given to the parser. */
struct eif_attest_doc {
	struct eif_cose_sign1 cose;
	const char *module_id;
	size_t module_id_len;
	const char *digest;
	size_t digest_len;
	uint64_t timestamp_ms;
	struct eif_attest_bytes pcrs[EIF_ATTEST_PCR_COUNT];
	struct eif_attest_bytes certificate;
	struct eif_attest_bytes cabundle[EIF_ATTEST_CABUNDLE_MAX];
	size_t cabundle_count;
	struct eif_attest_bytes public_key, user_data, nonce;
};

/* Strict decoder: COSE_Sign1 (tagged or not), then the payload map with exactly the known
 * keys, each once, of the right type and size; nothing after either. EIF_E_FORMAT with the
 * byte offset and the field on any deviation. */
enum eif_status eif_attest_doc_parse(const unsigned char *buf, size_t len,
				     struct eif_attest_doc *doc, struct eif_error *err);

/* A document file's bytes, raw CBOR or base64 (whitespace allowed), as raw bytes (malloc'd). */
enum eif_status eif_attest_doc_decode(const unsigned char *in, size_t len, unsigned char **raw,
				      size_t *raw_len, struct eif_error *err);

/* The first certificate of a PEM file (--root) as DER (malloc'd); what names the file. */
enum eif_status eif_attest_der_from_pem(const unsigned char *pem, size_t len, const char *what,
					unsigned char **der, size_t *der_len, struct eif_error *err);

/* What the document must show. Zero-initialize, then fill. */
struct eif_attest_expect {
	const unsigned char *root_der;	/* NULL: the AWS root by fingerprint */
	size_t root_der_len;
	int64_t time;			/* seconds since the epoch, unless time_is_doc */
	int time_is_doc;		/* check validity at the document's own timestamp */
	int skip_chain;			/* do not check the certificates (a test NSM's document) */
	int skip_signature;		/* do not check the COSE signature (QEMU's NSM signs
					 * nothing: alg -1, 64 zero bytes) */
	struct {
		int set;
		unsigned char value[64];
		size_t len;
	} pcr[EIF_ATTEST_PCR_COUNT];
	struct eif_attest_bytes nonce, user_data, public_key;	/* present: must match */
};

/* --pcr style "N=HEX" (N 0..31, 32/48/64 bytes) into expect. */
enum eif_status eif_attest_expect_pcr(struct eif_attest_expect *expect, const char *spec,
				      struct eif_error *err);
/* out/pcr.json / configs/expected-pcr.json: PCR0, PCR1, PCR2 required, other "PCRn" optional,
 * "HashAlgorithm" ignored, any other member an error. what names the file in messages. */
enum eif_status eif_attest_expect_json(struct eif_attest_expect *expect, const unsigned char *text,
				       size_t len, const char *what, struct eif_error *err);
/* The same from a parsed JSON object (the measurements of a build statement). */
struct json_value;
enum eif_status eif_attest_expect_measurements(struct eif_attest_expect *expect,
					       const struct json_value *measurements,
					       const char *what, struct eif_error *err);
/* "doc", seconds since the epoch, or RFC 3339 ("2024-09-07T14:37:39Z", fraction and offset
 * allowed) into expect->time / time_is_doc. */
enum eif_status eif_attest_expect_time(struct eif_attest_expect *expect, const char *text,
				       struct eif_error *err);
/* Hex (either case, even length, at most cap bytes) to bytes. */
enum eif_status eif_attest_hex(const char *hex, unsigned char *out, size_t cap, size_t *len,
			       const char *what, struct eif_error *err);

/* Failure classes in precedence order (the verdict is the first failing one). */
enum eif_attest_class {
	EIF_ATTEST_PASS = 0,
	EIF_ATTEST_MALFORMED,		/* not a well-formed attestation document */
	EIF_ATTEST_UNTRUSTED,		/* the certificates do not chain to the pinned root */
	EIF_ATTEST_BAD_SIGNATURE,	/* the COSE signature does not verify under the leaf */
	EIF_ATTEST_TIME,		/* a certificate is expired or not yet valid */
	EIF_ATTEST_MISMATCH,		/* the measurements or bound data differ from expected */
};
/* "pass", "malformed", "untrusted chain", "bad signature", "expired or not yet valid",
 * "measurement mismatch". */
const char *eif_attest_class_name(enum eif_attest_class c);

#define EIF_ATTEST_CHECK_MAX 48
struct eif_attest_check {
	char name[24];			/* "format", "root", "chain", "validity", "signature", "pcr0",
					 * "debug_mode", "nonce", "user_data", "public_key" */
	enum eif_attest_class class;	/* what a failure of this check means */
	int passed;
	int skipped;			/* not run; reason says why (never counts as a pass) */
	char reason[1152];
};
struct eif_attest_result {
	struct eif_attest_check checks[EIF_ATTEST_CHECK_MAX];
	size_t count;
	enum eif_attest_class verdict;
	int chain_checked;		/* 0 when expect->skip_chain */
	int signature_checked;		/* 0 when expect->skip_signature */
	struct eif_attest_doc doc;	/* valid when checks[0] (format) passed */
	int doc_ok;
};

/* Runs the checks on raw document bytes. EIF_OK whatever the verdict; an error only when a
 * check could not be run at all (out of memory, OpenSSL failure). */
enum eif_status eif_attest_verify(const unsigned char *raw, size_t len,
				  const struct eif_attest_expect *expect,
				  struct eif_attest_result *result, struct eif_error *err);

/* The verdict as pretty JSON text with a final newline (malloc'd), NULL when out of memory:
 * {"verdict", "failure", "chain_checked", "signature_checked", "document": {...},
 * "checks": {name: {result, reason}}}. */
char *eif_attest_result_json(const struct eif_attest_result *result);

#endif
