/* eif attest: offline verdict on a Nitro attestation document (library: attest.c). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <eif/attest.h>
#include "cli.h"
#include "commands.h"
#include <eif/statement.h>

/* Exit codes: 3 + (failure class - 1); documented in the usage text and eif(1). */
enum { EXIT_ATTEST_BASE = 2 };

enum { OPT_ROOT = 1, OPT_TIME, OPT_EXPECTED, OPT_PCR, OPT_NONCE, OPT_USER_DATA,
       OPT_PUBLIC_KEY, OPT_SKIP_CHAIN, OPT_NONCE_FILE, OPT_STATEMENT, OPT_SKIP_SIGNATURE };

static const struct cliopt attest_options[] = {
	{ "root", 0, "PEM", 0, OPT_ROOT, "trust this root instead of AWS's G1" },
	{ "time", 0, "T", 0, OPT_TIME, "check certificates at T: doc, SECONDS or RFC 3339" },
	{ "expected", 0, "FILE", 0, OPT_EXPECTED,
	  "PCR0-2 (and PCR8) of out/pcr.json must match" },
	{ "statement", 0, "FILE", 0, OPT_STATEMENT,
	  "the same from a build statement (eif statement)" },
	{ "pcr", 0, "N=HEX", CLIOPT_REPEAT, OPT_PCR,
	  "PCR N must be HEX (repeatable; over --expected)" },
	{ "nonce", 0, "HEX", 0, OPT_NONCE, "the document's nonce must be these bytes" },
	{ "nonce-file", 0, "FILE", 0, OPT_NONCE_FILE,
	  "... the bytes of the file nsm attest --nonce took" },
	{ "user-data", 0, "FILE", 0, OPT_USER_DATA, "user_data must be the file's bytes" },
	{ "public-key", 0, "FILE", 0, OPT_PUBLIC_KEY, "public_key must be the file's bytes" },
	{ "skip-chain", 0, NULL, 0, OPT_SKIP_CHAIN,
	  "do not check the certificates (a test NSM)" },
	{ "skip-signature", 0, NULL, 0, OPT_SKIP_SIGNATURE,
	  "do not check the signature (QEMU's NSM)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_attest(int argc, char **argv);

const struct cliopt_command cmd_attest = {
	"eif", "attest", "DOC", "verify a Nitro attestation document offline against expectations",
	attest_options,
	"DOC is the COSE_Sign1 as 'nsm attest' writes it, raw CBOR or base64. The verdict\n"
	"(JSON) lists every check; cabundle[0] must be the AWS Nitro Enclaves root G1\n"
	"(SHA-256 641A0321...79BB5B, configs/aws-nitro-enclaves-root.pem), the bundle\n"
	"must chain in order to the leaf, whose key must verify the ES384 signature.\n"
	"Skipped checks never pass. A debug-mode document (PCR0-2 all zero) never passes.\n"
	"\n"
	"Exit status:\n"
	"  0  every check passed\n"
	"  1  error (cannot read a file, out of memory)\n"
	"  2  usage error\n"
	"  3  malformed: not a well-formed attestation document\n"
	"  4  untrusted chain: the certificates do not chain to the root\n"
	"  5  bad signature: the COSE signature does not verify under the leaf\n"
	"     certificate\n"
	"  6  a certificate is expired or not yet valid at --time\n"
	"  7  measurement mismatch: PCRs, nonce, user data or public key differ, or\n"
	"     debug mode\n",
	run_attest,
};

/* Files read for the options, freed at the end. */
struct attest_files {
	unsigned char *root_pem, *root_der, *expected, *user_data, *public_key, *nonce_file;
	unsigned char nonce[EIF_ATTEST_FIELD_MAX];
};

static void attest_files_free(struct attest_files *f)
{
	free(f->root_pem);
	free(f->root_der);
	free(f->expected);
	free(f->user_data);
	free(f->public_key);
	free(f->nonce_file);
}

static int bound_file(const char *path, const char *what, unsigned char **data,
		      struct eif_attest_bytes *b)
{
	struct eif_error err;

	if (eif_read_small_file(path, what, EIF_ATTEST_FIELD_MAX, data, &b->len, &err) != EIF_OK)
		return cli_error(&err);
	b->data = *data;
	b->present = 1;
	return 0;
}

/* Reads --expected or --statement before the other options, so that --pcr overrides them
 * whatever the order. */
static int read_expectations(int argc, char **argv, struct eif_attest_expect *ex,
			     struct attest_files *f)
{
	const char *expected_path = NULL, *statement_path = NULL;
	struct cliopt_parser p;
	struct eif_error err;
	size_t len;
	int id;

	cliopt_start(&p, &cmd_attest, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		if (id == OPT_EXPECTED)
			expected_path = p.value;
		else if (id == OPT_STATEMENT)
			statement_path = p.value;
		else if (id == CLIOPT_HELP || id == CLIOPT_ERROR)
			return 0;	/* the main pass reports it, in order */
	}
	if (expected_path && statement_path)
		return cli_usage_error(argv[0], "give --expected or --statement, not both");
	if (!expected_path && !statement_path)
		return 0;
	const char *path = expected_path ? expected_path : statement_path;
	if (eif_read_small_file(path, expected_path ? "expected PCR file" : "statement", 1u << 20,
				&f->expected, &len, &err) != EIF_OK ||
	    (expected_path ? eif_attest_expect_json(ex, f->expected, len, path, &err) :
			     eif_statement_expect(ex, f->expected, len, path, &err)) != EIF_OK)
		return cli_error(&err);
	return 0;
}

/* 0: verify *doc; -1: --help was printed; else the exit status of a failure. */
static int parse_options(int argc, char **argv, struct eif_attest_expect *ex,
			 struct attest_files *f, const char **doc)
{
	struct cliopt_parser p;
	struct eif_error err;
	size_t len;
	int id, rc;

	ex->time = (int64_t)time(NULL);
	rc = read_expectations(argc, argv, ex, f);
	if (rc)
		return rc;
	cliopt_start(&p, &cmd_attest, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		const char *v = p.value;
		switch (id) {
		case OPT_ROOT:
			if (eif_read_small_file(v, "root certificate", 1u << 16, &f->root_pem, &len,
						&err) != EIF_OK ||
			    eif_attest_der_from_pem(f->root_pem, len, v, &f->root_der,
						    &ex->root_der_len, &err) != EIF_OK)
				return cli_error(&err);
			ex->root_der = f->root_der;
			break;
		case OPT_TIME:
			if (eif_attest_expect_time(ex, v, &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			break;
		case OPT_EXPECTED:
		case OPT_STATEMENT:
			break;
		case OPT_PCR:
			if (eif_attest_expect_pcr(ex, v, &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			break;
		case OPT_NONCE:
			if (eif_attest_hex(v, f->nonce, sizeof(f->nonce), &ex->nonce.len, "--nonce",
					   &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			ex->nonce.data = f->nonce;
			ex->nonce.present = 1;
			break;
		case OPT_NONCE_FILE:
			rc = bound_file(v, "nonce file", &f->nonce_file, &ex->nonce);
			break;
		case OPT_USER_DATA:
			rc = bound_file(v, "user data file", &f->user_data, &ex->user_data);
			break;
		case OPT_PUBLIC_KEY:
			rc = bound_file(v, "public key file", &f->public_key, &ex->public_key);
			break;
		case OPT_SKIP_CHAIN:
			ex->skip_chain = 1;
			break;
		case OPT_SKIP_SIGNATURE:
			ex->skip_signature = 1;
			break;
		case CLIOPT_OPERAND:
			if (*doc)
				return cli_usage_error(argv[0], "unexpected argument '%s'; verify one "
						       "document at a time", v);
			*doc = v;
			break;
		default:
			rc = cli_option_stop(&p, id);
			return rc ? rc : -1;	/* -1: help printed, nothing more to do */
		}
		if (rc)
			return rc;
	}
	if (!*doc)
		return cli_usage_error(argv[0], "name the attestation document to verify");
	return 0;
}

static int run_attest(int argc, char **argv)
{
	const char *path = NULL;
	struct eif_attest_expect expect = { 0 };
	struct attest_files files = { 0 };
	struct eif_attest_result *res = NULL;
	struct eif_error err;
	unsigned char *text = NULL, *raw = NULL;
	size_t text_len, raw_len;
	int rc = parse_options(argc, argv, &expect, &files, &path);

	if (rc) {
		rc = rc < 0 ? 0 : rc;
		goto out;
	}
	rc = 1;
	if (eif_read_small_file(path, "attestation document", 2 * EIF_ATTEST_DOC_MAX, &text,
				&text_len, &err) != EIF_OK) {
		cli_error(&err);
		goto out;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		fprintf(stderr, "eif attest: out of memory\n");
		goto out;
	}
	if (eif_attest_doc_decode(text, text_len, &raw, &raw_len, &err) != EIF_OK) {
		if (err.code != EIF_E_FORMAT) {
			cli_error(&err);
			goto out;
		}
		/* not even CBOR or base64: the same verdict as a malformed document */
		raw = NULL;
		raw_len = 0;
	}
	if (eif_attest_verify(raw ? raw : text, raw ? raw_len : 0, &expect, res, &err) !=
	    EIF_OK) {
		cli_error(&err);
		goto out;
	}
	if (!raw)
		snprintf(res->checks[0].reason, sizeof(res->checks[0].reason), "%s", err.msg);
	rc = cli_print_free(eif_attest_result_json(res), "attestation verdict");
	if (rc == 0 && res->verdict != EIF_ATTEST_PASS) {
		fprintf(stderr, "eif attest: %s: %s\n", path, eif_attest_class_name(res->verdict));
		rc = EXIT_ATTEST_BASE + (int)res->verdict;
	}
out:
	free(res);
	free(raw);
	free(text);
	attest_files_free(&files);
	return rc;
}
