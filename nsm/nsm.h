/* libnsm: a C client for the Nitro Secure Module (NSM) behind /dev/nsm.
 *
 * Three layers, each usable alone:
 *   - encoding: nsm_encode_request() turns a typed request into the CBOR the NSM expects;
 *   - decoding: nsm_decode_response() checks an answer and returns its fields (pointers into
 *     the caller's buffer); nsm_decode_document() does the same for an attestation document;
 *   - calls: nsm_describe_pcr() and friends send a request through a struct nsm (the ioctl on
 *     /dev/nsm, or a caller-supplied transport) and decode the answer.
 * Every call returns an nsm_status; on failure the handle's `error` names what failed and why.
 * A struct nsm serves one thread at a time (it holds the request and answer buffers); threads
 * open one each, and the driver serialises their requests.
 * The library never prints, exits or allocates. Hostile answers are rejected, never trusted.
 */
#ifndef NSM_H
#define NSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

/* The ioctl ABI of Linux's <linux/nsm.h> (Linux 6.8 and later; our driver implements it).
 * Restated here because the C libraries' kernel headers may predate it. */
#if defined(__has_include)
#if __has_include(<linux/nsm.h>)
#include <linux/nsm.h>
#endif
#endif
#ifndef NSM_IOCTL_RAW
#define NSM_MAGIC 0x0A
#define NSM_REQUEST_MAX_SIZE 0x1000
#define NSM_RESPONSE_MAX_SIZE 0x3000
struct nsm_iovec {
	uint64_t addr;		/* user address of the buffer */
	uint64_t len;		/* its length; for the response: capacity in, bytes written out */
};
struct nsm_raw {
	struct nsm_iovec request;
	struct nsm_iovec response;
};
#define NSM_IOCTL_RAW _IOWR(NSM_MAGIC, 0x0, struct nsm_raw)
#endif

#define NSM_DEVICE "/dev/nsm"
#define NSM_PCR_MAX_LEN 64		/* SHA-512; the NSM uses SHA-384 (48 bytes) */
#define NSM_MAX_PCRS 32			/* PCRs an attestation document may list */
#define NSM_MAX_LOCKED 64		/* locked PCR indices a DescribeNSM answer may list */
#define NSM_MODULE_ID_MAX 255
#define NSM_RANDOM_MAX 256		/* bytes one GetRandom returns at most */
#define NSM_ERROR_MAX 256

/* Same numbers as the ErrorCode of the reference client's C ABI. */
enum nsm_status {
	NSM_SUCCESS = 0,
	NSM_INVALID_ARGUMENT = 1,
	NSM_INVALID_INDEX = 2,
	NSM_INVALID_RESPONSE = 3,	/* answer malformed or not for the request sent */
	NSM_READ_ONLY_INDEX = 4,
	NSM_INVALID_OPERATION = 5,
	NSM_BUFFER_TOO_SMALL = 6,	/* caller's buffer too small; what fits was copied */
	NSM_INPUT_TOO_LARGE = 7,	/* request over NSM_REQUEST_MAX_SIZE */
	NSM_INTERNAL_ERROR = 8,		/* device or driver failure (see nsm.sys_errno) */
};

/* "InvalidIndex" for NSM_INVALID_INDEX, and so on (the names used on the wire). */
const char *nsm_status_name(enum nsm_status s);

enum nsm_digest { NSM_DIGEST_SHA256, NSM_DIGEST_SHA384, NSM_DIGEST_SHA512 };

/* "SHA384" for NSM_DIGEST_SHA384, and so on. */
const char *nsm_digest_name(enum nsm_digest d);

/* ---- requests ------------------------------------------------------------------------- */

enum nsm_request_kind {
	NSM_REQ_DESCRIBE_PCR, NSM_REQ_EXTEND_PCR, NSM_REQ_LOCK_PCR, NSM_REQ_LOCK_PCRS,
	NSM_REQ_DESCRIBE_NSM, NSM_REQ_ATTESTATION, NSM_REQ_GET_RANDOM,
};

/* A byte string that may be absent (data == NULL: encoded as CBOR null). */
struct nsm_bytes {
	const uint8_t *data;
	size_t len;
};

struct nsm_request {
	enum nsm_request_kind kind;
	uint16_t index;			/* DescribePCR, ExtendPCR, LockPCR */
	uint16_t range;			/* LockPCRs: locks [0, range) */
	struct nsm_bytes data;		/* ExtendPCR (must not be absent) */
	struct nsm_bytes user_data;	/* Attestation */
	struct nsm_bytes nonce;		/* Attestation */
	struct nsm_bytes public_key;	/* Attestation */
};

/* Encodes `req` into buf[0, cap). NSM_SUCCESS and *len, or NSM_INPUT_TOO_LARGE if the encoding
 * exceeds cap (*len = size needed), NSM_INVALID_ARGUMENT for a missing ExtendPCR data. */
enum nsm_status nsm_encode_request(const struct nsm_request *req, uint8_t *buf, size_t cap,
				   size_t *len);

/* "DescribePCR" for NSM_REQ_DESCRIBE_PCR, and so on. */
const char *nsm_request_name(enum nsm_request_kind kind);

/* ---- responses ------------------------------------------------------------------------ */

struct nsm_description {
	uint16_t version_major, version_minor, version_patch;
	char module_id[NSM_MODULE_ID_MAX + 1];	/* NUL-terminated */
	uint16_t max_pcrs;
	uint16_t locked_pcrs[NSM_MAX_LOCKED];
	size_t locked_count;
	enum nsm_digest digest;
};

