/* eif verify: structure, CRC and signature of an EIF, with one exit code per kind of failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "commands.h"
#include <eif/sign.h>

/* Exit codes (above the common 0/1/2); documented in the usage text and eif(1). */
enum {
	EXIT_VERIFY_CORRUPT = 3,	/* structure, offsets/sizes or CRC wrong; section unparsable */
	EXIT_VERIFY_UNSIGNED = 4,	/* well formed, but no signature section */
	EXIT_VERIFY_BAD_SIGNATURE = 5,	/* signature invalid, or signs another PCR0 */
	EXIT_VERIFY_CERT_TIME = 6,	/* certificate expired or not yet valid */
	EXIT_VERIFY_OTHER_SIGNER = 7,	/* valid, but not by the --signing-certificate given */
	EXIT_VERIFY_OLD_VERSION = 8,	/* well formed, but version 2 or 3 (no metadata) */
};

enum { OPT_CERT = 1, OPT_TIME, OPT_PCR8 };

static const struct cliopt verify_options[] = {
	{ "signing-certificate", 0, "PEM", 0, OPT_CERT,
	  "also require that this certificate signed the EIF" },
	{ "pcr8", 0, "HEX", 0, OPT_PCR8,
	  "also require this PCR8 (96 hex digits, as KMS pins it)" },
	{ "time", 0, "SECONDS", 0, OPT_TIME,
	  "check the certificate's dates at this time instead of now" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_verify(int argc, char **argv);

const struct cliopt_command cmd_verify = {
	"eif", "verify", "FILE", "check an EIF's structure, CRC and signature", verify_options,
	"Exit status:\n"
	"  0  valid: well formed and signed by a currently valid certificate\n"
	"  1  error (cannot read the file, out of memory)\n"
	"  2  usage error\n"
	"  3  corrupt: a bad header field, structure, offset, size, CRC or signature\n"
	"     encoding\n"
	"  4  unsigned: well formed, but there is no signature section\n"
	"  5  bad signature: the signature does not verify, or signs another PCR0\n"
	"  6  certificate expired or not yet valid\n"
	"  7  signed, but not by the certificate given with --signing-certificate, or\n"
	"     with another PCR8 than --pcr8\n"
	"  8  outdated: a version 2 or 3 image, which QEMU refuses; rebuild it\n",
	run_verify,
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

static int run_verify(int argc, char **argv)
{
	const char *cert_path = NULL, *path = NULL;
	unsigned char pcr8[EIF_PCR_SIZE];
	int want_pcr8 = 0;
	long long now = (long long)time(NULL);
	struct eif_info info;
	struct eif_cert_info cert;
	struct eif_error err;
	struct cliopt_parser p;
	char detail[1600], hex[EIF_PCR_HEX_SIZE];
	int id, rc;

	cliopt_start(&p, &cmd_verify, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_CERT: cert_path = p.value; break;
		case OPT_TIME: {
			char *end;
			errno = 0;
			now = strtoll(p.value, &end, 10);
			if (errno || end == p.value || *end)
				return cli_usage_error(argv[0], "--time '%s': give whole seconds "
						       "since the epoch, e.g. $(date +%%s)", p.value);
			break;
		}
		case OPT_PCR8:
			if (eif_unhex(p.value, pcr8, EIF_PCR_SIZE) != 0)
				return cli_usage_error(argv[0], "--pcr8 '%s': give the 96 hex digits "
						       "of PCR8 ('eif pcr --signing-certificate PEM')",
						       p.value);
			want_pcr8 = 1;
			break;
		case CLIOPT_OPERAND:
			if (cli_one_eif(&p, &path))
				return EXIT_USAGE;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (!path)
		return cli_usage_error(argv[0], "name the EIF to verify");

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
	/* The header is not measured: a field no AWS tool writes is what verify must catch. */
	if (eif_header_check(&info.header, &err) != EIF_OK) {
		rc = result(EXIT_VERIFY_CORRUPT, path, "corrupt", err.msg);
		goto out;
	}
	if (info.header.version < EIF_VERSION_CURRENT) {
		snprintf(detail, sizeof(detail), "header field version is %u: an image from before "
			 "nitro-cli 1.2.0, %s metadata section; QEMU refuses it and current AWS "
			 "tools write version %u; rebuild it", info.header.version,
			 info.metadata ? "with a" : "without a", EIF_VERSION_CURRENT);
		rc = result(EXIT_VERIFY_OLD_VERSION, path, "outdated", detail);
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
