/* Test helper for tests/eif-attest-*.t (not installed).
 *
 *   attest-helper make-doc -o OUT --cert LEAF.pem --key LEAF.key --bundle PEM... [--pcr N=HEX]...
 *        [--digest TEXT] [--timestamp MS] [--nonce HEX] [--user-data FILE] [--public-key FILE]
 *        [--trailing-payload] [--trailing] [--signer-cert PEM]
 *     builds an attestation document as the NSM lays it out (keys in AWS's order, absent
 *     optional fields as null) and signs it with the leaf key through libeif's COSE code.
 *     --trailing-payload signs a payload with one byte after the map; --trailing appends one
 *     byte after the COSE_Sign1. --signer-cert loads the signer with another (current)
 *     certificate of the same key, since the signer refuses an expired LEAF.pem.
 *   attest-helper flip-all DOC [--root PEM]
 *     checks in-process that a one-byte change anywhere in DOC (each byte gets one bit
 *     flipped, bit i % 8 for byte i) fails verification at the document's own time; prints
 *     the number of changes tried.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eif/attest.h>
#include "cbor.h"
#include <eif/sign.h>
#include "util.h"

#define MAX_BUNDLE EIF_ATTEST_CABUNDLE_MAX

static int die(const struct eif_error *err)
{
	fprintf(stderr, "attest-helper: %s\n", err->msg);
	return 1;
}

struct doc_spec {
	const char *digest;
	uint64_t timestamp;
	struct eif_attest_expect values;	/* PCRs, nonce, user_data, public_key to write */
	unsigned char *bundle[MAX_BUNDLE], *leaf;
	size_t bundle_len[MAX_BUNDLE], leaf_len, bundle_count;
	int trailing_payload;
};

static void put_optional(struct cbor_writer *w, const char *key, const struct eif_attest_bytes *b)
{
	cbor_put_cstr(w, key);
	if (b->present)
		cbor_put_bytes(w, b->data, b->len);
	else
		cbor_put_null(w);
}

static void encode_payload(struct cbor_writer *w, const struct doc_spec *s)
{
	size_t pcrs = 0;

	for (int i = 0; i < EIF_ATTEST_PCR_COUNT; i++)
		pcrs += s->values.pcr[i].set != 0;
	cbor_put_map(w, 9);
	cbor_put_cstr(w, "module_id");
	cbor_put_cstr(w, "i-0123456789abcdef0-enc0123456789abcdef");
	cbor_put_cstr(w, "digest");
	cbor_put_cstr(w, s->digest);
	cbor_put_cstr(w, "timestamp");
	cbor_put_uint(w, s->timestamp);
	cbor_put_cstr(w, "pcrs");
	cbor_put_map(w, pcrs);
	for (int i = 0; i < EIF_ATTEST_PCR_COUNT; i++) {
		if (!s->values.pcr[i].set)
			continue;
		cbor_put_uint(w, (uint64_t)i);
		cbor_put_bytes(w, s->values.pcr[i].value, s->values.pcr[i].len);
	}
	cbor_put_cstr(w, "certificate");
	cbor_put_bytes(w, s->leaf, s->leaf_len);
	cbor_put_cstr(w, "cabundle");
	cbor_put_array(w, s->bundle_count);
	for (size_t i = 0; i < s->bundle_count; i++)
		cbor_put_bytes(w, s->bundle[i], s->bundle_len[i]);
	put_optional(w, "public_key", &s->values.public_key);
	put_optional(w, "user_data", &s->values.user_data);
	put_optional(w, "nonce", &s->values.nonce);
	if (s->trailing_payload)
		cbor_put_null(w);
}

static int der_of(const char *path, unsigned char **der, size_t *len)
{
	struct eif_error err;
	unsigned char *pem;
	size_t pem_len;

	if (eif_read_small_file(path, "certificate", 1 << 16, &pem, &pem_len, &err) != EIF_OK ||
	    eif_attest_der_from_pem(pem, pem_len, path, der, len, &err) != EIF_OK)
		return die(&err);
	free(pem);
	return 0;
}

static int bytes_file(const char *path, struct eif_attest_bytes *b)
{
	struct eif_error err;
	unsigned char *data;

	if (eif_read_small_file(path, "file", 1 << 16, &data, &b->len, &err) != EIF_OK)
		return die(&err);
	b->data = data;
	b->present = 1;
	return 0;
}

