/* cbor: see cbor.h for what is supported and rejected. */
#include "cbor.h"

/* ---- encoder --------------------------------------------------------------------------- */

void cbor_writer_init(struct cbor_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = buf ? cap : 0;
	w->len = 0;
	w->overflow = false;
}

static void put_byte(struct cbor_writer *w, uint8_t b)
{
	if (w->overflow)
		return;
	if (w->len < w->cap)
		w->buf[w->len] = b;
	if (w->len == SIZE_MAX)
		w->overflow = true;
	else
		w->len++;
}

void cbor_put_raw(struct cbor_writer *w, const void *data, size_t n)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < n; i++)
		put_byte(w, p[i]);
}

void cbor_put_head(struct cbor_writer *w, enum cbor_major major, uint64_t value)
{
	uint8_t m = (uint8_t)(major << 5);
	int bytes;

	if (value < 24) {
		put_byte(w, m | (uint8_t)value);
		return;
	}
	if (value <= 0xff) {
		put_byte(w, m | 24);
		bytes = 1;
	} else if (value <= 0xffff) {
		put_byte(w, m | 25);
		bytes = 2;
	} else if (value <= 0xffffffffu) {
		put_byte(w, m | 26);
		bytes = 4;
	} else {
		put_byte(w, m | 27);
		bytes = 8;
	}
	for (int i = bytes - 1; i >= 0; i--)
		put_byte(w, (uint8_t)(value >> (8 * i)));
}

void cbor_put_uint(struct cbor_writer *w, uint64_t v)
{
	cbor_put_head(w, CBOR_UINT, v);
}

void cbor_put_int(struct cbor_writer *w, int64_t v)
{
	if (v >= 0)
		cbor_put_head(w, CBOR_UINT, (uint64_t)v);
	else
		cbor_put_head(w, CBOR_NEGINT, (uint64_t)(-(v + 1)));
}

void cbor_put_bytes(struct cbor_writer *w, const void *data, size_t n)
{
	cbor_put_head(w, CBOR_BYTES, n);
	cbor_put_raw(w, data, n);
}

void cbor_put_text(struct cbor_writer *w, const char *s, size_t n)
{
	cbor_put_head(w, CBOR_TEXT, n);
	cbor_put_raw(w, s, n);
}

void cbor_put_cstr(struct cbor_writer *w, const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	cbor_put_text(w, s, n);
}

void cbor_put_array(struct cbor_writer *w, uint64_t count)
{
	cbor_put_head(w, CBOR_ARRAY, count);
}

void cbor_put_map(struct cbor_writer *w, uint64_t pairs)
{
	cbor_put_head(w, CBOR_MAP, pairs);
}

void cbor_put_bool(struct cbor_writer *w, bool v)
{
	put_byte(w, v ? 0xf5 : 0xf4);
}

void cbor_put_null(struct cbor_writer *w)
{
	put_byte(w, 0xf6);
}

void cbor_put_byte_array(struct cbor_writer *w, const uint8_t *data, size_t n)
{
	cbor_put_array(w, n);
	for (size_t i = 0; i < n; i++)
		cbor_put_uint(w, data[i]);
}

enum cbor_error cbor_writer_finish(const struct cbor_writer *w, size_t *len)
{
	*len = w->overflow ? SIZE_MAX : w->len;
	if (w->overflow || w->len > w->cap)
		return CBOR_ERR_NOSPACE;
	return CBOR_OK;
}

/* ---- decoder --------------------------------------------------------------------------- */

void cbor_reader_init(struct cbor_reader *r, const void *buf, size_t len)
{
	r->buf = buf;
	r->len = buf ? len : 0;
	r->pos = 0;
}

bool cbor_at_end(const struct cbor_reader *r)
{
	return r->pos >= r->len;
}

enum cbor_error cbor_expect_end(const struct cbor_reader *r)
{
	return cbor_at_end(r) ? CBOR_OK : CBOR_ERR_TRAILING;
}

/* Bytes left after `pos`; callers guarantee pos <= len. */
static size_t remaining(const struct cbor_reader *r, size_t pos)
{
	return r->len - pos;
}

