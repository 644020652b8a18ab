/* Unit tests of libeif's building blocks: CRC-32 (TV-1), PCR extend (TV-2/TV-3), the
 * serde_json-compatible JSON parser and printer, RFC 3339 build times, overflow-safe
 * ranges, the shared number, owner, SOURCE_DATE_EPOCH, array and JSON member helpers,
 * the header codec, and the in-memory reader on tv1 (every truncation and every
 * single-byte flip must be rejected or show a CRC mismatch, never crash). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <eif/eif.h>
#include "json.h"
#include "measure.h"
#include "tap.h"
#include "util.h"

static void is_str(const char *actual, const char *expected, const char *what)
{
	int same = actual && strcmp(actual, expected) == 0;

	ok(same, what);
	if (!same)
		printf("# expected: %s\n#   actual: %s\n", expected, actual ? actual : "(null)");
}

static size_t unhex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;

	for (const char *h = hex; h[0] && h[1] && n < cap;) {
		if (h[0] == ' ' || h[0] == '\n') {
			h++;
			continue;
		}
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		h += 2;
	}
	return n;
}

static void test_crc(void)
{
	uint32_t split = eif_crc32(eif_crc32(0, "1234", 4), "56789", 5);

	is_int(eif_crc32(0, "123456789", 9), 0xCBF43926, "TV-1: CRC-32 of '123456789'");
	is_int(split, 0xCBF43926, "TV-1: CRC-32 continued across two calls");
	is_int(eif_crc32(0, "", 0), 0, "CRC-32 of nothing is 0");

	/* The carry-less-multiply path must equal zlib for every length, alignment and seed. */
	enum { SIZE = 1 << 16 };
	unsigned char *buf = malloc(SIZE + 64);
	uint32_t x = 12345;
	int same = buf != NULL;
	for (size_t i = 0; buf && i < SIZE + 64; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	for (int t = 0; same && t < 3000; t++) {
		x = x * 1103515245u + 12345u;
		size_t off = x % 64, len = t < 600 ? (size_t)t : (x >> 8) % SIZE;
		uint32_t seed = x ^ (uint32_t)t * 2654435761u;
		if (eif_crc32(seed, buf + off, len) != (uint32_t)crc32(seed, buf + off, (uInt)len)) {
			printf("# mismatch at offset %zu, length %zu, seed %08x\n", off, len, seed);
			same = 0;
		}
	}
	ok(same, "eif_crc32 equals zlib's crc32 on 3000 lengths, alignments and seeds");
	free(buf);
}

static void test_extend(void)
{
	/* TV-2: SHA-384 of the empty input; TV-3: its extend. */
	unsigned char digest[48], pcr[48];
	struct eif_error err;

	unhex("38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da"
	      "274edebfe76f65fbd51ad2f14898b95b", digest, sizeof(digest));
	ok(eif_pcr_extend(digest, pcr, &err) == EIF_OK, "extend succeeds");
	is_hex(pcr, 48, "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c"
			"10edb30948c90ba67310f7b964fc500a", "TV-3: extend(TV-2 digest)");
}

/* Parse, print compact; NULL expected = must fail. */
static void json_case(const char *input, const char *expected, const char *what)
{
	struct json_value v;
	struct eif_error err;
	struct json_buf b = { 0 };
	enum eif_status rc = json_parse((const unsigned char *)input, strlen(input), "test", &v, &err);

	if (!expected) {
		ok(rc == EIF_E_FORMAT, what);
		if (rc == EIF_OK) {
			json_write(&b, &v, -1);
			printf("# expected a parse error, got: %s\n", b.data);
		}
	} else if (rc != EIF_OK) {
		ok(0, what);
		printf("# parse failed: %s\n", err.msg);
	} else {
		json_write(&b, &v, -1);
		is_str(b.data, expected, what);
	}
	json_free(&v);
	free(b.data);
}

