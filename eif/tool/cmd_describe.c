/* eif describe: nitro-cli describe-eif's output for an EIF file. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"

enum { OPT_EIF_PATH = 1 };

static const struct cliopt describe_options[] = {
	{ "eif-path", 0, "FILE", 0, OPT_EIF_PATH, "the EIF, as nitro-cli describe-eif names it" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_describe(int argc, char **argv);

const struct cliopt_command cmd_describe = {
	"eif", "describe", "FILE", "print the nitro-cli describe-eif JSON of an EIF",
	describe_options,
	"Exits 1 if FILE is not a well-formed EIF, its signature does not verify under\n"
	"its certificate, or its metadata lacks a key; a CRC mismatch only shows as\n"
	"CheckCRC false.\n",
	run_describe,
};

static int run_describe(int argc, char **argv)
{
	struct eif_info info;
	struct eif_error err;
	struct cliopt_parser p;
	const char *path = NULL;
	char *json;
	int id;

	cliopt_start(&p, &cmd_describe, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		if (id != OPT_EIF_PATH && id != CLIOPT_OPERAND)
			return cli_option_stop(&p, id);
		if (cli_one_eif(&p, &path))
			return EXIT_USAGE;
	}
	if (!path)
		return cli_usage_error(argv[0], "no EIF file given");
	if (eif_read_file(path, &info, &err) != EIF_OK)
		return cli_error(&err);
	if (eif_describe(&info, &json, &err) != EIF_OK) {
		eif_info_free(&info);
		eif_error_prefix(&err, "'%s'", path);
		return cli_error(&err);
	}
	eif_info_free(&info);
	return cli_print_free(json, NULL);
}
