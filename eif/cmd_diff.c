/* eif diff: what differs between two EIFs and which PCRs it moves. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "diff.h"

const char cmd_diff_usage[] =
	"usage: eif diff [--json] [--config A.config B.config] A.eif B.eif\n"
	"\n"
	"Compare two EIFs and name every difference in the terms of the build: header fields,\n"
	"each section (same or different, size, sha256), ramdisk entries added, removed or\n"
	"changed (type, mode, owner, size, mtime, link target, content sha256 with the first\n"
	"differing byte, hard links), command-line words, metadata keys, and for the kernel its\n"
	"boot header fields, `Linux version` banner, first differing byte of the decompressed\n"
	"payload and the config options that differ (embedded IKCONFIG, or --config files).\n"
	"Each difference names the PCRs it moves: kernel, cmdline and the first ramdisk move\n"
	"PCR0 and PCR1, later ramdisks PCR0 and PCR2, the signing certificate PCR8, the\n"
	"metadata none.\n"
	"\n"
	"  --json                       one JSON object instead of text lines\n"
	"  --config A.config B.config   kernel configs to compare when the kernels differ\n"
	"\n"
	"Exit status: 0 identical (prints \"identical\"), 1 different, 2 unreadable input or\n"
	"usage error.\n";

int cmd_diff(int argc, char **argv)
{
	struct eif_diff_options options = { 0 };
	const char *paths[2] = { NULL, NULL };
	struct eif_diff diff;
	struct eif_error err;
	int json = 0, n = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--config") == 0) {
			if (i + 2 >= argc)
				return cli_usage_error(argv[0], "--config needs two files");
			options.config_a = argv[++i];
			options.config_b = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return cli_usage_error(argv[0], "unknown option '%s'", argv[i]);
		} else if (n == 2) {
			return cli_usage_error(argv[0], "unexpected argument '%s'", argv[i]);
		} else {
			paths[n++] = argv[i];
		}
	}
	if (n != 2)
		return cli_usage_error(argv[0], "give two EIF files");
	if (eif_diff_files(paths[0], paths[1], &options, &diff, &err) != EIF_OK) {
		cli_error(&err);
		return EXIT_USAGE;
	}
	rc = cli_print_free(json ? eif_diff_json(&diff) : eif_diff_text(&diff), NULL);
	if (rc == 0)
		rc = eif_diff_identical(&diff) ? 0 : 1;
	else
		rc = EXIT_USAGE;
	eif_diff_free(&diff);
	return rc;
}
