/* SHA-256 (FIPS 180-4), small and dependency-free: the back-end and the static musl guest
 * program (tests/vsock/guest/) both hash the vsock streams with it. */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
	uint32_t state[8];
	uint64_t length;		/* bytes hashed so far */
	uint8_t block[64];
	unsigned used;			/* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[SHA256_DIGEST_SIZE]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[2 * SHA256_DIGEST_SIZE + 1]);

#endif