struct nsm_response {
	enum nsm_request_kind kind;	/* which request this answers (unless is_error) */
	bool is_error;
	enum nsm_status error;		/* the NSM's error code when is_error */
	bool lock;			/* DescribePCR */
	struct nsm_bytes data;		/* DescribePCR, ExtendPCR: the PCR value */
	struct nsm_bytes document;	/* Attestation: COSE_Sign1 */
	struct nsm_bytes random;	/* GetRandom */
	struct nsm_description description;	/* DescribeNSM */
};

/* Decodes one complete answer in buf[0, len). Byte fields point into buf. NSM_SUCCESS (also
 * for a well-formed {"Error": name}: then out->is_error is set), or NSM_INVALID_RESPONSE with a
 * message in err[0, errlen) naming the offending field. */
enum nsm_status nsm_decode_response(const uint8_t *buf, size_t len, struct nsm_response *out,
				    char *err, size_t errlen);

/* ---- attestation documents ----------------------------------------------------------- */

struct nsm_document_pcr {
	uint16_t index;
	struct nsm_bytes value;
};

struct nsm_document {
	struct nsm_bytes protected_header;	/* bstr content, e.g. A1 01 38 22 */
	int64_t algorithm;			/* label 1 of the protected header (-35 = ES384) */
	struct nsm_bytes payload;
	struct nsm_bytes signature;
	struct nsm_bytes module_id;		/* text, not NUL-terminated */
	enum nsm_digest digest;
	uint64_t timestamp;			/* ms since the Unix epoch */
	struct nsm_document_pcr pcrs[NSM_MAX_PCRS];
	size_t pcr_count;
	struct nsm_bytes certificate;
	size_t cabundle_count;
	struct nsm_bytes public_key;		/* data == NULL when absent or null */
	struct nsm_bytes user_data;
	struct nsm_bytes nonce;
};

/* Decodes an attestation document (COSE_Sign1, tagged 18 or not, and its payload map). Checks
 * structure and the AWS field limits, not the signature. */
enum nsm_status nsm_decode_document(const uint8_t *buf, size_t len, struct nsm_document *out,
				    char *err, size_t errlen);

/* ---- calls ---------------------------------------------------------------------------- */

/* Sends req[0, req_len) and fills resp[0, *resp_len) (capacity in, length out). Returns 0 or an
 * errno value. The default transport is the NSM_IOCTL_RAW ioctl on nsm.fd. */
typedef int nsm_transport(void *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
			  size_t *resp_len);

struct nsm {
	int fd;
	nsm_transport *transport;
	void *transport_ctx;
	int sys_errno;			/* errno of the last failed transport call, else 0 */
	char error[NSM_ERROR_MAX];	/* why the last call failed */
	uint8_t request[NSM_REQUEST_MAX_SIZE];
	uint8_t response[NSM_RESPONSE_MAX_SIZE];
};

/* Opens `path` (NULL: /dev/nsm). NSM_INTERNAL_ERROR with sys_errno set if it cannot. */
enum nsm_status nsm_open(struct nsm *n, const char *path);
/* Uses `transport` instead of a device (tests, proxies); fd stays -1. */
void nsm_open_transport(struct nsm *n, nsm_transport *transport, void *ctx);
void nsm_close(struct nsm *n);

/* Sends already-encoded CBOR and returns the raw answer in resp[0, *resp_len). */
enum nsm_status nsm_exchange_raw(struct nsm *n, const uint8_t *req, size_t req_len,
				 uint8_t *resp, size_t *resp_len);
/* Encodes, sends, decodes and checks the answer is for `req` (an {"Error"} becomes its status).
 * `out` points into n->response until the next call. */
enum nsm_status nsm_call(struct nsm *n, const struct nsm_request *req, struct nsm_response *out);

struct nsm_pcr {
	bool locked;
	uint8_t value[NSM_PCR_MAX_LEN];
	size_t len;
};

enum nsm_status nsm_describe_pcr(struct nsm *n, uint16_t index, struct nsm_pcr *out);
/* out may be NULL; else it gets the new value (locked = false). */
enum nsm_status nsm_extend_pcr(struct nsm *n, uint16_t index, const void *data, size_t len,
			       struct nsm_pcr *out);
enum nsm_status nsm_lock_pcr(struct nsm *n, uint16_t index);
enum nsm_status nsm_lock_pcrs(struct nsm *n, uint16_t range);
enum nsm_status nsm_describe_nsm(struct nsm *n, struct nsm_description *out);
/* Copies up to *len random bytes (one request: at most NSM_RANDOM_MAX); *len = bytes copied. */
enum nsm_status nsm_get_random(struct nsm *n, uint8_t *buf, size_t *len);
/* Fills buf with as many random bytes as asked, one request per NSM_RANDOM_MAX bytes. */
enum nsm_status nsm_fill_random(struct nsm *n, uint8_t *buf, size_t len);
/* Attestation document with the optional fields (data == NULL: absent) into doc[0, cap);
 * *len = document length. NSM_BUFFER_TOO_SMALL if it does not fit (*len = size needed). */
enum nsm_status nsm_attestation(struct nsm *n, struct nsm_bytes user_data, struct nsm_bytes nonce,
				struct nsm_bytes public_key, uint8_t *doc, size_t cap, size_t *len);

#endif
