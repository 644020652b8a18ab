/* eif pcr: measurements of an EIF, of one file, of a certificate, or of unbuilt parts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const char cmd_pcr_usage[] =
	"usage: eif pcr FILE\n"
	"       eif pcr --input FILE\n"
	"       eif pcr --signing-certificate PEM\n"
	"       eif pcr --kernel FILE --cmdline TEXT --ramdisk FILE [--ramdisk FILE]...\n"
	"               [--signing-certificate PEM]\n"
	"\n"
	"FILE: print the measurements of an EIF (HashAlgorithm, PCR0, PCR1, PCR2, PCR8 when\n"
	"signed), recomputed from its sections.\n"
	"--input FILE: print {\"PCR\": SHA-384(48 zero bytes || SHA-384(FILE))}, as nitro-cli pcr\n"
	"does; for an application ramdisk this is PCR2 of a two-ramdisk EIF.\n"
	"--signing-certificate PEM alone: print {\"PCR8\": ...}, the PCR8 an EIF signed with that\n"
	"certificate has.\n"
	"--kernel/--cmdline/--ramdisk: print the measurements eif build would print for these\n"
	"parts (and PCR8 for the certificate) without writing an EIF.\n";

static int print_single(const char *key, const unsigned char pcr[EIF_PCR_SIZE])
{
	char hex[EIF_PCR_HEX_SIZE], text[EIF_PCR_HEX_SIZE + 32];

	eif_hex(pcr, EIF_PCR_SIZE, hex);
	snprintf(text, sizeof(text), "{\n  \"%s\": \"%s\"\n}\n", key, hex);
	return cli_print(text);
}

int cmd_pcr(int argc, char **argv)
{
	const char *input = NULL, *cert = NULL, *file = NULL;
	int parts = 0;
	struct eif_error err;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--kernel") == 0 || strcmp(a, "--cmdline") == 0 ||
		    strcmp(a, "--ramdisk") == 0 || strncmp(a, "--kernel=", 9) == 0 ||
		    strncmp(a, "--cmdline=", 10) == 0 || strncmp(a, "--ramdisk=", 10) == 0)
			parts = 1;
	}
	if (parts)
		return cli_pcr_from_parts(argc, argv);
	for (int i = 1; i < argc; i++) {
		const char **slot = NULL;
		if (strcmp(argv[i], "--input") == 0)
			slot = &input;
		else if (strcmp(argv[i], "--signing-certificate") == 0)
			slot = &cert;
		if (slot) {
			if (i + 1 >= argc)
				return cli_usage_error(argv[0], "option '%s' needs a value", argv[i]);
			*slot = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
		} else if (!file) {
			file = argv[i];
		} else {
			return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
		}
	}
	if (!!input + !!cert + !!file != 1)
		return cli_usage_error(argv[0], "give exactly one of FILE, --input FILE, "
				       "--signing-certificate PEM or the --kernel/--cmdline/--ramdisk "
				       "parts");
	if (input) {
		unsigned char pcr[EIF_PCR_SIZE];
		if (eif_pcr_of_file(input, pcr, &err) != EIF_OK)
			return cli_error(&err);
		return print_single("PCR", pcr);
	}
	if (cert) {
		struct eif_measurements pcrs = { 0 };
		if (cli_pcr8_of_certificate(cert, &pcrs) != 0)
			return 1;
		return print_single("PCR8", pcrs.pcr8);
	}
	struct eif_info info;
	if (eif_read_file(file, &info, &err) != EIF_OK)
		return cli_error(&err);
	if (info.signature && info.signature_corrupt) {
		fprintf(stderr, "eif: '%s': signature section: %s\n", file, info.signature_error);
		eif_info_free(&info);
		return 1;
	}
	eif_info_free(&info);
	return cli_print_measurements(&info.pcrs);
}
