/* eif attest: offline verdict on a Nitro attestation document (library: attest.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "attest.h"
#include "cli.h"
#include "commands.h"
#include "statement.h"
#include "util.h"

/* Exit codes: 3 + (failure class - 1); documented in the usage text and eif(1). */
enum { EXIT_ATTEST_BASE = 2 };

const char cmd_attest_usage[] =
	"usage: eif attest DOC [--root PEM] [--time doc|SECONDS|RFC3339] [--expected PCR.json]\n"
	"                  [--pcr N=HEX]... [--nonce HEX | --nonce-file FILE] [--user-data FILE]\n"
	"                  [--public-key FILE] [--statement FILE] [--skip-chain]\n"
	"                  [--skip-signature]\n"
	"\n"
	"Verify a Nitro attestation document (DOC: the COSE_Sign1 as 'nsm attest' writes it, raw\n"
	"CBOR or base64) without network access, and print a JSON verdict listing every check.\n"
	"cabundle[0] must be the AWS Nitro Enclaves root G1 (SHA-256 641A0321...79BB5B, see\n"
	"configs/aws-nitro-enclaves-root.pem), the bundle must chain in order to the leaf\n"
	"certificate, and the leaf's key must verify the ES384 signature.\n"
	"\n"
	"  --root PEM          trust this root instead of AWS's (cabundle[0] must be it)\n"
	"  --time T            check certificate validity at T: 'doc' (the document's own\n"
	"                      timestamp, for archived documents), seconds since the epoch or\n"
	"                      RFC 3339; default now\n"
	"  --expected FILE     PCR0, PCR1, PCR2 (and PCR8 if present) from out/pcr.json or\n"
	"                      configs/expected-pcr.json must match\n"
	"  --statement FILE    the same from a build statement (out/statement.json)\n"
	"  --pcr N=HEX         PCR N must equal HEX (repeatable; overrides --expected)\n"
	"  --nonce HEX         the document's nonce must be these bytes\n"
	"  --nonce-file FILE   ... the file's bytes (the file given to 'nsm attest --nonce')\n"
	"  --user-data FILE    the document's user_data must be the file's bytes\n"
	"  --public-key FILE   the document's public_key must be the file's bytes\n"
	"  --skip-chain        do not check the certificates (a test NSM such as QEMU's signs\n"
	"                      with its own key); the verdict says chain_checked: false\n"
	"  --skip-signature    do not check the COSE signature (QEMU's NSM does not sign);\n"
	"                      the verdict says signature_checked: false\n"
	"\n"
	"A debug-mode document (PCR0-2 all zero) never passes.\n"
	"\n"
	"Exit status:\n"
	"  0  every check passed\n"
	"  1  error (cannot read a file, out of memory)\n"
	"  2  usage error\n"
	"  3  malformed: not a well-formed attestation document\n"
	"  4  untrusted chain: the certificates do not chain to the root\n"
	"  5  bad signature: the COSE signature does not verify under the leaf certificate\n"
	"  6  a certificate is expired or not yet valid at --time\n"
	"  7  measurement mismatch: PCRs, nonce, user data or public key differ, or debug mode\n";

enum { OPT_ROOT = 256, OPT_TIME, OPT_EXPECTED, OPT_PCR, OPT_NONCE, OPT_USER_DATA,
       OPT_PUBLIC_KEY, OPT_SKIP_CHAIN, OPT_NONCE_FILE, OPT_STATEMENT, OPT_SKIP_SIGNATURE };

static const struct option attest_options[] = {
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "expected", required_argument, NULL, OPT_EXPECTED },
	{ "statement", required_argument, NULL, OPT_STATEMENT },
	{ "pcr", required_argument, NULL, OPT_PCR },
	{ "nonce", required_argument, NULL, OPT_NONCE },
	{ "nonce-file", required_argument, NULL, OPT_NONCE_FILE },
	{ "user-data", required_argument, NULL, OPT_USER_DATA },
	{ "public-key", required_argument, NULL, OPT_PUBLIC_KEY },
	{ "skip-chain", no_argument, NULL, OPT_SKIP_CHAIN },
	{ "skip-signature", no_argument, NULL, OPT_SKIP_SIGNATURE },
	{ NULL, 0, NULL, 0 },
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

