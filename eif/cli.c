/* Helpers shared by the eif subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cli_error(const struct eif_error *err)
{
	fprintf(stderr, "eif: %s\n", err->msg);
	return 1;
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "eif %s: ", command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try 'eif %s --help'\n", command);
	return EXIT_USAGE;
}

int cli_print(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "eif: cannot write to standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
