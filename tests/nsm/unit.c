/* Host unit tests of libnsm: request encoding (docs/boot-contract.md#requests), answer and
 * attestation-document decoding (valid, truncated, malformed), and the typed calls over a fake
 * transport. `unit --write-corpus DIR` also writes the valid answers as fuzzing seeds. */
#include <errno.h>
#include <stdlib.h>

#include "cbor.h"
#include "nsm.h"
#include "tap.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *h = hex; h[0] && h[1] && n < cap;) {
		unsigned v;

		if (h[0] == ' ') {
			h++;
			continue;
		}
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

/* ---- request vectors (docs/boot-contract.md#requests) ---------------------------------- */

static void expect_request(const struct nsm_request *req, const char *hex, const char *what)
{
	uint8_t buf[NSM_REQUEST_MAX_SIZE];
	size_t len = 0;
	enum nsm_status st = nsm_encode_request(req, buf, sizeof(buf), &len);

	is_int(st, NSM_SUCCESS, what);
	is_hex(buf, len, hex, what);
}

static void test_requests(void)
{
	static const uint8_t abc[] = { 'a', 'b', 'c' };
	static const uint8_t nonce[] = { 1, 2, 3, 4 };
	struct nsm_request r;

	r = (struct nsm_request){ .kind = NSM_REQ_DESCRIBE_PCR, .index = 0 };
	expect_request(&r, "A1 6B 44 65 73 63 72 69 62 65 50 43 52 A1 65 69 6E 64 65 78 00",
		       "DescribePCR index 0");
	r.index = 16;
	expect_request(&r, "A1 6B 44 65 73 63 72 69 62 65 50 43 52 A1 65 69 6E 64 65 78 10",
		       "DescribePCR index 16");
	r.index = 31;
	expect_request(&r, "A1 6B 44 65 73 63 72 69 62 65 50 43 52 A1 65 69 6E 64 65 78 18 1F",
		       "DescribePCR index 31 (22 bytes)");
	r = (struct nsm_request){ .kind = NSM_REQ_EXTEND_PCR, .index = 16, .data = { abc, 3 } };
	expect_request(&r, "A1 69 45 78 74 65 6E 64 50 43 52 A2 65 69 6E 64 65 78 10 64 64 61 74 61"
		       " 43 61 62 63", "ExtendPCR index 16 data abc");
	r = (struct nsm_request){ .kind = NSM_REQ_LOCK_PCR, .index = 16 };
	expect_request(&r, "A1 67 4C 6F 63 6B 50 43 52 A1 65 69 6E 64 65 78 10", "LockPCR 16");
	r = (struct nsm_request){ .kind = NSM_REQ_LOCK_PCRS, .range = 32 };
	expect_request(&r, "A1 68 4C 6F 63 6B 50 43 52 73 A1 65 72 61 6E 67 65 18 20",
		       "LockPCRs 32");
	r = (struct nsm_request){ .kind = NSM_REQ_DESCRIBE_NSM };
	expect_request(&r, "6B 44 65 73 63 72 69 62 65 4E 53 4D", "DescribeNSM");
	r = (struct nsm_request){ .kind = NSM_REQ_GET_RANDOM };
	expect_request(&r, "69 47 65 74 52 61 6E 64 6F 6D", "GetRandom");
	r = (struct nsm_request){ .kind = NSM_REQ_ATTESTATION };
	expect_request(&r, "A1 6B 41 74 74 65 73 74 61 74 69 6F 6E A3 69 75 73 65 72 5F 64 61 74 61"
		       " F6 65 6E 6F 6E 63 65 F6 6A 70 75 62 6C 69 63 5F 6B 65 79 F6",
		       "Attestation, all fields absent (44 bytes)");
	r.nonce = (struct nsm_bytes){ nonce, 4 };
	expect_request(&r, "A1 6B 41 74 74 65 73 74 61 74 69 6F 6E A3 69 75 73 65 72 5F 64 61 74 61"
		       " F6 65 6E 6F 6E 63 65 44 01 02 03 04 6A 70 75 62 6C 69 63 5F 6B 65 79 F6",
		       "Attestation with nonce 01020304");

	/* Too large for the NSM's 4 KiB request limit: refused, with the size needed. */
	static uint8_t big[NSM_REQUEST_MAX_SIZE];
	uint8_t buf[NSM_REQUEST_MAX_SIZE];
	size_t len = 0;
	r = (struct nsm_request){ .kind = NSM_REQ_ATTESTATION,
				  .user_data = { big, sizeof(big) } };
	is_int(nsm_encode_request(&r, buf, sizeof(buf), &len), NSM_INPUT_TOO_LARGE,
	       "Attestation with 4 KiB of user data does not fit a request");
	ok(len > sizeof(buf), "the size needed is reported");
	r = (struct nsm_request){ .kind = NSM_REQ_EXTEND_PCR, .index = 16, .data = { NULL, 5 } };
	is_int(nsm_encode_request(&r, buf, sizeof(buf), &len), NSM_INVALID_ARGUMENT,
	       "ExtendPCR with a NULL data pointer and a length is refused");
}