static int parse_options(int argc, char **argv, struct eif_attest_expect *ex,
			 struct attest_files *f)
{
	const char *expected_path = NULL, *statement_path = NULL;
	struct eif_error err;
	size_t len;
	int c;

	opterr = 0;
	optind = 1;
	ex->time = (int64_t)time(NULL);
	/* --pcr overrides --expected, whatever the order: read --expected first */
	while ((c = getopt_long(argc, argv, "", attest_options, NULL)) != -1) {
		if (c == OPT_EXPECTED)
			expected_path = optarg;
		if (c == OPT_STATEMENT)
			statement_path = optarg;
	}
	if (expected_path && statement_path)
		return cli_usage_error(argv[0], "give --expected or --statement, not both");
	if (expected_path || statement_path) {
		const char *path = expected_path ? expected_path : statement_path;
		if (eif_read_small_file(path, expected_path ? "expected PCR file" : "statement",
					1u << 20, &f->expected, &len, &err) != EIF_OK ||
		    (expected_path ? eif_attest_expect_json(ex, f->expected, len, path, &err) :
				     eif_statement_expect(ex, f->expected, len, path, &err)) != EIF_OK)
			return cli_error(&err);
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", attest_options, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case OPT_ROOT:
			if (eif_read_small_file(optarg, "root certificate", 1u << 16, &f->root_pem,
						&len, &err) != EIF_OK ||
			    eif_attest_der_from_pem(f->root_pem, len, optarg, &f->root_der,
						    &ex->root_der_len, &err) != EIF_OK)
				return cli_error(&err);
			ex->root_der = f->root_der;
			break;
		case OPT_TIME:
			if (eif_attest_expect_time(ex, optarg, &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			break;
		case OPT_EXPECTED:
		case OPT_STATEMENT:
			break;
		case OPT_PCR:
			if (eif_attest_expect_pcr(ex, optarg, &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			break;
		case OPT_NONCE:
			if (eif_attest_hex(optarg, f->nonce, sizeof(f->nonce), &ex->nonce.len,
					   "--nonce", &err) != EIF_OK)
				return cli_usage_error(argv[0], "%s", err.msg);
			ex->nonce.data = f->nonce;
			ex->nonce.present = 1;
			break;
		case OPT_NONCE_FILE:
			rc = bound_file(optarg, "nonce file", &f->nonce_file, &ex->nonce);
			break;
		case OPT_USER_DATA:
			rc = bound_file(optarg, "user data file", &f->user_data, &ex->user_data);
			break;
		case OPT_PUBLIC_KEY:
			rc = bound_file(optarg, "public key file", &f->public_key, &ex->public_key);
			break;
		case OPT_SKIP_CHAIN:
			ex->skip_chain = 1;
			break;
		case OPT_SKIP_SIGNATURE:
			ex->skip_signature = 1;
			break;
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error(argv[0], "name the attestation document to verify");
	if (optind + 1 < argc)
		return cli_usage_error(argv[0], "unexpected argument '%s'; verify one document at "
				       "a time", argv[optind + 1]);
	return 0;
}

int cmd_attest(int argc, char **argv)
{
	struct eif_attest_expect expect = { 0 };
	struct attest_files files = { 0 };
	struct eif_attest_result *res = NULL;
	struct eif_error err;
	unsigned char *text = NULL, *raw = NULL;
	size_t text_len, raw_len;
	int rc = parse_options(argc, argv, &expect, &files);

	if (rc)
		goto out;
	const char *path = argv[optind];
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