static void test_json(void)
{
	char deep[300];

	json_case("{\"b\":1,\"a\":[true,null,\"x\"],\"a\":2}", "{\"a\":2,\"b\":1}",
		  "object keys sorted, a repeated key keeps its last value");
	json_case(" { \"k\" : [ 1 , { } , [ ] ] } ", "{\"k\":[1,{},[]]}", "whitespace dropped");
	json_case("\"\\u00e9\\ud83d\\ude00\\/\\u0001\\n\\\"\\\\\x7f\"",
		  "\"\xc3\xa9\xf0\x9f\x98\x80/\\u0001\\n\\\"\\\\\x7f\"",
		  "escapes decoded, re-escaped as serde_json does (non-ASCII, '/' and DEL raw)");
	json_case("18446744073709551615", "18446744073709551615", "u64 max stays an integer");
	json_case("-9223372036854775808", "-9223372036854775808", "i64 min stays an integer");
	json_case("310243859851456237655", "3.102438598514563e20",
		  "integer beyond u64 becomes serde_json's double");
	json_case("18446744073709551616", "1.8446744073709552e19", "u64 max + 1 is a double");
	json_case("-9223372036854775809", "-9.223372036854776e18", "i64 min - 1 is a double");
	json_case("-0", "-0.0", "-0 is the double -0.0");
	json_case("1e16", "1e16", "1e16 stays 1e16");
	json_case("1e15", "1000000000000000.0", "1e15 printed in full");
	json_case("1e-5", "0.00001", "1e-5 becomes 0.00001");
	json_case("1e-7", "1e-7", "1e-7 stays scientific");
	json_case("1.5E+3", "1500.0", "1.5E+3 is 1500.0");
	json_case("0.1", "0.1", "0.1 round-trips");
	json_case("123.456e-2", "1.23456", "fraction and exponent combine");
	json_case("1e400", NULL, "1e400 is out of range");
	json_case("2e308", NULL, "2e308 is out of range");
	json_case("0e99999999999", "0.0", "huge exponent of zero is 0.0");
	json_case("01", NULL, "leading zero rejected");
	json_case("1.", NULL, "digit required after '.'");
	json_case("[1,]", NULL, "trailing comma rejected");
	json_case("{\"a\" 1}", NULL, "missing colon rejected");
	json_case("\"\\ud800\"", NULL, "lone surrogate rejected");
	json_case("\"\xc3\x28\"", NULL, "invalid UTF-8 rejected");
	json_case("\"a\x01\"", NULL, "raw control character rejected");
	json_case("null x", NULL, "trailing characters rejected");
	json_case("", NULL, "empty input rejected");
	memset(deep, '[', 127);
	memset(deep + 127, ']', 127);
	deep[254] = '\0';
	json_case(deep, deep, "127 nested arrays accepted");
	memset(deep, '[', 128);
	memset(deep + 128, ']', 128);
	deep[256] = '\0';
	json_case(deep, NULL, "128 nested arrays rejected (serde_json's recursion limit)");
}

static void test_pretty(void)
{
	struct json_value v;
	struct eif_error err;
	struct json_buf b = { 0 };
	const char *in = "{\"b\":[1,{\"c\":null}],\"a\":{},\"d\":[]}";

	json_parse((const unsigned char *)in, strlen(in), "test", &v, &err);
	json_write(&b, &v, 0);
	is_str(b.data, "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"c\": null\n    }\n  ],\n"
		       "  \"d\": []\n}", "pretty printing matches serde_json::to_string_pretty");
	json_free(&v);
	free(b.data);
}

static void test_time(void)
{
	char out[32];
	struct eif_error err;

	ok(eif_rfc3339(0, out, &err) == EIF_OK, "epoch 0 formats");
	is_str(out, "1970-01-01T00:00:00+00:00", "epoch 0 in RFC 3339");
	eif_rfc3339(1735689600, out, &err);
	is_str(out, "2025-01-01T00:00:00+00:00", "2025-01-01 in RFC 3339");
	ok(eif_rfc3339(253402300800LL, out, &err) == EIF_E_USAGE, "year 10000 rejected");
}

