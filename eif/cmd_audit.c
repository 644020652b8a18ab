/* eif audit: account for every byte of an EIF against the build's provenance manifest. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cli.h"
#include "commands.h"

enum { EXIT_AUDIT_CORRUPT = 3 };

const char cmd_audit_usage[] =
	"usage: eif audit FILE --provenance MANIFEST [--json]\n"
	"\n"
	"Account for every byte of an EIF: the header and its CRC, each section, the\n"
	"metadata JSON, the signature and its certificate, and every entry of every ramdisk\n"
	"(type, mode, owner, size, sha256 of the data or link target), each matched against\n"
	"MANIFEST, the provenance scripts/provenance writes for the build. One line per item:\n"
	"status, what, facts in [brackets], the build step and pinned input after '<-', and\n"
	"the sha256; then PCR0 and a summary line.\n"
	"Statuses: ok, unknown (no build step claims it), mismatch (differs from the\n"
	"manifest), missing (in the manifest, not in the EIF), corrupt (breaks the format).\n"
	"\n"
	"  --provenance MANIFEST  the manifest to check against (required)\n"
	"  --json                 print the report as JSON: file, size, result, PCRs, items\n"
	"                         (status, what, offset, length, step, input, sha256,\n"
	"                         detail), summary, in this key order\n"
	"\n"
	"Exit status:\n"
	"  0  every byte is accounted for\n"
	"  1  an item is unknown, mismatched or missing\n"
	"  2  usage error, or the manifest cannot be read or parsed\n"
	"  3  the EIF cannot be read, or it is corrupt or truncated\n";

/* The first problem in one line on stderr, so a failing build says why. */
static void explain(const struct eif_audit_report *report, const char *path, int code)
{
	const struct eif_audit_item *worst = eif_audit_first_problem(report);
	size_t problems = report->count - report->counts[EIF_AUDIT_OK];

	if (!worst)
		return;
	fprintf(stderr, "eif audit: '%s': %s: %s (%s)%s%s", path,
		code == EXIT_AUDIT_CORRUPT ? "corrupt" : "not accounted for", worst->what,
		eif_audit_status_name(worst->status), worst->detail ? ": " : "",
		worst->detail ? worst->detail : "");
	if (problems > 1)
		fprintf(stderr, " (and %zu more item%s)", problems - 1, problems > 2 ? "s" : "");
	fprintf(stderr, "\n");
}

static int print_report(const struct eif_audit_report *report, const char *path, int json)
{
	char *text = NULL;

	if (json) {
		struct json_value doc;

		memset(&doc, 0, sizeof(doc));
		if (eif_audit_report_json(report, path, &doc) == 0)
			text = eif_json_text(&doc);
		json_free(&doc);
	} else {
		text = eif_audit_report_text(report, path);
	}
	return cli_print_free(text, "audit");
}

int cmd_audit(int argc, char **argv)
{
	enum { OPT_PROVENANCE = 256, OPT_JSON };
	static const struct option longopts[] = {
		{ "provenance", required_argument, NULL, OPT_PROVENANCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 },
	};
	const char *manifest_path = NULL, *path;
	struct eif_provenance *manifest;
	struct eif_audit_report report;
	struct eif_error err;
	int json = 0, opt, code;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_PROVENANCE: manifest_path = optarg; break;
		case OPT_JSON: json = 1; break;
		case ':':
			return cli_usage_error("audit", "option '%s' needs an argument",
					       argv[optind - 1]);
		default:
			return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("audit", optind == argc ? "no EIF given" :
				       "one EIF at a time");
	path = argv[optind];
	if (!manifest_path)
		return cli_usage_error("audit", "--provenance MANIFEST is required (make writes "
				       "out/provenance)");
	if (eif_provenance_load(manifest_path, &manifest, &err) != EIF_OK) {
		fprintf(stderr, "eif: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (eif_audit(path, manifest, &report, &err) != EIF_OK) {
		fprintf(stderr, "eif: %s\n", err.msg);
		eif_audit_report_free(&report);
		eif_provenance_free(manifest);
		return EXIT_AUDIT_CORRUPT;
	}
	code = eif_audit_exit_code(&report);
	if (print_report(&report, path, json) != 0)
		code = code ? code : 1;
	explain(&report, path, code);
	eif_audit_report_free(&report);
	eif_provenance_free(manifest);
	return code;
}