/* ---- answers ---------------------------------------------------------------------------- */

#define BUF_MAX 8192

struct sample {
	const char *name;
	uint8_t bytes[BUF_MAX];
	size_t len;
};

static uint8_t pcr48[48], random256[256];

static void finish(struct cbor_writer *w, struct sample *s)
{
	if (cbor_writer_finish(w, &s->len) != CBOR_OK) {
		printf("Bail out! sample %s does not fit\n", s->name);
		exit(1);
	}
}

/* {"name": {...}: opens the two maps; the caller writes `fields` pairs. */
static void begin(struct cbor_writer *w, struct sample *s, const char *name, size_t fields)
{
	cbor_writer_init(w, s->bytes, sizeof(s->bytes));
	cbor_put_map(w, 1);
	cbor_put_cstr(w, name);
	cbor_put_map(w, fields);
}

static void sample_describe_pcr(struct sample *s, bool lock, size_t data_len)
{
	struct cbor_writer w;

	begin(&w, s, "DescribePCR", 2);
	cbor_put_cstr(&w, "lock");
	cbor_put_bool(&w, lock);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, data_len);
	finish(&w, s);
}

/* QEMU's field order, which differs from the reference client's declaration order. */
static void sample_describe_nsm(struct sample *s, size_t locked)
{
	struct cbor_writer w;

	begin(&w, s, "DescribeNSM", 7);
	cbor_put_cstr(&w, "module_id");
	cbor_put_cstr(&w, "i-234-enc5678");
	cbor_put_cstr(&w, "max_pcrs");
	cbor_put_uint(&w, 32);
	cbor_put_cstr(&w, "locked_pcrs");
	cbor_put_array(&w, locked);
	for (size_t i = 0; i < locked; i++)
		cbor_put_uint(&w, i % 32);
	cbor_put_cstr(&w, "digest");
	cbor_put_cstr(&w, "SHA384");
	cbor_put_cstr(&w, "version_major");
	cbor_put_uint(&w, 1);
	cbor_put_cstr(&w, "version_minor");
	cbor_put_uint(&w, 0);
	cbor_put_cstr(&w, "version_patch");
	cbor_put_uint(&w, 0);
	finish(&w, s);
}

/* A document shaped like QEMU's (unsigned, 64-byte placeholder signature and certificates). */
static void put_document_payload(struct cbor_writer *w, size_t pcrs, uint64_t first_index,
				 size_t user_data_len)
{
	static const uint8_t zeros[64];

	cbor_put_map(w, 9);
	cbor_put_cstr(w, "module_id");
	cbor_put_cstr(w, "i-234-enc5678");
	cbor_put_cstr(w, "digest");
	cbor_put_cstr(w, "SHA384");
	cbor_put_cstr(w, "timestamp");
	cbor_put_uint(w, 1733000000000ULL);
	cbor_put_cstr(w, "pcrs");
	cbor_put_map(w, pcrs);
	for (size_t i = 0; i < pcrs; i++) {
		cbor_put_uint(w, first_index + i);
		cbor_put_bytes(w, pcr48, sizeof(pcr48));
	}
	cbor_put_cstr(w, "certificate");
	cbor_put_bytes(w, zeros, sizeof(zeros));
	cbor_put_cstr(w, "cabundle");
	cbor_put_array(w, 1);
	cbor_put_bytes(w, zeros, sizeof(zeros));
	cbor_put_cstr(w, "public_key");
	cbor_put_null(w);
	cbor_put_cstr(w, "user_data");
	if (user_data_len)
		cbor_put_bytes(w, random256, user_data_len > 256 ? 256 : user_data_len);
	else
		cbor_put_null(w);
	cbor_put_cstr(w, "nonce");
	cbor_put_bytes(w, "\x01\x02\x03\x04", 4);
}

