/* Helpers shared by the eif subcommands (CLI side only: these print). */
#ifndef EIF_CLI_H
#define EIF_CLI_H

#include "eif.h"

/* Exit codes common to all subcommands (verify adds its own above these). */
enum { EXIT_USAGE = 2 };

/* Print "eif: <message>" for a library error and return 1. */
int cli_error(const struct eif_error *err);
/* Print "eif NAME: <formatted text>" plus "try 'eif NAME --help'" and return EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write a whole string to stdout; on failure print why and return 1, else 0. */
int cli_print(const char *text);

#endif
