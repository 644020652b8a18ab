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
/* cli_print a malloc'd text, then free it; NULL (it could not be made) prints
 * "eif: [WHAT: ]out of memory" and returns 1. WHAT may be NULL. */
int cli_print_free(char *text, const char *what);
/* Print measurements as eif_build does (pretty JSON); returns the exit code. */
int cli_print_measurements(const struct eif_measurements *pcrs);
/* Read a PEM certificate file and set pcrs->pcr8 / has_pcr8; prints errors, returns 0 or 1. */
int cli_pcr8_of_certificate(const char *path, struct eif_measurements *pcrs);
/* BuildTime from SOURCE_DATE_EPOCH (else 0) as RFC 3339; returns 0 or the exit code. */
int cli_default_build_time(const char *command, char out[32]);
/* eif pcr --kernel ... --cmdline ... --ramdisk ...: measurements of unbuilt parts. */
int cli_pcr_from_parts(int argc, char **argv);

#endif
