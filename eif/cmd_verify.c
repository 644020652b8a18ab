/* eif verify: structure, CRC and signature of an EIF, with one exit code per kind of failure. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include "sign.h"
#include "util.h"

/* Exit codes (above the common 0/1/2); documented in the usage text and eif(1). */
enum {
	EXIT_VERIFY_CORRUPT = 3,	/* structure, offsets/sizes or CRC wrong; section unparsable */
	EXIT_VERIFY_UNSIGNED = 4,	/* well formed, but no signature section */
	EXIT_VERIFY_BAD_SIGNATURE = 5,	/* signature invalid, or signs another PCR0 */
	EXIT_VERIFY_CERT_TIME = 6,	/* certificate expired or not yet valid */
	EXIT_VERIFY_OTHER_SIGNER = 7,	/* valid, but not by the --signing-certificate given */
};

const char cmd_verify_usage[] =
	"usage: eif verify FILE [--signing-certificate PEM] [--pcr8 HEX] [--time SECONDS]\n"
	"\n"
	"Check an EIF as the enclave loader would, and print one line with the result:\n"
	"the header and every section offset and size against the file, the CRC, then the\n"
	"signature: its COSE_Sign1 must verify under the embedded certificate's key and sign\n"
	"PCR0 recomputed from the file, and the certificate must be valid now.\n"
	"\n"
	"  --signing-certificate PEM  also require that this certificate signed the EIF\n"
	"  --pcr8 HEX                 also require this PCR8 (96 hex digits), the measurement\n"
	"                             of the signing certificate a KMS key policy pins\n"
	"  --time SECONDS             check the certificate's dates at this time (seconds\n"
	"                             since the epoch) instead of now\n"
	"\n"
	"Exit status:\n"
	"  0  valid: well formed and signed by a currently valid certificate\n"
	"  1  error (cannot read the file, out of memory)\n"
	"  2  usage error\n"
	"  3  corrupt: bad structure, offsets, sizes, CRC or signature section encoding\n"
	"  4  unsigned: well formed, but there is no signature section\n"
	"  5  bad signature: the signature does not verify, or signs another PCR0\n"
	"  6  certificate expired or not yet valid\n"
	"  7  signed, but not by the certificate given with --signing-certificate, or\n"
	"     with another PCR8 than --pcr8\n";

enum { OPT_CERT = 256, OPT_TIME, OPT_PCR8 };

static const struct option verify_options[] = {
	{ "signing-certificate", required_argument, NULL, OPT_CERT },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "pcr8", required_argument, NULL, OPT_PCR8 },
	{ NULL, 0, NULL, 0 },
};

static int result(int code, const char *path, const char *verdict, const char *detail)
{
	fprintf(code == 0 ? stdout : stderr, "eif verify: %s: %s%s%s\n", path, verdict,
		detail ? ": " : "", detail ? detail : "");
	return code == 0 ? cli_print("") : code;
}

/* "CN=eif-test, O=Example"-like text of the issuer, from its long attribute names. */
static void issuer_text(const struct eif_cert_info *info, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < info->issuer_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s=%s", i ? ", " : "",
					 info->issuer[i].name, info->issuer[i].value);
}

/* Compares the embedded certificate with the expected one by SHA-384 of their DER. */
static int check_signer(const char *path, const char *cert_path, const struct eif_cert_info *info)
{
	struct eif_error err;
	struct eif_cert_info expected;
	unsigned char *pem;
	size_t len;
	char detail[1200];

	if (eif_read_small_file(cert_path, "certificate", 1u << 20, &pem, &len, &err) != EIF_OK)
		return cli_error(&err);
	if (eif_cert_info_from_pem(pem, len, &expected, &err) != EIF_OK) {
		free(pem);
		eif_error_prefix(&err, "certificate '%s'", cert_path);
		return cli_error(&err);
	}
	free(pem);
	int same = memcmp(expected.fingerprint, info->fingerprint, EIF_PCR_SIZE) == 0;
	eif_cert_info_free(&expected);
	if (same)
		return 0;
	char issuer[512];
	issuer_text(info, issuer, sizeof(issuer));
	snprintf(detail, sizeof(detail), "the EIF is signed by a certificate issued by '%s', not "
		 "by '%s' (PCR8 differs)", issuer, cert_path);
	return result(EXIT_VERIFY_OTHER_SIGNER, path, "signed by another certificate", detail);
}

