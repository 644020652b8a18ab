/* eif statement: the in-toto build statement of an EIF (library: statement.c). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include <eif/statement.h>

enum { OPT_SBOM = 1, OPT_LOCK, OPT_COMMIT, OPT_OUT };

static const struct cliopt statement_options[] = {
	{ "sbom", 0, "FILE", CLIOPT_REQUIRED, OPT_SBOM, "the build's SBOM (out/sbom.spdx.json)" },
	{ "lock", 0, "FILE", CLIOPT_REQUIRED | CLIOPT_REPEAT, OPT_LOCK,
	  "a lock file (repeatable; configs/sources.lock, configs/toolchain.lock)" },
	{ "commit", 0, "COMMIT", CLIOPT_REQUIRED, OPT_COMMIT,
	  "the source commit ('git describe --always --dirty')" },
	{ "output", 'o', "OUT", 0, OPT_OUT, "write OUT atomically instead of standard output" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_statement(int argc, char **argv);

const struct cliopt_command cmd_statement = {
	"eif", "statement", "EIF",
	"write the in-toto build statement of an EIF (PCRs, locks, SBOM)", statement_options,
	"The statement's subject is the EIF (sha256); its predicate (type\n"
	EIF_STATEMENT_PREDICATE_TYPE ") holds PCR0, PCR1, PCR2 (and PCR8\n"
	"when signed), the sha256 of each lock file and of the SBOM, and the source\n"
	"commit (git describe --always --dirty --abbrev=40). 'eif attest --statement'\n"
	"checks an attestation document against it. make writes out/statement.json.\n",
	run_statement,
};

static int run_statement(int argc, char **argv)
{
	struct eif_statement_input in = { 0 };
	struct eif_error err;
	const char *out_path = NULL;
	struct cliopt_parser p;
	char *text;
	int id;

	cliopt_start(&p, &cmd_statement, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_SBOM: in.sbom_path = p.value; break;
		case OPT_COMMIT: in.commit = p.value; break;
		case OPT_OUT: out_path = p.value; break;
		case OPT_LOCK:
			if (cli_add_lock(&p, in.lock_paths, &in.lock_count, EIF_STATEMENT_LOCKS_MAX))
				return EXIT_USAGE;
			break;
		case CLIOPT_OPERAND:
			if (cli_one_eif(&p, &in.eif_path))
				return EXIT_USAGE;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (!in.eif_path)
		return cli_usage_error(argv[0], "name one EIF");
	if (eif_statement_build(&in, &text, &err) != EIF_OK)
		return cli_error(&err);
	return cli_output_free(out_path, text);
}