static enum cbor_error decode_head(const struct cbor_reader *r, size_t pos, struct cbor_head *h)
{
	if (pos >= r->len)
		return CBOR_ERR_TRUNCATED;
	uint8_t first = r->buf[pos];
	h->major = first >> 5;
	h->info = first & 0x1f;
	if (h->info < 24) {
		h->value = h->info;
		h->size = 1;
	} else if (h->info <= 27) {
		size_t n = (size_t)1 << (h->info - 24);
		if (remaining(r, pos) - 1 < n)
			return CBOR_ERR_TRUNCATED;
		h->value = 0;
		for (size_t i = 0; i < n; i++)
			h->value = h->value << 8 | r->buf[pos + 1 + i];
		h->size = 1 + n;
	} else if (h->info <= 30) {
		return CBOR_ERR_MALFORMED;
	} else {
		/* info 31: indefinite length (majors 2..5) or break (7); meaningless for 0, 1, 6 */
		if (h->major == CBOR_UINT || h->major == CBOR_NEGINT || h->major == CBOR_TAG)
			return CBOR_ERR_MALFORMED;
		return CBOR_ERR_INDEFINITE;
	}
	/* RFC 8949 3.3: simple values below 32 must use the one-byte form */
	if (h->major == CBOR_SIMPLE && h->info == 24 && h->value < 32)
		return CBOR_ERR_MALFORMED;
	if ((h->major == CBOR_BYTES || h->major == CBOR_TEXT) &&
	    h->value > remaining(r, pos) - h->size)
		return CBOR_ERR_LENGTH;
	return CBOR_OK;
}

enum cbor_error cbor_peek(const struct cbor_reader *r, struct cbor_head *h)
{
	return decode_head(r, r->pos, h);
}

enum cbor_error cbor_read_head(struct cbor_reader *r, struct cbor_head *h)
{
	enum cbor_error e = decode_head(r, r->pos, h);

	if (e == CBOR_OK)
		r->pos += h->size;
	return e;
}

/* Peeks a head and checks its major type. */
static enum cbor_error peek_major(const struct cbor_reader *r, enum cbor_major major,
				  struct cbor_head *h)
{
	enum cbor_error e = decode_head(r, r->pos, h);

	if (e != CBOR_OK)
		return e;
	return h->major == major ? CBOR_OK : CBOR_ERR_TYPE;
}

enum cbor_error cbor_read_uint(struct cbor_reader *r, uint64_t *v)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, CBOR_UINT, &h);

	if (e != CBOR_OK)
		return e;
	*v = h.value;
	r->pos += h.size;
	return CBOR_OK;
}

enum cbor_error cbor_read_int(struct cbor_reader *r, int64_t *v)
{
	struct cbor_head h;
	enum cbor_error e = decode_head(r, r->pos, &h);

	if (e != CBOR_OK)
		return e;
	if (h.major != CBOR_UINT && h.major != CBOR_NEGINT)
		return CBOR_ERR_TYPE;
	if (h.value > (uint64_t)INT64_MAX)
		return CBOR_ERR_RANGE;
	*v = h.major == CBOR_UINT ? (int64_t)h.value : -1 - (int64_t)h.value;
	r->pos += h.size;
	return CBOR_OK;
}

static enum cbor_error read_string(struct cbor_reader *r, enum cbor_major major,
				   const uint8_t **p, size_t *n)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, major, &h);

	if (e != CBOR_OK)
		return e;
	*p = r->buf + r->pos + h.size;
	*n = (size_t)h.value;	/* fits: checked against the buffer in decode_head */
	r->pos += h.size + (size_t)h.value;
	return CBOR_OK;
}

enum cbor_error cbor_read_bytes(struct cbor_reader *r, const uint8_t **p, size_t *n)
{
	return read_string(r, CBOR_BYTES, p, n);
}

enum cbor_error cbor_read_text(struct cbor_reader *r, const char **p, size_t *n)
{
	const uint8_t *q;
	enum cbor_error e = read_string(r, CBOR_TEXT, &q, n);

	if (e == CBOR_OK)
		*p = (const char *)q;
	return e;
}

enum cbor_error cbor_read_bool(struct cbor_reader *r, bool *v)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, CBOR_SIMPLE, &h);

	if (e != CBOR_OK)
		return e;
	if (h.info != 20 && h.info != 21)
		return CBOR_ERR_TYPE;
	*v = h.info == 21;
	r->pos += h.size;
	return CBOR_OK;
}

enum cbor_error cbor_read_null(struct cbor_reader *r)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, CBOR_SIMPLE, &h);

	if (e != CBOR_OK)
		return e;
	if (h.info != 22)
		return CBOR_ERR_TYPE;
	r->pos += h.size;
	return CBOR_OK;
}

/* Enters a container whose `count` items take at least `per_count` bytes each. */
static enum cbor_error read_container(struct cbor_reader *r, enum cbor_major major,
				      uint64_t per_count, size_t *count)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, major, &h);

	if (e != CBOR_OK)
		return e;
	if (h.value > remaining(r, r->pos + h.size) / per_count)
		return CBOR_ERR_LENGTH;
	*count = (size_t)h.value;
	r->pos += h.size;
	return CBOR_OK;
}