static void test_ranges(void)
{
	ok(eif_range_ok(0, 10, 10), "range filling the file is inside");
	ok(!eif_range_ok(1, 10, 10), "range one past the end is outside");
	ok(!eif_range_ok(UINT64_MAX, 2, UINT64_MAX), "offset + length overflow is outside");
	ok(!eif_range_ok(5, UINT64_MAX, 100), "huge length is outside");
	ok(!eif_range_ok(101, 0, 100), "empty range past the end is outside");
}

static void test_reader(const char *tv1_hex_path)
{
	unsigned char tv1[1024], copy[1024], header[EIF_HEADER_SIZE];
	char text[4096];
	struct eif_info info;
	struct eif_error err;
	struct eif_header h;
	size_t n, got;
	FILE *f = fopen(tv1_hex_path, "r");
	int all_rejected = 1, all_caught = 1;

	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	if (f)
		fclose(f);
	text[n] = '\0';
	got = unhex(text, tv1, sizeof(tv1));
	is_int((long long)got, 884, "tv1 golden file holds 884 bytes");
	if (got != 884)
		return;
	ok(eif_read_memory(tv1, got, &info, &err) == EIF_OK, "tv1 parses");
	is_int(info.section_count, 5, "tv1 has 5 sections");
	is_int(info.ramdisk_count, 2, "tv1 has 2 ramdisks");
	is_int(info.crc_ok, 1, "tv1 CRC checks");
	is_int(info.crc_computed, 0x27849440, "tv1 CRC is 0x27849440");
	is_int((long long)info.metadata_len, 241, "tv1 metadata is 241 bytes");
	is_hex(info.pcrs.pcr0, 48, "d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8"
				   "a409f42073234d1c5c990a787dbf0b61", "tv1 PCR0 (the worked example)");
	is_int(info.pcrs.has_pcr8, 0, "tv1 has no PCR8");
	eif_info_free(&info);
	eif_header_decode(tv1, &h);
	eif_header_encode(&h, header);
	ok(memcmp(header, tv1, EIF_HEADER_SIZE) == 0, "header decode/encode round trip");

	for (size_t len = 0; len < got; len++) {
		if (eif_read_memory(tv1, len, &info, &err) != EIF_E_FORMAT) {
			printf("# truncation to %zu bytes was not rejected\n", len);
			all_rejected = 0;
		}
	}
	ok(all_rejected, "every truncation of tv1 is rejected as corrupt");
	for (size_t i = 0; i < got; i++) {
		memcpy(copy, tv1, got);
		copy[i] ^= 0x01;
		enum eif_status rc = eif_read_memory(copy, got, &info, &err);
		if (rc == EIF_OK) {
			if (info.crc_ok) {
				printf("# flipping byte %zu went unnoticed\n", i);
				all_caught = 0;
			}
			eif_info_free(&info);
		}
	}
	ok(all_caught, "every single-bit flip in tv1 is rejected or fails the CRC");
}

/* One direct-mode output: the given writes (sizes, then a header pwrite at offset 0, then a
 * short append), committed, must read back exactly as the same writes made in memory. */
