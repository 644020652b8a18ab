/* eif diff: what differs between two EIFs and which PCRs it moves. */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include <eif/diff.h>

enum { OPT_JSON = 1, OPT_CONFIG };

/* --config takes one file; given twice it names A's config, then B's (cliopt options take
 * one value each). */
static const struct cliopt diff_options[] = {
	{ "json", 0, NULL, 0, OPT_JSON, "one JSON object instead of text lines" },
	{ "config", 0, "FILE", CLIOPT_REPEAT, OPT_CONFIG,
	  "A's kernel config, then B's (give it twice)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_diff(int argc, char **argv);

const struct cliopt_command cmd_diff = {
	"eif", "diff", "A.eif B.eif", "name what differs between two EIFs and which PCRs it moves",
	diff_options,
	"Names every difference in the terms of the build: header fields, each section (same or\n"
	"different, size, sha256), ramdisk entries added, removed or changed (type, mode, owner,\n"
	"size, mtime, link target, content sha256 with the first differing byte, hard links),\n"
	"command-line words, metadata keys, and for the kernel its boot header fields, `Linux\n"
	"version` banner, first differing byte of the decompressed payload and the config\n"
	"options that differ (embedded IKCONFIG, or --config A.config --config B.config).\n"
	"Each difference names the PCRs it moves: kernel, cmdline and the first ramdisk move\n"
	"PCR0 and PCR1, later ramdisks PCR0 and PCR2, the signing certificate PCR8, the\n"
	"metadata none.\n"
	"\n"
	"Exit status: 0 identical (prints \"identical\"), 1 different, 2 unreadable input or\n"
	"usage error.\n",
	run_diff,
};

static int run_diff(int argc, char **argv)
{
	struct eif_diff_options options = { 0 };
	const char *paths[2] = { NULL, NULL }, *configs[2] = { NULL, NULL };
	struct cliopt_parser p;
	struct eif_diff diff;
	struct eif_error err;
	int json = 0, n = 0, configs_given = 0, id, rc;

	cliopt_start(&p, &cmd_diff, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_CONFIG:
			if (configs_given == 2)
				return cli_usage_error(argv[0], "--config given a third time ('%s'); "
						       "give it twice: A's config, then B's",
						       p.value);
			configs[configs_given++] = p.value;
			break;
		case CLIOPT_OPERAND:
			if (n == 2)
				return cli_usage_error(argv[0], "unexpected argument '%s'; give two "
						       "EIF files", p.value);
			paths[n++] = p.value;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (configs_given == 1)
		return cli_usage_error(argv[0], "--config needs two files: --config A.config "
				       "--config B.config");
	if (n != 2)
		return cli_usage_error(argv[0], "give two EIF files");
	options.config_a = configs[0];
	options.config_b = configs[1];
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