/* --pcr8: the measurement of the embedded certificate against the one given. */
static int check_pcr8(const char *path, const unsigned char want[EIF_PCR_SIZE],
		      const struct eif_cert_info *info)
{
	char detail[400], have[EIF_PCR_HEX_SIZE], expected[EIF_PCR_HEX_SIZE];

	if (memcmp(want, info->pcr8, EIF_PCR_SIZE) == 0)
		return 0;
	eif_hex(info->pcr8, EIF_PCR_SIZE, have);
	eif_hex(want, EIF_PCR_SIZE, expected);
	snprintf(detail, sizeof(detail), "PCR8 is %s, not %s; the EIF is signed with another "
		 "certificate", have, expected);
	return result(EXIT_VERIFY_OTHER_SIGNER, path, "signed by another certificate", detail);
}

int cmd_verify(int argc, char **argv)
{
	const char *cert_path = NULL, *path;
	unsigned char pcr8[EIF_PCR_SIZE];
	int want_pcr8 = 0;
	long long now = (long long)time(NULL);
	struct eif_info info;
	struct eif_cert_info cert;
	struct eif_error err;
	char detail[1600], hex[EIF_PCR_HEX_SIZE];
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", verify_options, NULL)) != -1) {
		switch (c) {
		case OPT_CERT: cert_path = optarg; break;
		case OPT_TIME: {
			char *end;
			errno = 0;
			now = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end)
				return cli_usage_error(argv[0], "--time '%s': give whole seconds "
						       "since the epoch, e.g. $(date +%%s)", optarg);
			break;
		}
		case OPT_PCR8:
			if (eif_unhex(optarg, pcr8, EIF_PCR_SIZE) != 0)
				return cli_usage_error(argv[0], "--pcr8 '%s': give the 96 hex digits "
						       "of PCR8 ('eif pcr --signing-certificate PEM')",
						       optarg);
			want_pcr8 = 1;
			break;
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(argv[0], "name the EIF to verify");
	if (optind + 1 < argc)
		return cli_usage_error(argv[0], "unexpected argument '%s'; verify one EIF at a "
				       "time", argv[optind + 1]);
	path = argv[optind];

	if (eif_read_file(path, &info, &err) != EIF_OK) {
		if (err.code == EIF_E_FORMAT || err.code == EIF_E_LIMIT)
			return result(EXIT_VERIFY_CORRUPT, path, "corrupt", err.msg);
		return cli_error(&err);
	}
	if (!info.crc_ok) {
		snprintf(detail, sizeof(detail), "CRC mismatch: header says 0x%08x, the file's "
			 "bytes give 0x%08x; the file was altered or damaged after it was built",
			 info.header.crc32, info.crc_computed);
		rc = result(EXIT_VERIFY_CORRUPT, path, "corrupt", detail);
		goto out;
	}
	switch (eif_signature_verify(info.signature, info.signature_len, info.pcrs.pcr0, &err)) {
	case EIF_SIGNATURE_VALID:
		break;
	case EIF_SIGNATURE_UNSIGNED:
		rc = result(EXIT_VERIFY_UNSIGNED, path, "unsigned",
			    "well formed, no signature section; sign it with 'eif sign'");
		goto out;
	case EIF_SIGNATURE_CORRUPT:
		rc = result(EXIT_VERIFY_CORRUPT, path, "corrupt", err.msg);
		goto out;
	case EIF_SIGNATURE_BAD:
	case EIF_SIGNATURE_WRONG_PCR0:
		rc = result(EXIT_VERIFY_BAD_SIGNATURE, path, "bad signature", err.msg);
		goto out;
	}
	if (eif_signature_cert_info(info.signature, info.signature_len, &cert, &err) != EIF_OK) {
		rc = result(EXIT_VERIFY_CORRUPT, path, "corrupt", err.msg);
		goto out;
	}
	if (cert_path && (rc = check_signer(path, cert_path, &cert)) != 0)
		goto out_cert;
	if (want_pcr8 && (rc = check_pcr8(path, pcr8, &cert)) != 0)
		goto out_cert;
	if (now < cert.not_before_unix || now > cert.not_after_unix) {
		snprintf(detail, sizeof(detail), "the signing certificate is %s (valid from %s to "
			 "%s); re-sign with a current certificate",
			 now < cert.not_before_unix ? "not yet valid" : "expired", cert.not_before,
			 cert.not_after);
		rc = result(EXIT_VERIFY_CERT_TIME, path, "certificate not valid", detail);
		goto out_cert;
	}
	char issuer[512];
	issuer_text(&cert, issuer, sizeof(issuer));
	eif_hex(info.pcrs.pcr0, EIF_PCR_SIZE, hex);
	snprintf(detail, sizeof(detail), "PCR0 %s signed by '%s', certificate valid until %s",
		 hex, issuer, cert.not_after);
	rc = result(0, path, "valid", detail);
out_cert:
	eif_cert_info_free(&cert);
out:
	eif_info_free(&info);
	return rc;
}