static void direct_case(const char *dir, const size_t *sizes, size_t count, const char *what)
{
	char path[4096], label[200];
	struct eif_outfile out;
	struct eif_error err;
	size_t total = 0, at = 0, got = 0;
	unsigned char *want, *back = NULL;
	uint32_t x = 2463534242u;
	int fine = 1, engaged;

	for (size_t i = 0; i < count; i++)
		total += sizes[i];
	total += 100;
	want = malloc(total);
	if (!want) {
		ok(0, "direct output: out of memory");
		return;
	}
	for (size_t i = 0; i < total; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		want[i] = (unsigned char)x;
	}
	snprintf(path, sizeof(path), "%s/direct.bin", dir);
	if (eif_outfile_open(&out, path, &err) != EIF_OK) {
		ok(0, err.msg);
		free(want);
		return;
	}
	eif_outfile_direct(&out);
	engaged = out.stage != NULL;
	for (size_t i = 0; i < count && fine; i++, at += sizes[i - 1])
		fine = eif_outfile_write(&out, want + at, sizes[i], &err) == EIF_OK;
	/* The header comes last, over the first bytes, as in eif build. */
	for (size_t i = 0; i < 548 && i < at; i++)
		want[i] ^= 0x5a;
	if (fine)
		fine = eif_outfile_pwrite(&out, want, at < 548 ? at : 548, 0, &err) == EIF_OK;
	if (fine)
		fine = eif_outfile_write(&out, want + at, 100, &err) == EIF_OK;
	if (fine)
		fine = eif_outfile_commit(&out, &err) == EIF_OK;
	else
		eif_outfile_abort(&out);
	snprintf(label, sizeof(label), "direct output, %s: the file system took O_DIRECT", what);
	ok(engaged, label);
	snprintf(label, sizeof(label), "direct output, %s: writes, pwrite and commit succeed", what);
	ok(fine, label);
	if (!fine)
		printf("# %s\n", err.msg);
	FILE *f = fopen(path, "rb");
	back = malloc(total + 1);
	if (f && back)
		got = fread(back, 1, total + 1, f);
	if (f)
		fclose(f);
	snprintf(label, sizeof(label), "direct output, %s: the file holds exactly the bytes written", what);
	ok(got == total && memcmp(back, want, total) == 0, label);
	if (got != total)
		printf("# expected %zu bytes, read %zu\n", total, got);
	remove(path);
	free(back);
	free(want);
}

static void test_direct(const char *dir)
{
	const size_t tiny[] = { 1, 546, 2000 };
	const size_t ragged[] = { 548, 12, 3, 4096, 4095, 1u << 20, 17, (5u << 20) + 4093, 1,
				  4u << 20, 12345 };
	const size_t aligned[] = { 4u << 20, 4u << 20 };

	direct_case(dir, tiny, 3, "under one block");
	direct_case(dir, ragged, sizeof(ragged) / sizeof(ragged[0]), "ragged sizes over 14 MiB");
	direct_case(dir, aligned, 2, "whole stages");
}