static void sample_document(struct sample *s, bool tagged, size_t pcrs, uint64_t first_index,
			    size_t user_data_len)
{
	static const uint8_t protected_header[] = { 0xa1, 0x01, 0x38, 0x22 };
	static uint8_t payload[BUF_MAX];
	static const uint8_t signature[96];
	struct cbor_writer w;
	size_t payload_len;

	cbor_writer_init(&w, payload, sizeof(payload));
	put_document_payload(&w, pcrs, first_index, user_data_len);
	if (cbor_writer_finish(&w, &payload_len) != CBOR_OK) {
		printf("Bail out! document payload does not fit\n");
		exit(1);
	}
	cbor_writer_init(&w, s->bytes, sizeof(s->bytes));
	if (tagged)
		cbor_put_head(&w, CBOR_TAG, 18);
	cbor_put_array(&w, 4);
	cbor_put_bytes(&w, protected_header, sizeof(protected_header));
	cbor_put_map(&w, 0);
	cbor_put_bytes(&w, payload, payload_len);
	cbor_put_bytes(&w, signature, sizeof(signature));
	finish(&w, s);
}

static enum nsm_status decode(const struct sample *s, struct nsm_response *out)
{
	char err[NSM_ERROR_MAX];

	return nsm_decode_response(s->bytes, s->len, out, err, sizeof(err));
}

/* Every strict prefix of a valid answer must be rejected (and must not crash). */
static void expect_prefixes_rejected(const struct sample *s, int document)
{
	static struct nsm_document doc;
	struct nsm_response out;
	char err[NSM_ERROR_MAX];
	size_t accepted = 0;
	char what[128];

	for (size_t n = 0; n < s->len; n++) {
		enum nsm_status st = document ?
			nsm_decode_document(s->bytes, n, &doc, err, sizeof(err)) :
			nsm_decode_response(s->bytes, n, &out, err, sizeof(err));
		if (st != NSM_INVALID_RESPONSE)
			accepted++;
	}
	snprintf(what, sizeof(what), "%s: all %zu truncations rejected", s->name, s->len);
	is_int((long long)accepted, 0, what);
}

static void expect_rejected(const struct sample *s, const char *what)
{
	struct nsm_response out;
	char err[NSM_ERROR_MAX] = "";
	enum nsm_status st = nsm_decode_response(s->bytes, s->len, &out, err, sizeof(err));

	is_int(st, NSM_INVALID_RESPONSE, what);
	ok(err[0] != '\0', "  ... with a message");
	if (err[0])
		printf("# %s\n", err);
}

static void from_hex(struct sample *s, const char *name, const char *hex)
{
	s->name = name;
	s->len = unhex(hex, s->bytes, sizeof(s->bytes));
}

static struct sample corpus[32];
static size_t corpus_count;

static void keep(const struct sample *s)
{
	if (corpus_count < sizeof(corpus) / sizeof(corpus[0]))
		corpus[corpus_count++] = *s;
}

