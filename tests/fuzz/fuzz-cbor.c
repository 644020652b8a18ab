/* libFuzzer target: the CBOR decoder must accept or reject any input without reading outside
 * it, and everything it accepts must re-encode to a head-for-head equivalent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"

static const uint8_t *input_start, *input_end;

static void check_inside(const void *p, size_t n)
{
	const uint8_t *q = p;

	if (q < input_start || q > input_end || n > (size_t)(input_end - q))
		abort();
}

/* Walks one item with the typed readers, like a real consumer would. */
static void walk(struct cbor_reader *r, int depth)
{
	struct cbor_head h;
	size_t n, before = r->pos;
	const uint8_t *b;
	const char *t;
	uint64_t u;
	int64_t i;
	bool v;

	if (cbor_peek(r, &h) != CBOR_OK || depth > CBOR_MAX_DEPTH) {
		cbor_skip(r);
		return;
	}
	switch (h.major) {
	case CBOR_UINT:
		if (cbor_read_uint(r, &u) != CBOR_OK || u != h.value)
			abort();
		break;
	case CBOR_NEGINT:
		if (cbor_read_int(r, &i) == CBOR_OK && i >= 0)
			abort();
		break;
	case CBOR_BYTES:
		if (cbor_read_bytes(r, &b, &n) != CBOR_OK)
			abort();	/* peek succeeded, so the length fits */
		check_inside(b, n);
		break;
	case CBOR_TEXT:
		if (cbor_read_text(r, &t, &n) != CBOR_OK)
			abort();
		check_inside(t, n);
		break;
	case CBOR_ARRAY: {
		uint8_t small[8];
		struct cbor_reader copy = *r;
		cbor_read_byte_array(&copy, small, sizeof(small), &n);
		if (cbor_read_array(r, &n) != CBOR_OK)
			return;
		for (size_t k = 0; k < n && !cbor_at_end(r); k++)
			walk(r, depth + 1);
		break;
	}
	case CBOR_MAP:
		if (cbor_read_map(r, &n) != CBOR_OK)
			return;
		for (size_t k = 0; k < 2 * n && !cbor_at_end(r); k++)
			walk(r, depth + 1);
		break;
	case CBOR_TAG:
		if (cbor_read_tag(r, &u) == CBOR_OK)
			walk(r, depth + 1);
		break;
	default:
		if (cbor_read_bool(r, &v) != CBOR_OK && cbor_read_null(r) != CBOR_OK)
			cbor_skip(r);
		break;
	}
	if (r->pos < before || r->pos > r->len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cbor_reader r;

	input_start = data;
	input_end = data + size;

	/* skip: either the cursor stays put on error, or it advances inside the input */
	cbor_reader_init(&r, data, size);
	while (!cbor_at_end(&r)) {
		size_t before = r.pos;
		if (cbor_skip(&r) != CBOR_OK) {
			if (r.pos != before)
				abort();
			break;
		}
		if (r.pos <= before || r.pos > size)
			abort();
	}

	cbor_reader_init(&r, data, size);
	walk(&r, 0);

	/* a valid item made only of uints/negints/strings re-encodes to the same shortest form */
	if (size >= 1 && cbor_validate(data, size) == CBOR_OK) {
		struct cbor_head h;
		cbor_reader_init(&r, data, size);
		if (cbor_peek(&r, &h) == CBOR_OK && (h.major == CBOR_UINT || h.major == CBOR_NEGINT)) {
			uint8_t out[9];
			struct cbor_writer w;
			size_t len;
			cbor_writer_init(&w, out, sizeof(out));
			cbor_put_head(&w, (enum cbor_major)h.major, h.value);
			if (cbor_writer_finish(&w, &len) != CBOR_OK || len > h.size)
				abort();
			struct cbor_reader back;
			struct cbor_head h2;
			cbor_reader_init(&back, out, len);
			if (cbor_read_head(&back, &h2) != CBOR_OK || h2.value != h.value ||
			    h2.major != h.major)
				abort();
		}
	}
	return 0;
}
