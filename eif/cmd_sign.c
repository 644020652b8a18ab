/* eif sign: add or replace the signature section of an existing EIF. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "sign.h"

const char cmd_sign_usage[] =
	"usage: eif sign FILE --signing-certificate PEM --private-key PEM [--output OUT]\n"
	"\n"
	"Sign PCR0 of the EIF FILE (recomputed from its data) with an ECDSA COSE_Sign1, as\n"
	"nitro-cli sign-eif does, and store it with the certificate in the signature section:\n"
	"appended when FILE is unsigned, replacing the old one when it is signed. The header's\n"
	"section count, offsets, sizes and CRC are rewritten (nitro-cli leaves the size of a\n"
	"replaced signature stale). FILE is replaced atomically unless --output is given.\n"
	"Prints the new measurements as JSON, with PCR8.\n"
	"\n"
	"  --signing-certificate PEM  X.509 certificate (PEM, stored verbatim in the EIF)\n"
	"  --private-key PEM          its unencrypted EC private key; P-384 gives ES384 (the\n"
	"                             Nitro choice), P-256 and P-521 give ES256 and ES512\n"
	"  --output OUT               write the signed EIF to OUT and leave FILE alone\n"
	"\n"
	"Refuses an EIF whose structure or CRC is bad (rebuild it instead).\n"
	"Exit status: 0 signed, 1 error, 2 usage error.\n";

enum { OPT_CERT = 256, OPT_KEY, OPT_OUTPUT };

static const struct option sign_options[] = {
	{ "signing-certificate", required_argument, NULL, OPT_CERT },
	{ "private-key", required_argument, NULL, OPT_KEY },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ NULL, 0, NULL, 0 },
};

int cmd_sign(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *output = NULL;
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
	if (!cert || !key)
		return cli_usage_error(argv[0], "--signing-certificate PEM and --private-key PEM "
				       "are both required");
	if (eif_signer_load(&signer, cert, key, &err) != EIF_OK)
		return cli_error(&err);
	enum eif_status st = eif_sign_file(argv[optind], output, signer, &pcrs, &err);
	eif_signer_free(signer);
	if (st != EIF_OK)
		return cli_error(&err);
	return cli_print_measurements(&pcrs);
}