static void test_answers(void)
{
	static struct sample s;
	struct nsm_response out;
	struct cbor_writer w;

	for (size_t i = 0; i < sizeof(pcr48); i++)
		pcr48[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < sizeof(random256); i++)
		random256[i] = (uint8_t)(i * 7);

	s.name = "DescribePCR";
	sample_describe_pcr(&s, true, 48);
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "DescribePCR answer decodes");
	is_int(out.kind, NSM_REQ_DESCRIBE_PCR, "  ... as DescribePCR");
	ok(out.lock && !out.is_error, "  ... locked, not an error");
	is_hex(out.data.data, out.data.len, "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BA"
	       "BBBCBDBEBFC0C1C2C3C4C5C6C7C8C9CACBCCCDCECF", "  ... with the 48-byte value");
	expect_prefixes_rejected(&s, 0);
	sample_describe_pcr(&s, false, 47);
	expect_rejected(&s, "DescribePCR with a 47-byte value is rejected");

	from_hex(&s, "LockPCR", "67 4C 6F 63 6B 50 43 52");
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "LockPCR answer (bare text) decodes");
	is_int(out.kind, NSM_REQ_LOCK_PCR, "  ... as LockPCR");
	from_hex(&s, "LockPCRs", "68 4C 6F 63 6B 50 43 52 73");
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "LockPCRs answer decodes");
	is_int(out.kind, NSM_REQ_LOCK_PCRS, "  ... as LockPCRs");
	from_hex(&s, "GetRandom text", "69 47 65 74 52 61 6E 64 6F 6D");
	expect_rejected(&s, "a bare \"GetRandom\" text is not an answer");

	from_hex(&s, "Error", "A1 65 45 72 72 6F 72 6C 49 6E 76 61 6C 69 64 49 6E 64 65 78");
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "{\"Error\":\"InvalidIndex\"} decodes");
	ok(out.is_error && out.error == NSM_INVALID_INDEX, "  ... as the error InvalidIndex");
	expect_prefixes_rejected(&s, 0);
	from_hex(&s, "Error Success", "A1 65 45 72 72 6F 72 67 53 75 63 63 65 73 73");
	expect_rejected(&s, "{\"Error\":\"Success\"} is rejected");
	from_hex(&s, "Error unknown", "A1 65 45 72 72 6F 72 63 42 61 64");
	expect_rejected(&s, "an unknown error name is rejected");

	s.name = "DescribeNSM";
	sample_describe_nsm(&s, 16);
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "DescribeNSM in QEMU's field order decodes");
	ok(strcmp(out.description.module_id, "i-234-enc5678") == 0, "  ... module_id");
	ok(out.description.max_pcrs == 32 && out.description.locked_count == 16 &&
	   out.description.locked_pcrs[15] == 15 && out.description.digest == NSM_DIGEST_SHA384 &&
	   out.description.version_major == 1, "  ... max_pcrs, locked_pcrs, digest, version");
	expect_prefixes_rejected(&s, 0);
	sample_describe_nsm(&s, NSM_MAX_LOCKED + 1);
	expect_rejected(&s, "DescribeNSM listing 65 locked PCRs is rejected");

	s.name = "GetRandom";
	begin(&w, &s, "GetRandom", 1);
	cbor_put_cstr(&w, "random");
	cbor_put_bytes(&w, random256, 256);
	finish(&w, &s);
	keep(&s);
	is_int(decode(&s, &out), NSM_SUCCESS, "GetRandom answer decodes");
	is_int((long long)out.random.len, 256, "  ... with 256 bytes");
	ok(out.random.data && memcmp(out.random.data, random256, 256) == 0, "  ... the right ones");
	s.bytes[s.len++] = 0x00;
	expect_rejected(&s, "a trailing byte after the answer is rejected");

	begin(&w, &s, "GetRandom", 1);
	cbor_put_cstr(&w, "random");
	cbor_put_bytes(&w, random256, 0);
	finish(&w, &s);
	expect_rejected(&s, "GetRandom with no bytes is rejected");

	begin(&w, &s, "ExtendPCR", 2);
	cbor_put_cstr(&w, "future_field");
	cbor_put_array(&w, 2);
	cbor_put_uint(&w, 1);
	cbor_put_map(&w, 0);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	finish(&w, &s);
	is_int(decode(&s, &out), NSM_SUCCESS, "ExtendPCR with an unknown extra field decodes");
	ok(out.kind == NSM_REQ_EXTEND_PCR && out.data.len == 48, "  ... with its value");

	begin(&w, &s, "ExtendPCR", 2);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	finish(&w, &s);
	expect_rejected(&s, "a field given twice is rejected");

	begin(&w, &s, "DescribePCR", 1);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	finish(&w, &s);
	expect_rejected(&s, "DescribePCR without lock is rejected");

	begin(&w, &s, "DescribePCR", 2);
	cbor_put_cstr(&w, "lock");
	cbor_put_uint(&w, 1);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	finish(&w, &s);
	expect_rejected(&s, "DescribePCR with lock = 1 (not a bool) is rejected");

	begin(&w, &s, "Frobnicate", 0);
	finish(&w, &s);
	expect_rejected(&s, "an unknown variant is rejected");
	begin(&w, &s, "LockPCR", 0);
	finish(&w, &s);
	expect_rejected(&s, "LockPCR as a map is rejected");

	from_hex(&s, "two variants", "A2 67 4C 6F 63 6B 50 43 52 F6 68 4C 6F 63 6B 50 43 52 73 F6");
	expect_rejected(&s, "a map with two variants is rejected");
	from_hex(&s, "indefinite", "BF 65 45 72 72 6F 72 6C 49 6E 76 61 6C 69 64 49 6E 64 65 78 FF");
	expect_rejected(&s, "an indefinite-length map is rejected");
	from_hex(&s, "huge length", "A1 69 47 65 74 52 61 6E 64 6F 6D A1 66 72 61 6E 64 6F 6D"
		 " 5B FF FF FF FF FF FF FF FF 00");
	expect_rejected(&s, "a byte string claiming 2^64-1 bytes is rejected");
	s.len = 0;
	expect_rejected(&s, "an empty answer is rejected");

	/* Deep nesting inside an unknown field: bounded by the codec, not the stack. */
	s.name = "deep";
	begin(&w, &s, "ExtendPCR", 2);
	cbor_put_cstr(&w, "x");
	for (int i = 0; i < 1000; i++)
		cbor_put_array(&w, 1);
	cbor_put_uint(&w, 0);
	cbor_put_cstr(&w, "data");
	cbor_put_bytes(&w, pcr48, 48);
	finish(&w, &s);
	expect_rejected(&s, "1000 nested arrays in an unknown field are rejected");
}

