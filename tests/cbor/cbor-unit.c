/* Unit tests of cbor/cbor.c: encoder vectors (RFC 8949 appendix A, docs/boot-contract.md#requests),
 * decoder round trips, and rejection of malformed input without moving the cursor. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbor.h"
#include "tap.h"

static unsigned char buf[4096];
static struct cbor_writer w;

static void start(void)
{
	cbor_writer_init(&w, buf, sizeof(buf));
}

static void expect(const char *hex, const char *what)
{
	size_t len;

	ok(cbor_writer_finish(&w, &len) == CBOR_OK, what);
	is_hex(buf, len, hex, what);
}

static void test_encode_integers(void)
{
	static const struct { uint64_t v; const char *hex; } uints[] = {
		{ 0, "00" }, { 1, "01" }, { 10, "0a" }, { 23, "17" }, { 24, "1818" },
		{ 25, "1819" }, { 100, "1864" }, { 255, "18ff" }, { 256, "190100" },
		{ 1000, "1903e8" }, { 65535, "19ffff" }, { 65536, "1a00010000" },
		{ 1000000, "1a000f4240" }, { 4294967295u, "1affffffff" },
		{ 4294967296u, "1b0000000100000000" }, { 1000000000000, "1b000000e8d4a51000" },
		{ UINT64_MAX, "1bffffffffffffffff" },
	};
	static const struct { int64_t v; const char *hex; } ints[] = {
		{ -1, "20" }, { -10, "29" }, { -24, "37" }, { -25, "3818" }, { -100, "3863" },
		{ -256, "38ff" }, { -257, "390100" }, { -1000, "3903e7" }, { 42, "182a" },
		{ INT64_MIN, "3b7fffffffffffffff" }, { INT64_MAX, "1b7fffffffffffffff" },
	};
	char what[64];

	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		start();
		cbor_put_uint(&w, uints[i].v);
		snprintf(what, sizeof(what), "uint %llu", (unsigned long long)uints[i].v);
		expect(uints[i].hex, what);
	}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		start();
		cbor_put_int(&w, ints[i].v);
		snprintf(what, sizeof(what), "int %lld", (long long)ints[i].v);
		expect(ints[i].hex, what);
	}
}

static void test_encode_other(void)
{
	start();
	cbor_put_bytes(&w, "", 0);
	expect("40", "empty byte string");
	start();
	cbor_put_bytes(&w, "\x01\x02\x03\x04", 4);
	expect("4401020304", "byte string h'01020304'");
	start();
	cbor_put_cstr(&w, "IETF");
	expect("6449455446", "text \"IETF\"");
	start();
	cbor_put_text(&w, "\xc3\xbc", 2);
	expect("62c3bc", "text u-umlaut");
	start();
	cbor_put_array(&w, 0);
	expect("80", "empty array");
	start();
	cbor_put_array(&w, 3);
	cbor_put_uint(&w, 1);
	cbor_put_array(&w, 2);
	cbor_put_uint(&w, 2);
	cbor_put_uint(&w, 3);
	cbor_put_array(&w, 2);
	cbor_put_uint(&w, 4);
	cbor_put_uint(&w, 5);
	expect("8301820203820405", "[1, [2, 3], [4, 5]]");
	start();
	cbor_put_array(&w, 25);
	for (unsigned i = 1; i <= 25; i++)
		cbor_put_uint(&w, i);
	expect("98190102030405060708090a0b0c0d0e0f101112131415161718181819", "array of 25");
	start();
	cbor_put_map(&w, 2);
	cbor_put_cstr(&w, "a");
	cbor_put_uint(&w, 1);
	cbor_put_cstr(&w, "b");
	cbor_put_array(&w, 2);
	cbor_put_uint(&w, 2);
	cbor_put_uint(&w, 3);
	expect("a26161016162820203", "{\"a\": 1, \"b\": [2, 3]}");
	start();
	cbor_put_bool(&w, false);
	cbor_put_bool(&w, true);
	cbor_put_null(&w);
	expect("f4f5f6", "false true null");
	start();
	cbor_put_byte_array(&w, (const unsigned char *)"\x00\x17\x18\xff", 4);
	expect("8400171818 18ff", "serde Vec<u8> [0, 23, 24, 255]");
}

/* The request examples of docs/boot-contract.md#requests. */
static void test_nsm_requests(void)
{
	start();
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "DescribePCR");
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "index");
	cbor_put_uint(&w, 0);
	expect("A1 6B 44 65 73 63 72 69 62 65 50 43 52 A1 65 69 6E 64 65 78 00", "NSM DescribePCR 0");
	start();
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "ExtendPCR");
	cbor_put_map(&w, 2);
	cbor_put_cstr(&w, "index");
	cbor_put_uint(&w, 16);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, "abc", 3);
	expect("A1 69 45 78 74 65 6E 64 50 43 52 A2 65 69 6E 64 65 78 10 64 64 61 74 61 43 61 62 63",
	       "NSM ExtendPCR 16 \"abc\"");
	start();
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "LockPCRs");
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "range");
	cbor_put_uint(&w, 32);
	expect("A1 68 4C 6F 63 6B 50 43 52 73 A1 65 72 61 6E 67 65 18 20", "NSM LockPCRs 32");
	start();
	cbor_put_cstr(&w, "DescribeNSM");
	expect("6B 44 65 73 63 72 69 62 65 4E 53 4D", "NSM DescribeNSM");
	start();
	cbor_put_map(&w, 1);
	cbor_put_cstr(&w, "Attestation");
	cbor_put_map(&w, 3);
	cbor_put_cstr(&w, "user_data");
	cbor_put_null(&w);
	cbor_put_cstr(&w, "nonce");
	cbor_put_bytes(&w, "\x01\x02\x03\x04", 4);
	cbor_put_cstr(&w, "public_key");
	cbor_put_null(&w);
	expect("A1 6B 41 74 74 65 73 74 61 74 69 6F 6E A3 69 75 73 65 72 5F 64 61 74 61 F6 "
	       "65 6E 6F 6E 63 65 44 01 02 03 04 6A 70 75 62 6C 69 63 5F 6B 65 79 F6",
	       "NSM Attestation with nonce 01020304");
}

