/* eif: the enclave-kit EIF tool. Dispatches to one subcommand per eif/cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"

#ifndef EIF_TOOL_VERSION
#define EIF_TOOL_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

#define EIF_COMMAND_ENTRY(name, summary) { #name, cmd_##name, cmd_##name##_usage, summary },
static const struct command commands[] = {
	EIF_COMMANDS(EIF_COMMAND_ENTRY)
	{ NULL, NULL, NULL, NULL },
};
#undef EIF_COMMAND_ENTRY

static void list_commands(FILE *out)
{
	fprintf(out, "usage: eif COMMAND [ARGS...]\n"
		     "       eif help [COMMAND] | eif COMMAND --help | eif --version\n\n"
		     "Build, inspect and measure AWS Nitro Enclave image files (EIF).\n\n"
		     "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\nSee eif(1) for details.\n");
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* `eif CMD --help` / `-h` anywhere before a `--` shows CMD's help instead of running it. */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

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
		c = find_command(argv[2]);
		if (!c) {
			fprintf(stderr, "eif: unknown command '%s'; 'eif help' lists them\n", argv[2]);
			return EXIT_USAGE;
		}
		return cli_print(c->usage);
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "eif: unknown command '%s'; 'eif help' lists them\n", argv[1]);
		return EXIT_USAGE;
	}
	if (wants_help(argc - 1, argv + 1))
		return cli_print(c->usage);
	return c->run(argc - 1, argv + 1);
}
