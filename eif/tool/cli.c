/* Helpers shared by the eif subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eif/sign.h>

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

int cli_help(const struct cliopt_command *command)
{
	cliopt_help(stdout, command);
	return cli_print("");
}

int cli_option_stop(const struct cliopt_parser *parser, int verdict)
{
	const char *name = parser->command->name;

	if (verdict == CLIOPT_HELP)
		return cli_help(parser->command);
	if (verdict == CLIOPT_OPERAND)
		return cli_usage_error(name, "unexpected argument '%s'", parser->value);
	return cli_usage_error(name, "%s", parser->error);
}

int cli_one_eif(const struct cliopt_parser *parser, const char **path)
{
	if (*path)
		return cli_usage_error(parser->command->name, "unexpected argument '%s'; one EIF at "
				       "a time", parser->value);
	*path = parser->value;
	return 0;
}

int cli_add_lock(const struct cliopt_parser *parser, const char **locks, size_t *count, size_t max)
{
	if (*count == max)
		return cli_usage_error(parser->command->name, "more than %zu --lock files", max);
	locks[(*count)++] = parser->value;
	return 0;
}

void cli_parts_option(int id, const char *value, struct eif_build_options *o,
		      const char **ramdisks)
{
	if (id == OPT_KERNEL) {
		o->kernel_path = value;
	} else if (id == OPT_CMDLINE) {
		o->cmdline = value;
		o->cmdline_len = strlen(value);
	} else if (id == OPT_RAMDISK) {
		ramdisks[o->ramdisk_count++] = value;
		o->ramdisk_paths = ramdisks;
	}
}

int cli_print(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "eif: cannot write to standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int cli_print_free(char *text, const char *what)
{
	int rc;

	if (!text) {
		fprintf(stderr, "eif: %s%sout of memory\n", what ? what : "", what ? ": " : "");
		return 1;
	}
	rc = cli_print(text);
	free(text);
	return rc;
}

int cli_output_free(const char *path, char *text)
{
	struct eif_error err;
	enum eif_status rc;

	if (!path || !text)
		return cli_print_free(text, NULL);
	rc = eif_write_file_atomic(path, text, strlen(text), &err);
	free(text);
	return rc != EIF_OK ? cli_error(&err) : 0;
}

int cli_default_build_time(const char *command, const char *hint, char out[32])
{
	uint32_t seconds;
	struct eif_error err;

	if (eif_source_date_epoch(&seconds, &err) != EIF_OK)
		return cli_usage_error(command, "%s%s", err.msg, hint ? hint : "");
	if (eif_rfc3339(seconds, out, &err) != EIF_OK)
		return cli_error(&err);
	return 0;
}

int cli_print_measurements(const struct eif_measurements *pcrs)
{
	return cli_print_free(eif_measurements_json(pcrs), NULL);
}

/* Certificates are small; a cap keeps a wrong path (a disk image, say) from filling memory. */
#define CERTIFICATE_FILE_MAX (1u << 20)

int cli_pcr8_of_certificate(const char *path, struct eif_measurements *pcrs)
{
	struct eif_error err;
	unsigned char *pem;
	size_t len;

	if (eif_read_small_file(path, "certificate", CERTIFICATE_FILE_MAX, &pem, &len, &err) !=
	    EIF_OK)
		return cli_error(&err);
	if (eif_cert_pcr8_from_pem(pem, len, pcrs->pcr8, &err) != EIF_OK) {
		free(pem);
		eif_error_prefix(&err, "certificate '%s'", path);
		return cli_error(&err);
	}
	free(pem);
	pcrs->has_pcr8 = 1;
	return 0;
}