enum cbor_error cbor_read_array(struct cbor_reader *r, size_t *count)
{
	return read_container(r, CBOR_ARRAY, 1, count);
}

enum cbor_error cbor_read_map(struct cbor_reader *r, size_t *pairs)
{
	return read_container(r, CBOR_MAP, 2, pairs);
}

enum cbor_error cbor_read_tag(struct cbor_reader *r, uint64_t *tag)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, CBOR_TAG, &h);

	if (e != CBOR_OK)
		return e;
	if (h.size >= remaining(r, r->pos))	/* a tag must be followed by its content */
		return CBOR_ERR_TRUNCATED;
	*tag = h.value;
	r->pos += h.size;
	return CBOR_OK;
}

enum cbor_error cbor_read_text_eq(struct cbor_reader *r, const char *s)
{
	struct cbor_head h;
	enum cbor_error e = peek_major(r, CBOR_TEXT, &h);

	if (e != CBOR_OK)
		return e;
	const uint8_t *p = r->buf + r->pos + h.size;
	size_t i = 0;
	for (; i < h.value; i++)
		if (s[i] == '\0' || (uint8_t)s[i] != p[i])
			return CBOR_ERR_TYPE;
	if (s[i] != '\0')
		return CBOR_ERR_TYPE;
	r->pos += h.size + (size_t)h.value;
	return CBOR_OK;
}

enum cbor_error cbor_read_byte_array(struct cbor_reader *r, uint8_t *out, size_t cap, size_t *n)
{
	struct cbor_reader t = *r;
	size_t count;
	enum cbor_error e = cbor_read_array(&t, &count);

	if (e != CBOR_OK)
		return e;
	if (out && count > cap)
		return CBOR_ERR_NOSPACE;
	for (size_t i = 0; i < count; i++) {
		struct cbor_head h;
		e = decode_head(&t, t.pos, &h);
		if (e != CBOR_OK)
			return e;
		if (h.major != CBOR_UINT)
			return CBOR_ERR_TYPE;
		if (h.value > 0xff)
			return CBOR_ERR_RANGE;
		if (out)
			out[i] = (uint8_t)h.value;
		t.pos += h.size;
	}
	*n = count;
	r->pos = t.pos;
	return CBOR_OK;
}

enum cbor_error cbor_skip(struct cbor_reader *r)
{
	/* pending[d] = items still to skip at nesting level d (iterative: bounded stack use) */
	uint64_t pending[CBOR_MAX_DEPTH + 1];
	int depth = 0;
	size_t pos = r->pos;

	pending[0] = 1;
	for (;;) {
		while (pending[depth] == 0) {
			if (depth == 0) {
				r->pos = pos;
				return CBOR_OK;
			}
			depth--;
		}
		pending[depth]--;

		struct cbor_head h;
		enum cbor_error e = decode_head(r, pos, &h);
		if (e != CBOR_OK)
			return e;
		pos += h.size;

		uint64_t children = 0;
		switch (h.major) {
		case CBOR_BYTES:
		case CBOR_TEXT:
			pos += (size_t)h.value;
			break;
		case CBOR_ARRAY:
			if (h.value > remaining(r, pos))
				return CBOR_ERR_LENGTH;
			children = h.value;
			break;
		case CBOR_MAP:
			if (h.value > remaining(r, pos) / 2)
				return CBOR_ERR_LENGTH;
			children = h.value * 2;
			break;
		case CBOR_TAG:
			children = 1;
			break;
		default:
			break;
		}
		if (children > 0) {
			if (depth == CBOR_MAX_DEPTH)
				return CBOR_ERR_TOO_DEEP;
			pending[++depth] = children;
		}
	}
}

enum cbor_error cbor_validate(const void *buf, size_t len)
{
	struct cbor_reader r;
	enum cbor_error e;

	cbor_reader_init(&r, buf, len);
	e = cbor_skip(&r);
	if (e != CBOR_OK)
		return e;
	return cbor_expect_end(&r);
}

const char *cbor_strerror(enum cbor_error e)
{
	switch (e) {
	case CBOR_OK: return "no error";
	case CBOR_ERR_TRUNCATED: return "truncated input";
	case CBOR_ERR_LENGTH: return "length exceeds the remaining input";
	case CBOR_ERR_INDEFINITE: return "indefinite-length item (not supported)";
	case CBOR_ERR_MALFORMED: return "malformed item head";
	case CBOR_ERR_TOO_DEEP: return "nesting too deep";
	case CBOR_ERR_TYPE: return "unexpected item type";
	case CBOR_ERR_RANGE: return "value out of range";
	case CBOR_ERR_NOSPACE: return "buffer too small";
	case CBOR_ERR_TRAILING: return "trailing bytes after the item";
	}
	return "unknown error";
}
