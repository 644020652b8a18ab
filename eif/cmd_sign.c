/* eif sign: add or replace the signature section of an existing EIF. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "sign.h"
#include "util.h"

const char cmd_sign_usage[] =
	"usage: eif sign FILE --signing-certificate PEM --private-key PEM|pkcs11:URI\n"
	"                [--pkcs11-module SO] [--output OUT]\n"
	"       eif sign FILE --signing-certificate PEM --tbs-out TBS [--digest-out DIGEST]\n"
	"       eif sign FILE --signing-certificate PEM --signature SIG [--tbs TBS] [--output OUT]\n"
	"\n"
	"Sign PCR0 of the EIF FILE (recomputed from its data) with an ECDSA COSE_Sign1, as\n"
	"nitro-cli sign-eif does, and store it with the certificate in the signature section:\n"
	"appended when FILE is unsigned, replacing the old one when it is signed. The header's\n"
	"section count, offsets, sizes and CRC are rewritten (nitro-cli leaves the size of a\n"
	"replaced signature stale). FILE is replaced atomically unless --output is given.\n"
	"Prints the new measurements as JSON, with PCR8.\n"
	"\n"
	"  --signing-certificate PEM  X.509 certificate (PEM, stored verbatim in the EIF); it\n"
	"                             must be valid now\n"
	"  --private-key PEM          its unencrypted EC private key; P-384 gives ES384 (the\n"
	"                             Nitro choice), P-256 and P-521 give ES256 and ES512\n"
	"  --private-key pkcs11:URI   or its key on a PKCS#11 token (RFC 7512 URI, e.g.\n"
	"                             pkcs11:token=T;object=K?pin-source=file:PIN; the PIN may\n"
	"                             also come from EIF_PKCS11_PIN)\n"
	"  --pkcs11-module SO         the token's PKCS#11 module (default: the URI's\n"
	"                             module-path, else pkcs11-provider's (PKCS11_PROVIDER_MODULE,\n"
	"                             openssl.cnf pkcs11-module-path), else p11-kit-proxy.so)\n"
	"  --output OUT               write the signed EIF to OUT and leave FILE alone\n"
	"\n"
	"Detached signing (KMS, offline HSM): the key is used elsewhere.\n"
	"  --tbs-out TBS              write the bytes to sign (the COSE Sig_structure) to TBS and\n"
	"                             a summary with PCR0 to TBS.json; FILE is not changed\n"
	"  --digest-out DIGEST        also write their SHA-384, for signers that take a digest\n"
	"  --signature SIG            insert a signature of TBS made elsewhere: DER ECDSA (openssl\n"
	"                             dgst -sign, aws kms sign) or raw r || s; it must verify\n"
	"                             under the certificate for FILE's current PCR0\n"
	"  --tbs TBS                  the TBS the signature was made for: a refusal then says\n"
	"                             whether the image changed or the key was another\n"
	"\n"
	"Refuses an EIF whose structure or CRC is bad (rebuild it instead). FILE is unchanged\n"
	"after any error. Exit status: 0 signed (or TBS written), 1 error, 2 usage error.\n";

enum { OPT_CERT = 256, OPT_KEY, OPT_OUTPUT, OPT_MODULE, OPT_TBS_OUT, OPT_DIGEST_OUT, OPT_SIGNATURE,
       OPT_TBS };

static const struct option sign_options[] = {
	{ "signing-certificate", required_argument, NULL, OPT_CERT },
	{ "private-key", required_argument, NULL, OPT_KEY },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "pkcs11-module", required_argument, NULL, OPT_MODULE },
	{ "tbs-out", required_argument, NULL, OPT_TBS_OUT },
	{ "digest-out", required_argument, NULL, OPT_DIGEST_OUT },
	{ "signature", required_argument, NULL, OPT_SIGNATURE },
	{ "tbs", required_argument, NULL, OPT_TBS },
	{ NULL, 0, NULL, 0 },
};

/* --tbs-out: what the remote signer must sign, and the PCR0 it vouches for. */
static int export_tbs(const char *path, const struct eif_signer *signer, const char *tbs_out,
		      const char *digest_out)
{
	struct eif_tbs tbs;
	struct eif_error err;
	char pcr0[EIF_PCR_HEX_SIZE];

	if (eif_sign_export(path, signer, tbs_out, digest_out, &tbs, &err) != EIF_OK)
		return cli_error(&err);
	eif_hex(tbs.pcr0, EIF_PCR_SIZE, pcr0);
	fprintf(stderr, "eif sign: PCR0 %s\n"
		"eif sign: sign '%s' (%zu bytes) with the certificate's %s key (%s), e.g.\n"
		"  openssl dgst -%s -sign KEY -out SIG '%s'\n"
		"then: eif sign '%s' --signing-certificate CERT --signature SIG --tbs '%s'\n",
		pcr0, tbs_out, tbs.tbs_len, tbs.curve, tbs.algorithm, tbs.openssl_digest, tbs_out,
		path, tbs_out);
	eif_tbs_free(&tbs);
	return 0;
}

int cmd_sign(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *output = NULL, *module = NULL;
	const char *tbs_out = NULL, *digest_out = NULL, *signature = NULL, *tbs = NULL;
	struct eif_signer *signer;
	struct eif_measurements pcrs;
	struct eif_error err;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", sign_options, NULL)) != -1) {
		switch (c) {
		case OPT_CERT: cert = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_OUTPUT: output = optarg; break;
		case OPT_MODULE: module = optarg; break;
		case OPT_TBS_OUT: tbs_out = optarg; break;
		case OPT_DIGEST_OUT: digest_out = optarg; break;
		case OPT_SIGNATURE: signature = optarg; break;
		case OPT_TBS: tbs = optarg; break;
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(argv[0], "name the EIF to sign");
	if (optind + 1 < argc)
		return cli_usage_error(argv[0], "unexpected argument '%s'; sign one EIF at a time",
				       argv[optind + 1]);
	if (!cert || (!key + !tbs_out + !signature) != 2)
		return cli_usage_error(argv[0], "--signing-certificate PEM and one of --private-key, "
				       "--tbs-out or --signature are required");
	if ((digest_out && !tbs_out) || (tbs && !signature) || (module && !key) ||
	    (output && tbs_out))
		return cli_usage_error(argv[0], "--digest-out goes with --tbs-out, --tbs with "
				       "--signature, --pkcs11-module with --private-key, and "
				       "--output not with --tbs-out");
	if (eif_signer_open(&signer, cert, key, module, &err) != EIF_OK)
		return cli_error(&err);
	if (tbs_out) {
		int rc = export_tbs(argv[optind], signer, tbs_out, digest_out);
		eif_signer_free(signer);
		return rc;
	}
	enum eif_status st = EIF_OK;
	if (signature)
		st = eif_signer_load_signature(signer, signature, tbs, &err);
	if (st == EIF_OK)
		st = eif_sign_file(argv[optind], output, signer, &pcrs, &err);
	eif_signer_free(signer);
	if (st != EIF_OK)
		return cli_error(&err);
	return cli_print_measurements(&pcrs);
}
