/* The test stream between the in-guest program tests/vsock/guest/vsock-test.c and the
 * back-end's stream listeners (--stream PORT): the guest opens with a request, then both
 * ends send pattern bytes at once and each checks what it receives against the pattern and
 * hashes it (SHA-256), so either end can tell a lost, repeated, reordered or altered byte.
 * Request, 24 bytes little-endian: magic "VTS1", flags, bytes the host sends, seed. The
 * guest's bytes follow it, made from SEED; the host's are made from SEED + 1. */
#ifndef STREAM_H
#define STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#define STREAM_REQUEST_SIZE 24
#define STREAM_MAGIC 0x31535456u	/* "VTS1" */
/* The host keeps what it receives unread (no credit back) until the guest's buffer is full,
 * then drains: both ends push back at once, the shape of the queued_replies deadlock. */
#define STREAM_PUSHBACK 1u

struct stream_request {
	uint32_t flags;
	uint64_t host_bytes;
	uint64_t seed;
};

void stream_request_encode(const struct stream_request *r, uint8_t out[STREAM_REQUEST_SIZE]);
/* 0, or -1 when IN is not a request (wrong magic or unknown flags). */
int stream_request_decode(const uint8_t in[STREAM_REQUEST_SIZE], struct stream_request *r);
static inline uint64_t stream_host_seed(uint64_t seed) { return seed + 1; }

/* The LEN pattern bytes of stream SEED from OFFSET on. */
void stream_pattern(uint64_t seed, uint64_t offset, uint8_t *buf, size_t len);

/* One direction's bytes as they arrive, checked against the pattern and hashed. */
struct stream_check {
	uint64_t seed;
	uint64_t bytes;
	bool mismatch;
	uint64_t mismatch_at;		/* first byte that differs from the pattern */
	struct sha256 hash;
};

void stream_check_init(struct stream_check *c, uint64_t seed);
void stream_check_update(struct stream_check *c, const uint8_t *data, size_t len);
/* The hash of everything so far as hex (the check stays usable). */
void stream_check_hex(const struct stream_check *c, char hex[2 * SHA256_DIGEST_SIZE + 1]);
/* The same for a plain running hash. */
void stream_hash_hex(const struct sha256 *s, char hex[2 * SHA256_DIGEST_SIZE + 1]);

#endif