/* ---- attestation documents -------------------------------------------------------------- */

static void expect_document_rejected(const struct sample *s, const char *what)
{
	static struct nsm_document doc;
	char err[NSM_ERROR_MAX] = "";

	is_int(nsm_decode_document(s->bytes, s->len, &doc, err, sizeof(err)),
	       NSM_INVALID_RESPONSE, what);
	if (err[0])
		printf("# %s\n", err);
}

static void test_documents(void)
{
	static struct sample s;
	static struct nsm_document doc;
	char err[NSM_ERROR_MAX] = "";

	s.name = "document";
	sample_document(&s, false, 16, 0, 32);
	keep(&s);
	is_int(nsm_decode_document(s.bytes, s.len, &doc, err, sizeof(err)), NSM_SUCCESS,
	       "untagged COSE_Sign1 document decodes");
	if (err[0])
		printf("# %s\n", err);
	ok(doc.algorithm == -35 && doc.signature.len == 96, "  ... ES384, 96-byte signature");
	ok(doc.module_id.len == 13 && memcmp(doc.module_id.data, "i-234-enc5678", 13) == 0,
	   "  ... module_id");
	ok(doc.digest == NSM_DIGEST_SHA384 && doc.timestamp == 1733000000000ULL, "  ... digest, time");
	ok(doc.pcr_count == 16 && doc.pcrs[15].index == 15 && doc.pcrs[15].value.len == 48,
	   "  ... 16 PCRs");
	ok(doc.certificate.len == 64 && doc.cabundle_count == 1, "  ... certificate, cabundle");
	ok(!doc.public_key.data && doc.user_data.len == 32 && doc.nonce.len == 4 &&
	   memcmp(doc.nonce.data, "\x01\x02\x03\x04", 4) == 0,
	   "  ... public_key null, user_data and nonce");
	expect_prefixes_rejected(&s, 1);

	sample_document(&s, true, 16, 0, 0);
	is_int(nsm_decode_document(s.bytes, s.len, &doc, err, sizeof(err)), NSM_SUCCESS,
	       "tagged (18) document decodes");
	ok(doc.user_data.data == NULL, "  ... null user_data is absent");
	s.bytes[0] = 0xd1;	/* tag 17 */
	expect_document_rejected(&s, "tag 17 is rejected");

	sample_document(&s, false, 1, 32, 0);
	expect_document_rejected(&s, "PCR index 32 is rejected");
	sample_document(&s, false, 33, 0, 0);
	expect_document_rejected(&s, "33 PCRs are rejected");
	sample_document(&s, false, 0, 0, 0);
	expect_document_rejected(&s, "no PCRs is rejected");

	/* user_data over the 512-byte limit: build it by hand. */
	static uint8_t payload[BUF_MAX], big[513];
	struct cbor_writer w;
	size_t n;
	cbor_writer_init(&w, payload, sizeof(payload));
	cbor_put_map(&w, 7);
	cbor_put_cstr(&w, "module_id");
	cbor_put_cstr(&w, "m");
	cbor_put_cstr(&w, "digest");
	cbor_put_cstr(&w, "SHA384");
	cbor_put_cstr(&w, "timestamp");
	cbor_put_uint(&w, 1);
	cbor_put_cstr(&w, "pcrs");
	cbor_put_map(&w, 1);
	cbor_put_uint(&w, 0);
	cbor_put_bytes(&w, pcr48, 48);
	cbor_put_cstr(&w, "certificate");
	cbor_put_bytes(&w, "c", 1);
	cbor_put_cstr(&w, "cabundle");
	cbor_put_array(&w, 1);
	cbor_put_bytes(&w, "r", 1);
	cbor_put_cstr(&w, "user_data");
	cbor_put_bytes(&w, big, sizeof(big));
	cbor_writer_finish(&w, &n);
	cbor_writer_init(&w, s.bytes, sizeof(s.bytes));
	cbor_put_array(&w, 4);
	cbor_put_bytes(&w, "\xa1\x01\x38\x22", 4);
	cbor_put_map(&w, 0);
	cbor_put_bytes(&w, payload, n);
	cbor_put_bytes(&w, "s", 1);
	finish(&w, &s);
	expect_document_rejected(&s, "513 bytes of user_data are rejected");
	/* Shorten user_data to 512 bytes without shortening the payload: one byte is left over. */
	for (size_t i = 0; i + 1 < s.len; i++) {
		if (s.bytes[i] == 0x59 && s.bytes[i + 1] == 0x02 && s.bytes[i + 2] == 0x01) {
			s.bytes[i + 2] = 0x00;
			break;
		}
	}
	expect_document_rejected(&s, "a payload with a stray byte after its map is rejected");

	from_hex(&s, "array3", "83 44 A1 01 38 22 A0 41 00");
	expect_document_rejected(&s, "a COSE_Sign1 of 3 elements is rejected");
	from_hex(&s, "no alg", "84 41 A0 A0 41 A0 41 00");
	expect_document_rejected(&s, "a protected header without algorithm is rejected");
}

