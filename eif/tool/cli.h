/* Helpers shared by the eif subcommands (CLI side only: these print). */
#ifndef EIF_CLI_H
#define EIF_CLI_H

#include "cliopt.h"
#include <eif/eif.h>

/* Exit codes common to all subcommands (verify adds its own above these). */
enum { EXIT_USAGE = 2 };

/* Print "eif: <message>" for a library error and return 1. */
int cli_error(const struct eif_error *err);
/* Print "eif NAME: <formatted text>" plus "try 'eif NAME --help'" and return EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write a whole string to stdout; on failure print why and return 1, else 0. */
int cli_print(const char *text);
/* cli_print a malloc'd text, then free it; NULL (it could not be made) prints
 * "eif: [WHAT: ]out of memory" and returns 1. WHAT may be NULL. */
int cli_print_free(char *text, const char *what);
/* A malloc'd text to standard output (path NULL) or atomically to path; frees it and returns
 * the exit code (errors printed). */
int cli_output_free(const char *path, char *text);
/* The default build time: SOURCE_DATE_EPOCH (eif_source_date_epoch's rule), else the epoch,
 * as RFC 3339 into out; 0, or the exit code of a usage error (hint appended to its message). */
int cli_default_build_time(const char *command, const char *hint, char out[32]);
/* Print measurements as eif_build does (pretty JSON); returns the exit code. */
int cli_print_measurements(const struct eif_measurements *pcrs);
/* Read a PEM certificate file and set pcrs->pcr8 / has_pcr8; prints errors, returns 0 or 1. */
int cli_pcr8_of_certificate(const char *path, struct eif_measurements *pcrs);
/* `eif NAME --help`: the text cliopt makes from the command's table, on stdout; returns 0/1. */
int cli_help(const struct cliopt_command *command);
/* What a command's option loop does with any cliopt_next() verdict it does not handle
 * itself: help (exit 0), a usage error (exit 2) or an operand it takes none of (exit 2). */
int cli_option_stop(const struct cliopt_parser *parser, int verdict);
/* For commands that take one EIF: stores the operand parser->value in *path; a second
 * operand is a usage error (returns EXIT_USAGE), else 0. */
int cli_one_eif(const struct cliopt_parser *parser, const char **path);
/* For --lock FILE, repeatable: appends parser->value to locks[*count]; more than max is a
 * usage error (returns EXIT_USAGE), else 0. */
int cli_add_lock(const struct cliopt_parser *parser, const char **locks, size_t *count, size_t max);

/* The options eif build and eif pcr share: ids and table rows. */
enum { OPT_KERNEL = 1, OPT_CMDLINE, OPT_RAMDISK, OPT_SIGNING_CERTIFICATE };
#define CLI_PARTS_OPTIONS(required)                                                         \
	{ "kernel", 0, "FILE", (required), OPT_KERNEL,                                     \
	  "bzImage (x86_64) or Image (aarch64)" },                                          \
	{ "cmdline", 0, "TEXT", (required), OPT_CMDLINE,                                   \
	  "kernel command line, stored verbatim" },                                         \
	{ "ramdisk", 0, "FILE", (required) | CLIOPT_REPEAT, OPT_RAMDISK,                  \
	  "cpio ramdisk; repeat for more, in boot order" }
/* Stores a shared parts option (kernel, cmdline, ramdisk) in o; ramdisks is argv-sized. */
void cli_parts_option(int id, const char *value, struct eif_build_options *o,
		      const char **ramdisks);

#endif
