/* eif sign: add or replace the signature section of an existing EIF. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include <eif/sign.h>

enum { OPT_CERT = 1, OPT_KEY, OPT_OUTPUT, OPT_MODULE, OPT_TBS_OUT, OPT_DIGEST_OUT, OPT_SIGNATURE,
       OPT_TBS };

static const struct cliopt sign_options[] = {
	{ "signing-certificate", 0, "PEM", CLIOPT_REQUIRED, OPT_CERT,
	  "X.509 certificate (PEM, stored verbatim in the EIF)" },
	{ "private-key", 0, "KEY", 0, OPT_KEY,
	  "its EC key: unencrypted PEM file or pkcs11:URI" },
	{ "pkcs11-module", 0, "SO", 0, OPT_MODULE, "the PKCS#11 module of a pkcs11: key" },
	{ "output", 0, "OUT", 0, OPT_OUTPUT, "write the signed EIF to OUT and leave FILE alone" },
	{ "tbs-out", 0, "TBS", 0, OPT_TBS_OUT,
	  "write the bytes to sign to TBS, a summary to TBS.json" },
	{ "digest-out", 0, "DIGEST", 0, OPT_DIGEST_OUT, "also write their SHA-384 to DIGEST" },
	{ "signature", 0, "SIG", 0, OPT_SIGNATURE,
	  "insert SIG, TBS signed elsewhere (DER or r || s)" },
	{ "tbs", 0, "TBS", 0, OPT_TBS, "the TBS of SIG: says why a SIG is refused" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_sign(int argc, char **argv);

const struct cliopt_command cmd_sign = {
	"eif", "sign", "FILE", "add or replace the signature section of an EIF", sign_options,
	"Give --signing-certificate and one of:\n"
	"  --private-key KEY [--pkcs11-module SO] [--output OUT]   sign here\n"
	"  --tbs-out TBS [--digest-out DIGEST]   export what to sign (KMS, offline HSM)\n"
	"  --signature SIG [--tbs TBS] [--output OUT]   insert a signature made elsewhere\n"
	"\n"
	"Signs PCR0 of FILE (recomputed from its data) with an ECDSA COSE_Sign1, as\n"
	"nitro-cli sign-eif does, replacing FILE atomically unless --output is given,\n"
	"and prints the new measurements. P-384 gives ES384 (the Nitro choice), P-256\n"
	"and P-521 give ES256 and ES512. A pkcs11: key's PIN may come from\n"
	"EIF_PKCS11_PIN. Refuses an EIF whose structure or CRC is bad (rebuild it\n"
	"instead). FILE is unchanged after any error.\n"
	"Exit status: 0 signed (or TBS written), 1 error, 2 usage error.\n",
	run_sign,
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

static int run_sign(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *output = NULL, *module = NULL, *path = NULL;
	const char *tbs_out = NULL, *digest_out = NULL, *signature = NULL, *tbs = NULL;
	struct eif_signer *signer;
	struct eif_measurements pcrs;
	struct eif_error err;
	struct cliopt_parser p;
	int id;

	cliopt_start(&p, &cmd_sign, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_CERT: cert = p.value; break;
		case OPT_KEY: key = p.value; break;
		case OPT_OUTPUT: output = p.value; break;
		case OPT_MODULE: module = p.value; break;
		case OPT_TBS_OUT: tbs_out = p.value; break;
		case OPT_DIGEST_OUT: digest_out = p.value; break;
		case OPT_SIGNATURE: signature = p.value; break;
		case OPT_TBS: tbs = p.value; break;
		case CLIOPT_OPERAND:
			if (cli_one_eif(&p, &path))
				return EXIT_USAGE;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (!path)
		return cli_usage_error(argv[0], "name the EIF to sign");
	if ((!key + !tbs_out + !signature) != 2)
		return cli_usage_error(argv[0], "one of --private-key, --tbs-out or --signature is "
				       "required");
	if ((digest_out && !tbs_out) || (tbs && !signature) || (module && !key) ||
	    (output && tbs_out))
		return cli_usage_error(argv[0], "--digest-out goes with --tbs-out, --tbs with "
				       "--signature, --pkcs11-module with --private-key, and "
				       "--output not with --tbs-out");
	if (eif_signer_open(&signer, cert, key, module, &err) != EIF_OK)
		return cli_error(&err);
	if (tbs_out) {
		int rc = export_tbs(path, signer, tbs_out, digest_out);
		eif_signer_free(signer);
		return rc;
	}
	enum eif_status st = EIF_OK;
	if (signature)
		st = eif_signer_load_signature(signer, signature, tbs, &err);
	if (st == EIF_OK)
		st = eif_sign_file(path, output, signer, &pcrs, &err);
	eif_signer_free(signer);
	if (st != EIF_OK)
		return cli_error(&err);
	return cli_print_measurements(&pcrs);
}
