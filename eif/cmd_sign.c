/* eif sign: add or replace the signature section of an existing EIF. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "sign.h"

enum { OPT_CERT = 1, OPT_KEY, OPT_OUTPUT };

static const struct cliopt sign_options[] = {
	{ "signing-certificate", 0, "PEM", CLIOPT_REQUIRED, OPT_CERT,
	  "X.509 certificate (PEM, stored verbatim in the EIF)" },
	{ "private-key", 0, "PEM", CLIOPT_REQUIRED, OPT_KEY,
	  "its unencrypted EC private key (P-384 gives ES384)" },
	{ "output", 0, "OUT", 0, OPT_OUTPUT, "write the signed EIF to OUT and leave FILE alone" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_sign(int argc, char **argv);

const struct cliopt_command cmd_sign = {
	"eif", "sign", "FILE", "add or replace the signature section of an EIF", sign_options,
	"Signs PCR0 of FILE (recomputed from its data) with an ECDSA COSE_Sign1, as\n"
	"nitro-cli sign-eif does, replacing FILE atomically unless --output is given,\n"
	"and prints the new measurements. Refuses an EIF whose structure or CRC is bad\n"
	"(rebuild it instead).\n"
	"Exit status: 0 signed, 1 error, 2 usage error.\n",
	run_sign,
};

static int run_sign(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *output = NULL, *path = NULL;
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
	if (eif_signer_load(&signer, cert, key, &err) != EIF_OK)
		return cli_error(&err);
	enum eif_status st = eif_sign_file(path, output, signer, &pcrs, &err);
	eif_signer_free(signer);
	if (st != EIF_OK)
		return cli_error(&err);
	return cli_print_measurements(&pcrs);
}
