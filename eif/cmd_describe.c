/* eif describe: nitro-cli describe-eif's output for an EIF file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const char cmd_describe_usage[] =
	"usage: eif describe FILE\n"
	"       eif describe --eif-path FILE\n"
	"\n"
	"Print the JSON nitro-cli describe-eif prints for FILE: EifVersion, Measurements\n"
	"(recomputed), IsSigned, SigningCertificate, CheckCRC, SignatureCheck, ImageName,\n"
	"ImageVersion and Metadata with the custom metadata's keys listed in it.\n"
	"Exits 1 if FILE is not a well-formed EIF, its signature does not verify under its\n"
	"certificate, or its metadata lacks a key; a CRC mismatch only shows as CheckCRC false.\n";

int cmd_describe(int argc, char **argv)
{
	struct eif_info info;
	struct eif_error err;
	const char *path = NULL;
	char *json;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--eif-path") == 0 && i + 1 < argc && !path)
			path = argv[++i];
		else if (strncmp(argv[i], "--eif-path=", 11) == 0 && !path)
			path = argv[i] + 11;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
		else if (!path)
			path = argv[i];
		else
			return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
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
