/* eif statement: the in-toto build statement of an EIF (library: statement.c). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "statement.h"
#include "util.h"

const char cmd_statement_usage[] =
	"usage: eif statement EIF --sbom FILE --lock FILE... --commit COMMIT [-o OUT]\n"
	"\n"
	"Write the build statement of EIF: an in-toto Statement v1 whose subject is the EIF\n"
	"(sha256) and whose predicate (type " EIF_STATEMENT_PREDICATE_TYPE ")\n"
	"holds its PCR0, PCR1, PCR2 (and PCR8 when signed), the sha256 of each lock file and\n"
	"of the SBOM, and the source commit. 'eif attest --statement' checks an enclave's\n"
	"attestation document against it. make writes out/statement.json.\n"
	"\n"
	"  --sbom FILE      the build's SBOM (out/sbom.spdx.json)\n"
	"  --lock FILE      a lock file (repeatable; configs/sources.lock)\n"
	"  --commit COMMIT  the source commit, as 'git describe --always --dirty --abbrev=40'\n"
	"  -o OUT           write OUT atomically instead of standard output\n";

int cmd_statement(int argc, char **argv)
{
	static const struct option options[] = {
		{ "sbom", required_argument, NULL, 's' },
		{ "lock", required_argument, NULL, 'l' },
		{ "commit", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct eif_statement_input in = { 0 };
	struct eif_outfile out;
	struct eif_error err;
	const char *out_path = NULL;
	char *text;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:", options, NULL)) != -1) {
		switch (c) {
		case 's': in.sbom_path = optarg; break;
		case 'c': in.commit = optarg; break;
		case 'o': out_path = optarg; break;
		case 'l':
			if (in.lock_count == EIF_STATEMENT_LOCKS_MAX)
				return cli_usage_error(argv[0], "more than %d --lock files",
						       EIF_STATEMENT_LOCKS_MAX);
			in.lock_paths[in.lock_count++] = optarg;
			break;
		case ':':
			return cli_usage_error(argv[0], "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(argv[0], "name one EIF");
	if (!in.sbom_path || !in.commit || in.lock_count == 0)
		return cli_usage_error(argv[0], "--sbom, --lock and --commit are required");
	in.eif_path = argv[optind];
	if (eif_statement_build(&in, &text, &err) != EIF_OK)
		return cli_error(&err);
	if (!out_path)
		return cli_print_free(text, NULL);
	if (eif_outfile_open(&out, out_path, &err) != EIF_OK ||
	    eif_outfile_write(&out, text, strlen(text), &err) != EIF_OK ||
	    eif_outfile_commit(&out, &err) != EIF_OK) {
		eif_outfile_abort(&out);
		free(text);
		return cli_error(&err);
	}
	free(text);
	return 0;
}