static void test_writer_nospace(void)
{
	unsigned char small[3] = { 0xaa, 0xaa, 0xaa };
	struct cbor_writer sw;
	size_t len;

	cbor_writer_init(&sw, small, 2);
	cbor_put_uint(&sw, 1000);
	ok(cbor_writer_finish(&sw, &len) == CBOR_ERR_NOSPACE, "writer: 3 bytes into 2 is NOSPACE");
	is_int((long long)len, 3, "writer: reports the size needed");
	ok(small[2] == 0xaa, "writer: never writes past its capacity");
	cbor_writer_init(&sw, NULL, 0);
	cbor_put_cstr(&sw, "DescribeNSM");
	cbor_writer_finish(&sw, &len);
	is_int((long long)len, 12, "writer: NULL buffer measures");
}

static struct cbor_reader reader(const char *bytes, size_t n)
{
	struct cbor_reader r;

	cbor_reader_init(&r, bytes, n);
	return r;
}

static void test_decode(void)
{
	struct cbor_reader r;
	uint64_t u;
	int64_t i;
	const char *t;
	const uint8_t *b;
	size_t n, count;
	bool v;

	r = reader("\x1b\xff\xff\xff\xff\xff\xff\xff\xff", 9);
	ok(cbor_read_uint(&r, &u) == CBOR_OK && u == UINT64_MAX && cbor_at_end(&r), "decode uint max");
	r = reader("\x3b\x7f\xff\xff\xff\xff\xff\xff\xff", 9);
	ok(cbor_read_int(&r, &i) == CBOR_OK && i == INT64_MIN, "decode int64 min");
	r = reader("\x3b\x80\x00\x00\x00\x00\x00\x00\x00", 9);
	ok(cbor_read_int(&r, &i) == CBOR_ERR_RANGE && r.pos == 0, "decode -2^63-1 is RANGE, cursor kept");
	r = reader("\x1b\x80\x00\x00\x00\x00\x00\x00\x00", 9);
	ok(cbor_read_int(&r, &i) == CBOR_ERR_RANGE, "decode 2^63 as int64 is RANGE");
	r = reader("\x19\x00\x05", 3);	/* non-shortest form is still well formed */
	ok(cbor_read_uint(&r, &u) == CBOR_OK && u == 5 && r.pos == 3, "decode non-shortest uint");
	r = reader("\x64IETF", 5);
	ok(cbor_read_text(&r, &t, &n) == CBOR_OK && n == 4 && memcmp(t, "IETF", 4) == 0,
	   "decode text in place");
	r = reader("\x44\x01\x02\x03\x04", 5);
	ok(cbor_read_bytes(&r, &b, &n) == CBOR_OK && n == 4 && b[3] == 4, "decode bytes in place");
	r = reader("\xf5\xf4\xf6", 3);
	ok(cbor_read_bool(&r, &v) == CBOR_OK && v, "decode true");
	ok(cbor_read_bool(&r, &v) == CBOR_OK && !v, "decode false");
	ok(cbor_read_null(&r) == CBOR_OK && cbor_expect_end(&r) == CBOR_OK, "decode null, then end");
	r = reader("\xa2\x61\x61\x01\x61\x62\x82\x02\x03", 9);
	ok(cbor_read_map(&r, &count) == CBOR_OK && count == 2, "decode map of 2");
	ok(cbor_read_text_eq(&r, "b") == CBOR_ERR_TYPE && r.pos == 1, "text_eq mismatch keeps cursor");
	ok(cbor_read_text_eq(&r, "") == CBOR_ERR_TYPE, "text_eq shorter key mismatch");
	ok(cbor_read_text_eq(&r, "a") == CBOR_OK, "text_eq match moves");
	ok(cbor_skip(&r) == CBOR_OK && r.pos == 4, "skip uint");
	ok(cbor_read_text_eq(&r, "bb") == CBOR_ERR_TYPE, "text_eq longer key mismatch");
	ok(cbor_skip(&r) == CBOR_OK && cbor_skip(&r) == CBOR_OK && cbor_at_end(&r), "skip key and array");
	r = reader("\xd2\x84\x40\xa0\x40\x40", 6);
	ok(cbor_read_tag(&r, &u) == CBOR_OK && u == 18, "decode tag 18");
	r = reader("\xd2\x84\x40\xa0\x40\x40", 6);
	ok(cbor_validate(r.buf, r.len) == CBOR_OK, "validate tagged COSE-like item");
	r = reader("\xfa\x47\xc3\x50\x00\xf9\x3c\x00\xfb\x3f\xf1\x99\x99\x99\x99\x99\x9a\xf7", 18);
	ok(cbor_skip(&r) == CBOR_OK && cbor_skip(&r) == CBOR_OK && cbor_skip(&r) == CBOR_OK &&
	   cbor_skip(&r) == CBOR_OK && cbor_at_end(&r), "skip floats and undefined");
	r = reader("\x84\x00\x17\x18\x18\x18\xff", 7);
	unsigned char out[4];
	ok(cbor_read_byte_array(&r, out, sizeof(out), &n) == CBOR_OK && n == 4 && out[0] == 0 &&
	   out[1] == 23 && out[2] == 24 && out[3] == 255, "decode serde Vec<u8>");
	r = reader("\x84\x00\x17\x18\x18\x18\xff", 7);
	ok(cbor_read_byte_array(&r, out, 3, &n) == CBOR_ERR_NOSPACE && r.pos == 0,
	   "byte array larger than the buffer is NOSPACE");
	r = reader("\x82\x00\x19\x01\x00", 5);
	ok(cbor_read_byte_array(&r, NULL, 0, &n) == CBOR_ERR_RANGE && r.pos == 0,
	   "byte array element 256 is RANGE, cursor kept");
	r = reader("\x82\x00\x20", 3);
	ok(cbor_read_byte_array(&r, NULL, 0, &n) == CBOR_ERR_TYPE, "byte array element -1 is TYPE");
	r = reader("\x00", 1);
	ok(cbor_read_text(&r, &t, &n) == CBOR_ERR_TYPE && r.pos == 0, "type mismatch keeps cursor");
}

