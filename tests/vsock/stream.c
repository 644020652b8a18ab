#include "stream.h"
#include "le.h"

#include <string.h>

void stream_request_encode(const struct stream_request *r, uint8_t out[STREAM_REQUEST_SIZE])
{
	put_le(out, STREAM_MAGIC, 4);
	put_le(out + 4, r->flags, 4);
	put_le(out + 8, r->host_bytes, 8);
	put_le(out + 16, r->seed, 8);
}

int stream_request_decode(const uint8_t in[STREAM_REQUEST_SIZE], struct stream_request *r)
{
	if (get_le(in, 4) != STREAM_MAGIC)
		return -1;
	r->flags = (uint32_t)get_le(in + 4, 4);
	r->host_bytes = get_le(in + 8, 8);
	r->seed = get_le(in + 16, 8);
	return r->flags & ~STREAM_PUSHBACK ? -1 : 0;
}

/* splitmix64: every 8-byte word of the stream is a different, seed-dependent value, so a byte
 * moved, lost or repeated anywhere shows against the pattern. */
static uint64_t pattern_word(uint64_t seed, uint64_t index)
{
	uint64_t z = seed + (index + 1) * 0x9e3779b97f4a7c15ull;
	z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ z >> 27) * 0x94d049bb133111ebull;
	return z ^ z >> 31;
}

void stream_pattern(uint64_t seed, uint64_t offset, uint8_t *buf, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint64_t at = offset + i;
		uint8_t word[8];
		put_le(word, pattern_word(seed, at / 8), 8);
		size_t from = at % 8, take = 8 - from < len - i ? 8 - from : len - i;
		memcpy(buf + i, word + from, take);
		i += take;
	}
}

void stream_check_init(struct stream_check *c, uint64_t seed)
{
	memset(c, 0, sizeof(*c));
	c->seed = seed;
	sha256_init(&c->hash);
}

void stream_check_update(struct stream_check *c, const uint8_t *data, size_t len)
{
	uint8_t expected[4096];
	sha256_update(&c->hash, data, len);
	for (size_t done = 0; done < len && !c->mismatch;) {
		size_t n = len - done < sizeof(expected) ? len - done : sizeof(expected);
		stream_pattern(c->seed, c->bytes + done, expected, n);
		if (memcmp(expected, data + done, n)) {
			size_t k = 0;
			while (expected[k] == data[done + k])
				k++;
			c->mismatch = true;
			c->mismatch_at = c->bytes + done + k;
		}
		done += n;
	}
	c->bytes += len;
}

void stream_hash_hex(const struct sha256 *s, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
	struct sha256 copy = *s;
	uint8_t digest[SHA256_DIGEST_SIZE];
	sha256_final(&copy, digest);
	sha256_hex(digest, hex);
}

void stream_check_hex(const struct stream_check *c, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
	stream_hash_hex(&c->hash, hex);
}