static int make_doc(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cert", required_argument, NULL, 'c' }, { "key", required_argument, NULL, 'k' },
		{ "signer-cert", required_argument, NULL, 's' },
		{ "bundle", required_argument, NULL, 'b' }, { "pcr", required_argument, NULL, 'p' },
		{ "digest", required_argument, NULL, 'd' },
		{ "timestamp", required_argument, NULL, 't' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "user-data", required_argument, NULL, 'u' },
		{ "public-key", required_argument, NULL, 'P' },
		{ "trailing-payload", no_argument, NULL, 'T' },
		{ "trailing", no_argument, NULL, 'X' }, { NULL, 0, NULL, 0 },
	};
	static unsigned char nonce[2 * EIF_ATTEST_FIELD_MAX];	/* room for oversized ones */
	struct doc_spec s = { .digest = "SHA384", .timestamp = 1700000000000ULL };
	const char *cert = NULL, *key = NULL, *out = NULL, *signer_cert = NULL;
	struct eif_signer *signer;
	struct eif_error err;
	int trailing = 0, c;

	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 's': signer_cert = optarg; break;
		case 'b':
			if (s.bundle_count == MAX_BUNDLE ||
			    der_of(optarg, &s.bundle[s.bundle_count], &s.bundle_len[s.bundle_count]))
				return 1;
			s.bundle_count++;
			break;
		case 'p':
			if (eif_attest_expect_pcr(&s.values, optarg, &err) != EIF_OK)
				return die(&err);
			break;
		case 'd': s.digest = optarg; break;
		case 't': s.timestamp = strtoull(optarg, NULL, 10); break;
		case 'n':
			if (eif_attest_hex(optarg, nonce, sizeof(nonce), &s.values.nonce.len, "--nonce",
					   &err) != EIF_OK)
				return die(&err);
			s.values.nonce.data = nonce;
			s.values.nonce.present = 1;
			break;
		case 'u': if (bytes_file(optarg, &s.values.user_data)) return 1; break;
		case 'P': if (bytes_file(optarg, &s.values.public_key)) return 1; break;
		case 'T': s.trailing_payload = 1; break;
		case 'X': trailing = 1; break;
		default: return 2;
		}
	}
	if (!out || !cert || !key) {
		fprintf(stderr, "attest-helper make-doc: -o, --cert and --key are required\n");
		return 2;
	}
	if (der_of(cert, &s.leaf, &s.leaf_len) ||
	    (eif_signer_load(&signer, signer_cert ? signer_cert : cert, key, &err) != EIF_OK &&
	     die(&err)))
		return 1;

	struct cbor_writer w;
	size_t len;
	cbor_writer_init(&w, NULL, 0);
	encode_payload(&w, &s);
	cbor_writer_finish(&w, &len);
	unsigned char *payload = malloc(len), *cose;
	size_t cose_len;
	cbor_writer_init(&w, payload, len);
	encode_payload(&w, &s);
	if (eif_signer_sign_cose(signer, payload, len, &cose, &cose_len, &err) != EIF_OK)
		return die(&err);
	FILE *f = fopen(out, "wb");
	if (!f || fwrite(cose, 1, cose_len, f) != cose_len || (trailing && fputc(0, f) == EOF) ||
	    fclose(f) != 0) {
		perror(out);
		return 1;
	}
	return 0;
}

static int flip_all(int argc, char **argv)
{
	struct eif_attest_expect expect = { .time_is_doc = 1 };
	struct eif_attest_result *res = malloc(sizeof(*res));
	struct eif_error err;
	unsigned char *doc, *root = NULL;
	size_t len, tried = 0;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--root") == 0)) {
		fprintf(stderr, "usage: attest-helper flip-all DOC [--root PEM]\n");
		return 2;
	}
	if (argc == 4 && der_of(argv[3], &root, &expect.root_der_len))
		return 1;
	expect.root_der = root;
	if (!res || eif_read_small_file(argv[1], "document", 1 << 20, &doc, &len, &err) != EIF_OK)
		return res ? die(&err) : 1;
	if (eif_attest_verify(doc, len, &expect, res, &err) != EIF_OK)
		return die(&err);
	if (res->verdict != EIF_ATTEST_PASS) {
		fprintf(stderr, "attest-helper: %s does not verify unchanged\n", argv[1]);
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char mask = (unsigned char)(1u << (i % 8));
		doc[i] ^= mask;
		if (eif_attest_verify(doc, len, &expect, res, &err) != EIF_OK)
			return die(&err);
		doc[i] ^= mask;
		tried++;
		if (res->verdict == EIF_ATTEST_PASS) {
			fprintf(stderr, "attest-helper: byte %zu ^ 0x%02x still verifies\n", i, mask);
			return 1;
		}
	}
	printf("%zu\n", tried);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "make-doc") == 0)
		return make_doc(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "flip-all") == 0)
		return flip_all(argc - 1, argv + 1);
	fprintf(stderr, "usage: attest-helper make-doc ... | flip-all DOC [--root PEM]\n");
	return 2;
}