static void test_malformed(void)
{
	static const struct { const char *bytes; size_t n; enum cbor_error e; const char *what; } bad[] = {
		{ "", 0, CBOR_ERR_TRUNCATED, "empty input" },
		{ "\x18", 1, CBOR_ERR_TRUNCATED, "1-byte argument missing" },
		{ "\x19\x00", 2, CBOR_ERR_TRUNCATED, "2-byte argument cut" },
		{ "\x1b\x00\x00\x00\x00\x00\x00\x00", 8, CBOR_ERR_TRUNCATED, "8-byte argument cut" },
		{ "\x42\x00", 2, CBOR_ERR_LENGTH, "byte string longer than the input" },
		{ "\x7b\xff\xff\xff\xff\xff\xff\xff\xff", 9, CBOR_ERR_LENGTH, "text of 2^64-1 bytes" },
		{ "\x9b\xff\xff\xff\xff\xff\xff\xff\xff", 9, CBOR_ERR_LENGTH, "array of 2^64-1 items" },
		{ "\xa2\x00\x00\x00", 4, CBOR_ERR_LENGTH, "map of 2 pairs in 3 bytes" },
		{ "\x83\x01\x02", 3, CBOR_ERR_LENGTH, "array of 3 with 2 items" },
		{ "\x82\x01", 2, CBOR_ERR_LENGTH, "array of 2 with 1 item" },
		{ "\x81\x81\x81\x18", 4, CBOR_ERR_TRUNCATED, "nested truncation" },
		{ "\x5f\x41\x00\xff", 4, CBOR_ERR_INDEFINITE, "indefinite byte string" },
		{ "\x9f\xff", 2, CBOR_ERR_INDEFINITE, "indefinite array" },
		{ "\xbf\xff", 2, CBOR_ERR_INDEFINITE, "indefinite map" },
		{ "\xff", 1, CBOR_ERR_INDEFINITE, "stray break" },
		{ "\x1c", 1, CBOR_ERR_MALFORMED, "reserved additional info 28" },
		{ "\x5e", 1, CBOR_ERR_MALFORMED, "reserved additional info 30" },
		{ "\x1f", 1, CBOR_ERR_MALFORMED, "uint with info 31" },
		{ "\xdf", 1, CBOR_ERR_MALFORMED, "tag with info 31" },
		{ "\xf8\x10", 2, CBOR_ERR_MALFORMED, "simple value < 32 in two bytes" },
		{ "\xd2", 1, CBOR_ERR_TRUNCATED, "tag without content" },
		{ "\x00\x00", 2, CBOR_ERR_TRAILING, "trailing byte" },
	};
	char what[96];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum cbor_error e = cbor_validate(bad[i].bytes, bad[i].n);
		snprintf(what, sizeof(what), "reject %s (%s)", bad[i].what, cbor_strerror(bad[i].e));
		is_int(e, bad[i].e, what);
	}

	/* nesting: CBOR_MAX_DEPTH arrays are fine, one more is too deep */
	unsigned char deep[CBOR_MAX_DEPTH + 2];
	memset(deep, 0x81, sizeof(deep));
	deep[CBOR_MAX_DEPTH] = 0x00;
	is_int(cbor_validate(deep, CBOR_MAX_DEPTH + 1), CBOR_OK, "nesting of CBOR_MAX_DEPTH accepted");
	deep[CBOR_MAX_DEPTH] = 0x81;
	deep[CBOR_MAX_DEPTH + 1] = 0x00;
	is_int(cbor_validate(deep, CBOR_MAX_DEPTH + 2), CBOR_ERR_TOO_DEEP, "one level deeper rejected");
	unsigned char tags[CBOR_MAX_DEPTH + 2];
	memset(tags, 0xc6, sizeof(tags));
	tags[CBOR_MAX_DEPTH + 1] = 0x00;
	is_int(cbor_validate(tags, sizeof(tags)), CBOR_ERR_TOO_DEEP, "deeply nested tags rejected");

	struct cbor_reader r;
	struct cbor_head h;
	cbor_reader_init(&r, "\x83\x01\x02", 3);
	ok(cbor_skip(&r) == CBOR_ERR_LENGTH && r.pos == 0, "failed skip keeps cursor");
	cbor_reader_init(&r, "\x42\x00", 2);
	ok(cbor_read_head(&r, &h) == CBOR_ERR_LENGTH && r.pos == 0, "failed read_head keeps cursor");
}

/* Every input of up to 3 bytes: the decoder must never claim more bytes than it was given. */
static void test_exhaustive_short(void)
{
	unsigned char in[3];
	int bad = 0;

	for (unsigned len = 1; len <= 3; len++) {
		unsigned long total = 1ul << (8 * len);
		for (unsigned long v = 0; v < total; v++) {
			for (unsigned k = 0; k < len; k++)
				in[k] = (unsigned char)(v >> (8 * k));
			struct cbor_reader r;
			cbor_reader_init(&r, in, len);
			enum cbor_error e = cbor_skip(&r);
			if ((e == CBOR_OK && (r.pos == 0 || r.pos > len)) || (e != CBOR_OK && r.pos != 0))
				bad++;
		}
	}
	is_int(bad, 0, "all inputs up to 3 bytes: skip stays inside the input");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_encode_integers();
	test_encode_other();
	test_nsm_requests();
	test_writer_nospace();
	test_decode();
	test_malformed();
	test_exhaustive_short();
	return done();
}