/* The one number parser, owner parser, SOURCE_DATE_EPOCH rule and array growth. */
static void test_helpers(void)
{
	struct eif_error err = { 0 };
	uint32_t uid = 7, gid = 7, epoch = 7;
	uint64_t v = 0;
	size_t cap = 0, *array = NULL, *grown;
	int all = 1;

	ok(eif_parse_digits("4294967295", 10, 10, UINT32_MAX, &v) && v == UINT32_MAX,
	   "digits: the largest u32");
	ok(!eif_parse_digits("4294967296", 10, 10, UINT32_MAX, &v), "digits: one past the max");
	ok(eif_parse_digits("18446744073709551615", 20, 10, UINT64_MAX, &v) && v == UINT64_MAX,
	   "digits: the largest u64");
	ok(!eif_parse_digits("18446744073709551616", 20, 10, UINT64_MAX, &v),
	   "digits: u64 overflow is refused, not wrapped");
	ok(eif_parse_digits("0755", 4, 8, 07777, &v) && v == 0755, "digits: octal");
	ok(!eif_parse_digits("0758", 4, 8, 07777, &v), "digits: 8 is not octal");
	ok(!eif_parse_digits("", 0, 10, 9, &v) && !eif_parse_digits("+1", 2, 10, 9, &v) &&
	   !eif_parse_digits(" 1", 2, 10, 9, &v) && !eif_parse_digits("-1", 2, 10, 9, &v),
	   "digits: empty, sign and blank are refused");
	ok(eif_parse_digits("12x", 2, 10, 99, &v) && v == 12, "digits: only n bytes are read");
	ok(eif_parse_owner("0:0", &uid, &gid) == 0 && uid == 0 && gid == 0, "owner 0:0");
	ok(eif_parse_owner("1000:4294967295", &uid, &gid) == 0 && uid == 1000 &&
	   gid == UINT32_MAX, "owner with the largest gid");
	ok(eif_parse_owner("1:2:3", &uid, &gid) != 0 && eif_parse_owner(":1", &uid, &gid) != 0 &&
	   eif_parse_owner("1:", &uid, &gid) != 0 && eif_parse_owner("1", &uid, &gid) != 0 &&
	   eif_parse_owner("4294967296:0", &uid, &gid) != 0, "owner: malformed ones refused");
	unsetenv("SOURCE_DATE_EPOCH");
	ok(eif_source_date_epoch(&epoch, &err) == EIF_OK && epoch == 0, "epoch: unset is 0");
	setenv("SOURCE_DATE_EPOCH", "", 1);
	ok(eif_source_date_epoch(&epoch, &err) == EIF_OK && epoch == 0, "epoch: empty is 0");
	setenv("SOURCE_DATE_EPOCH", "1735689600", 1);
	ok(eif_source_date_epoch(&epoch, &err) == EIF_OK && epoch == 1735689600u,
	   "epoch: digits");
	setenv("SOURCE_DATE_EPOCH", "-1", 1);
	ok(eif_source_date_epoch(&epoch, &err) == EIF_E_USAGE &&
	   strstr(err.msg, "SOURCE_DATE_EPOCH '-1' is not a number of seconds from 0 to "
		  "4294967295"), "epoch: a sign is refused, naming the value");
	setenv("SOURCE_DATE_EPOCH", "4294967296", 1);
	ok(eif_source_date_epoch(&epoch, &err) == EIF_E_USAGE, "epoch: past 32 bits is refused");
	unsetenv("SOURCE_DATE_EPOCH");
	for (size_t n = 0; n < 1000 && all; n++) {
		if (!(grown = eif_array_grow(array, &cap, n + 1, sizeof(*array)))) {
			all = 0;
			break;
		}
		array = grown;
		array[n] = n;
		all = cap >= n + 1;
	}
	for (size_t n = 0; n < 1000 && all; n++)
		all = array[n] == n;
	ok(all && cap >= 1000 && cap < 2048, "array: grows by doubling and keeps its elements");
	ok(eif_array_grow(array, &cap, 10, sizeof(*array)) == array, "array: no move when it fits");
	grown = eif_array_grow(array, &cap, SIZE_MAX / 4, sizeof(*array));
	ok(!grown && cap < 2048 && array[999] == 999,
	   "array: a size that overflows fails and keeps the array");
	free(array);
}

/* The JSON member helpers the outputs share. */
static void test_json_members(void)
{
	static const unsigned char bytes[3] = { 0x00, 0xab, 0xff };
	struct json_buf b = { 0 };
	struct json_value obj;

	json_init_object(&obj);
	ok(json_add_text(&obj, "t", "a\"b") == 0 && json_add_text(&obj, "null", NULL) == 0 &&
	   json_add_string(&obj, "n", "x\0y", 3) == 0 &&
	   json_add_u64(&obj, "u", UINT64_MAX) == 0 && json_add_bool(&obj, "b", 1) == 0 &&
	   json_add_hex(&obj, "h", bytes, sizeof(bytes)) == 0, "members added");
	json_write(&b, &obj, -1);
	is_str(b.failed ? NULL : b.data,
	       "{\"t\":\"a\\\"b\",\"null\":null,\"n\":\"x\\u0000y\","
	       "\"u\":18446744073709551615,\"b\":true,\"h\":\"00abff\"}",
	       "members in call order, serde_json's text");
	free(b.data);
	json_free(&obj);
}

int main(int argc, char **argv)
{
	test_helpers();
	test_json_members();
	test_crc();
	test_extend();
	test_json();
	test_pretty();
	test_time();
	test_ranges();
	if (argc > 1)
		test_reader(argv[1]);
	else
		ok(0, "usage: eif-unit TV1.HEX DIR");
	if (argc > 2)
		test_direct(argv[2]);
	else
		ok(0, "usage: eif-unit TV1.HEX DIR");
	return done();
}