/* ---- calls over a fake transport ---------------------------------------------------------- */

struct fake {
	int calls;
	int fail_errno;			/* returned instead of an answer when non-zero */
	const struct sample *answer;
	uint8_t last_request[NSM_REQUEST_MAX_SIZE];
	size_t last_len;
};

static int fake_transport(void *ctx, const uint8_t *req, size_t req_len, uint8_t *resp,
			  size_t *resp_len)
{
	struct fake *f = ctx;

	f->calls++;
	memcpy(f->last_request, req, req_len);
	f->last_len = req_len;
	if (f->fail_errno)
		return f->fail_errno;
	if (f->answer->len > *resp_len)
		return EOVERFLOW;
	memcpy(resp, f->answer->bytes, f->answer->len);
	*resp_len = f->answer->len;
	return 0;
}

static void test_calls(void)
{
	static struct nsm n;
	static struct sample s;
	static uint8_t doc[BUF_MAX], big[NSM_REQUEST_MAX_SIZE + 1];
	struct fake f = { .answer = &s };
	struct nsm_pcr pcr;
	size_t len;

	nsm_open_transport(&n, fake_transport, &f);

	sample_describe_pcr(&s, false, 48);
	is_int(nsm_describe_pcr(&n, 16, &pcr), NSM_SUCCESS, "nsm_describe_pcr over a transport");
	is_hex(f.last_request, f.last_len,
	       "A1 6B 44 65 73 63 72 69 62 65 50 43 52 A1 65 69 6E 64 65 78 10",
	       "  ... sends DescribePCR index 16");
	ok(!pcr.locked && pcr.len == 48 && memcmp(pcr.value, pcr48, 48) == 0, "  ... copies it");

	is_int(nsm_lock_pcr(&n, 16), NSM_INVALID_RESPONSE,
	       "a DescribePCR answer to LockPCR is InvalidResponse");
	ok(strstr(n.error, "LockPCR") != NULL, "  ... and the message names the request");
	printf("# %s\n", n.error);

	from_hex(&s, "ReadOnly", "A1 65 45 72 72 6F 72 6D 52 65 61 64 4F 6E 6C 79 49 6E 64 65 78");
	is_int(nsm_extend_pcr(&n, 0, "x", 1, NULL), NSM_READ_ONLY_INDEX,
	       "{\"Error\":\"ReadOnlyIndex\"} becomes the status ReadOnlyIndex");

	from_hex(&s, "LockPCRs", "68 4C 6F 63 6B 50 43 52 73");
	is_int(nsm_lock_pcrs(&n, 32), NSM_SUCCESS, "nsm_lock_pcrs");

	struct cbor_writer w;
	begin(&w, &s, "GetRandom", 1);
	cbor_put_cstr(&w, "random");
	cbor_put_bytes(&w, random256, 256);
	finish(&w, &s);
	static uint8_t rnd[600];
	f.calls = 0;
	is_int(nsm_fill_random(&n, rnd, sizeof(rnd)), NSM_SUCCESS, "nsm_fill_random of 600 bytes");
	is_int(f.calls, 3, "  ... takes three GetRandom requests");
	ok(memcmp(rnd + 512, random256, 88) == 0, "  ... and copies the bytes");
	len = 10;
	is_int(nsm_get_random(&n, rnd, &len), NSM_SUCCESS, "nsm_get_random of 10 bytes");
	is_int((long long)len, 10, "  ... returns 10");

	sample_document(&s, false, 16, 0, 0);
	struct sample answer;
	begin(&w, &answer, "Attestation", 1);
	cbor_put_cstr(&w, "document");
	cbor_put_bytes(&w, s.bytes, s.len);
	finish(&w, &answer);
	answer.name = "Attestation";
	keep(&answer);
	f.answer = &answer;
	is_int(nsm_attestation(&n, (struct nsm_bytes){ 0 }, (struct nsm_bytes){ (const uint8_t *)"\x01", 1 },
			       (struct nsm_bytes){ 0 }, doc, sizeof(doc), &len), NSM_SUCCESS,
	       "nsm_attestation");
	ok(len == s.len && memcmp(doc, s.bytes, len) == 0, "  ... returns the document");
	is_int(nsm_attestation(&n, (struct nsm_bytes){ 0 }, (struct nsm_bytes){ 0 },
			       (struct nsm_bytes){ 0 }, doc, 100, &len), NSM_BUFFER_TOO_SMALL,
	       "a document larger than the buffer is BufferTooSmall");
	is_int((long long)len, (long long)s.len, "  ... with the size needed");

	f.fail_errno = EMSGSIZE;
	is_int(nsm_lock_pcr(&n, 16), NSM_INPUT_TOO_LARGE, "EMSGSIZE from the driver is InputTooLarge");
	f.fail_errno = ETIMEDOUT;
	is_int(nsm_lock_pcr(&n, 16), NSM_INTERNAL_ERROR, "ETIMEDOUT is InternalError");
	is_int(n.sys_errno, ETIMEDOUT, "  ... with sys_errno set");
	printf("# %s\n", n.error);
	f.fail_errno = 0;

	f.calls = 0;
	is_int(nsm_exchange_raw(&n, big, sizeof(big), doc, &len), NSM_INPUT_TOO_LARGE,
	       "a raw request of 4097 bytes is refused");
	is_int(f.calls, 0, "  ... without reaching the device");
}

/* ---- corpus ---------------------------------------------------------------------------- */

static int write_corpus(const char *dir)
{
	char path[4096];

	for (size_t i = 0; i < corpus_count; i++) {
		snprintf(path, sizeof(path), "%s/seed-%02zu", dir, i);
		FILE *f = fopen(path, "wb");
		if (!f || fwrite(corpus[i].bytes, 1, corpus[i].len, f) != corpus[i].len ||
		    fclose(f) != 0) {
			fprintf(stderr, "unit: writing '%s': %s\n", path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	test_requests();
	test_answers();
	test_documents();
	test_calls();
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0 && write_corpus(argv[2]))
		return 1;
	return done();
}
