/* cbor: a small CBOR (RFC 8949) encoder and decoder over caller-owned buffers.
 *
 * Freestanding C11: only <stddef.h>, <stdint.h>, <stdbool.h>; no allocation, no printing, no libc
 * calls, so the NSM client (musl, static) links the same file as the host tools.
 *
 * Supported: unsigned and negative integers (major 0/1, full 64-bit range), byte strings (2),
 * text strings (3, not checked for UTF-8), arrays (4) and maps (5) of definite length, tags (6),
 * false/true/null (7). The encoder always writes the shortest head (the encoding serde_cbor and
 * ciborium produce). The decoder accepts any head length, skips undefined, simple values and
 * half/single/double floats, and rejects: indefinite lengths, reserved additional-info values
 * 28..30, break codes outside an indefinite item, lengths or element counts that cannot fit in
 * the rest of the buffer, nesting deeper than CBOR_MAX_DEPTH, and truncated input. It never reads
 * outside [buf, buf + len). On error the cursor does not move, so r->pos names the failing item.
 */
#ifndef CBOR_H
#define CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cbor_major {
	CBOR_UINT = 0, CBOR_NEGINT = 1, CBOR_BYTES = 2, CBOR_TEXT = 3,
	CBOR_ARRAY = 4, CBOR_MAP = 5, CBOR_TAG = 6, CBOR_SIMPLE = 7,
};

enum cbor_error {
	CBOR_OK = 0,
	CBOR_ERR_TRUNCATED,	/* input ends inside an item's head */
	CBOR_ERR_LENGTH,	/* string length or element count exceeds the rest of the input */
	CBOR_ERR_INDEFINITE,	/* indefinite-length item or stray break (0xff) */
	CBOR_ERR_MALFORMED,	/* reserved additional information (28..30) or bad simple value */
	CBOR_ERR_TOO_DEEP,	/* nesting deeper than CBOR_MAX_DEPTH */
	CBOR_ERR_TYPE,		/* item is not of the type the caller asked for */
	CBOR_ERR_RANGE,		/* value does not fit the caller's type (e.g. int64, byte 0..255) */
	CBOR_ERR_NOSPACE,	/* encoder: output buffer too small; decoder: caller buffer too small */
	CBOR_ERR_TRAILING,	/* bytes left after the top-level item */
};

#define CBOR_MAX_DEPTH 32

/* A decoded item head. For strings `value` is the length, for arrays/maps the element/pair
 * count, for tags the tag number, for major 7 the simple value (20 false, 21 true, 22 null,
 * 23 undefined) or, for floats (info 25..27), the raw bits. */
struct cbor_head {
	uint8_t major;
	uint8_t info;		/* additional information (low 5 bits of the first byte) */
	uint64_t value;
	size_t size;		/* bytes taken by the head itself */
};

/* ---- encoder --------------------------------------------------------------------------- */

/* The writer keeps counting when the buffer is full (or NULL), so a first pass with buf = NULL
 * measures the exact size; cbor_writer_finish() then reports CBOR_ERR_NOSPACE. */
struct cbor_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;		/* bytes the encoding needs so far (may exceed cap) */
	bool overflow;		/* len would exceed SIZE_MAX */
};

void cbor_writer_init(struct cbor_writer *w, uint8_t *buf, size_t cap);
void cbor_put_head(struct cbor_writer *w, enum cbor_major major, uint64_t value);
void cbor_put_uint(struct cbor_writer *w, uint64_t v);
void cbor_put_int(struct cbor_writer *w, int64_t v);
void cbor_put_bytes(struct cbor_writer *w, const void *data, size_t n);
void cbor_put_text(struct cbor_writer *w, const char *s, size_t n);
void cbor_put_cstr(struct cbor_writer *w, const char *s);
void cbor_put_array(struct cbor_writer *w, uint64_t count);
void cbor_put_map(struct cbor_writer *w, uint64_t pairs);
void cbor_put_bool(struct cbor_writer *w, bool v);
void cbor_put_null(struct cbor_writer *w);
/* serde's Vec<u8>: an array of n unsigned integers, one per byte (not a byte string). */
void cbor_put_byte_array(struct cbor_writer *w, const uint8_t *data, size_t n);
/* Appends already-encoded CBOR verbatim. */
void cbor_put_raw(struct cbor_writer *w, const void *data, size_t n);
/* CBOR_OK and *len = encoded size, or CBOR_ERR_NOSPACE (*len = size needed). */
enum cbor_error cbor_writer_finish(const struct cbor_writer *w, size_t *len);

/* ---- decoder --------------------------------------------------------------------------- */

struct cbor_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;		/* offset of the next item */
};

void cbor_reader_init(struct cbor_reader *r, const void *buf, size_t len);
bool cbor_at_end(const struct cbor_reader *r);
/* CBOR_OK if the whole input was consumed, else CBOR_ERR_TRAILING. */
enum cbor_error cbor_expect_end(const struct cbor_reader *r);

/* Decodes the next head without moving; strings are checked to fit in the buffer. */
enum cbor_error cbor_peek(const struct cbor_reader *r, struct cbor_head *h);
/* Decodes the next head and moves past it (not past a string's content). */
enum cbor_error cbor_read_head(struct cbor_reader *r, struct cbor_head *h);

enum cbor_error cbor_read_uint(struct cbor_reader *r, uint64_t *v);
enum cbor_error cbor_read_int(struct cbor_reader *r, int64_t *v);	/* major 0 or 1 */
/* Strings are returned in place (pointer into the input, not NUL-terminated). */
enum cbor_error cbor_read_bytes(struct cbor_reader *r, const uint8_t **p, size_t *n);
enum cbor_error cbor_read_text(struct cbor_reader *r, const char **p, size_t *n);
enum cbor_error cbor_read_bool(struct cbor_reader *r, bool *v);
enum cbor_error cbor_read_null(struct cbor_reader *r);
/* Enter an array/map: *count elements (pairs for maps) follow. The count is checked against
 * the remaining input (each element takes at least one byte). */
enum cbor_error cbor_read_array(struct cbor_reader *r, size_t *count);
enum cbor_error cbor_read_map(struct cbor_reader *r, size_t *pairs);
enum cbor_error cbor_read_tag(struct cbor_reader *r, uint64_t *tag);
/* Text string equal to the NUL-terminated `s`: CBOR_OK and moves; CBOR_ERR_TYPE if another
 * text (cursor stays), or the head's error. */
enum cbor_error cbor_read_text_eq(struct cbor_reader *r, const char *s);
/* serde's Vec<u8>: an array of uints each 0..255, copied into out[0..cap). With out = NULL only
 * validates and reports *n. CBOR_ERR_RANGE for an element > 255 or not a uint. */
enum cbor_error cbor_read_byte_array(struct cbor_reader *r, uint8_t *out, size_t cap, size_t *n);
/* Skips one complete item (with everything nested in it), at most CBOR_MAX_DEPTH deep. */
enum cbor_error cbor_skip(struct cbor_reader *r);
/* Checks that [buf, buf+len) is exactly one well-formed item. */
enum cbor_error cbor_validate(const void *buf, size_t len);

/* Short static description of an error code, e.g. "truncated input". */
const char *cbor_strerror(enum cbor_error e);

#endif
