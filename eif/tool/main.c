/* eif: the enclave-kit EIF tool. Dispatches to one subcommand per eif/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

#ifndef EIF_TOOL_VERSION
#define EIF_TOOL_VERSION "unknown"
#endif

#define EIF_COMMAND_ENTRY(name) &cmd_##name,
static const struct cliopt_command *const commands[] = {
	EIF_COMMANDS(EIF_COMMAND_ENTRY)
	NULL,
};
#undef EIF_COMMAND_ENTRY

static void list_commands(FILE *out)
{
	fprintf(out, "usage: eif COMMAND [ARGS...]\n"
		     "       eif help [COMMAND] | eif COMMAND --help | eif --version\n\n"
		     "Build, inspect and measure AWS Nitro Enclave image files (EIF).\n\n"
		     "Commands:\n");
	for (const struct cliopt_command *const *c = commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\nSee eif(1) for details.\n");
}

static const struct cliopt_command *find_command(const char *name)
{
	for (const struct cliopt_command *const *c = commands; *c; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	fprintf(stderr, "eif: unknown command '%s'; 'eif help' lists them\n", name);
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cliopt_command *c;

	if (argc < 2) {
		list_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    (strcmp(argv[1], "help") == 0 && argc == 2)) {
		list_commands(stdout);
		return cli_print("");
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("eif %s\n", EIF_TOOL_VERSION);
		return cli_print("");
	}
	if (strcmp(argv[1], "help") == 0) {
		if (!(c = find_command(argv[2])))
			return EXIT_USAGE;
		return cli_help(c);
	}
	if (!(c = find_command(argv[1])))
		return EXIT_USAGE;
	/* Each command parses its own options with cliopt, which answers -h/--help only
	 * where an option may stand (never as an option's value). */
	return c->run(argc - 1, argv + 1);
}
