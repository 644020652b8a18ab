/* cliopt: one option table and one parser for the enclave-kit command-line tools (eif, nsm).
 *
 * Each subcommand declares a struct cliopt_command: its name, operands, summary, a table of
 * options and its run function. cliopt_next() walks argv against that table and hands back one
 * option, operand or verdict at a time; cliopt_help() prints the --help text made from the same
 * table, so the parser and the synopsis cannot disagree. The man page holds the details.
 *
 * Accepted: --name VALUE, --name=VALUE, -x VALUE, -xVALUE, clusters of flags (-ab), operands
 * anywhere (an argument "-" or "-" followed by a digit is an operand), "--" ends the options.
 * -h and --help mean help only where an option may stand, never as an option's value.
 * Builds with glibc (eif) and static musl (nsm): plain C11, stdio only. It never exits. */
#ifndef CLIOPT_H
#define CLIOPT_H

#include <stdio.h>

enum {
	CLIOPT_REQUIRED = 1 << 0,	/* cliopt_next() refuses to finish without it */
	CLIOPT_REPEAT = 1 << 1,		/* may be given more than once */
	CLIOPT_HIDDEN = 1 << 2,		/* accepted, not listed by --help (compatibility spellings) */
};

struct cliopt {
	const char *name;	/* long name without "--"; NULL ends the table */
	char letter;		/* short option letter, 0 for none */
	const char *value;	/* value name ("FILE") when the option takes a value, else NULL */
	int flags;		/* CLIOPT_* */
	int id;			/* what cliopt_next() returns for it; must be >= 0 */
	const char *help;	/* one line for --help */
};

struct cliopt_command {
	const char *tool;	/* "eif", "nsm" */
	const char *name;	/* subcommand */
	const char *operands;	/* operand synopsis ("FILE", "N DATA"), "" for none */
	const char *summary;	/* one line, lower case, no final period */
	const struct cliopt *options;	/* table ended by a NULL name; NULL for no options */
	const char *notes;	/* --help text after the option list, or NULL */
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand's name */
};

/* What cliopt_next() returns besides an option's id. */
enum {
	CLIOPT_DONE = -1,	/* argv is used up and every required option was given */
	CLIOPT_OPERAND = -2,	/* an operand: parser->value */
	CLIOPT_HELP = -3,	/* -h or --help where an option may stand */
	CLIOPT_ERROR = -4,	/* usage error: parser->error says what */
};

struct cliopt_parser {
	const struct cliopt_command *command;
	int argc;
	char **argv;
	int next;			/* argv index of the next argument to look at */
	const char *cluster;		/* the rest of a short-option cluster, or NULL */
	int operands_only;		/* "--" was seen */
	unsigned long long seen;	/* bit i: options[i] was given (first 64 entries) */
	const struct cliopt *option;	/* the option just returned */
	const char *value;		/* its value, or the operand */
	char error[256];
};

/* Starts parsing argv[1..argc-1] (argv[0] is the subcommand's name) against command. */
void cliopt_start(struct cliopt_parser *p, const struct cliopt_command *command, int argc,
		  char **argv);
/* The next option's id, or CLIOPT_OPERAND / CLIOPT_DONE / CLIOPT_HELP / CLIOPT_ERROR. */
int cliopt_next(struct cliopt_parser *p);
/* How the user spells an option in a message: "--name VALUE" or "--name". */
void cliopt_spelling(const struct cliopt *option, int with_value, char *out, size_t size);
/* The --help text: usage line made from the table, summary, option list, notes, man page. */
int cliopt_help(FILE *out, const struct cliopt_command *command);
/* The usage line alone ("usage: TOOL NAME ..."), wrapped at 80 columns. */
int cliopt_usage(FILE *out, const struct cliopt_command *command);

#endif
