/* eif audit: account for every byte of an EIF against the build's provenance manifest. */
#include <stdio.h>
#include <string.h>

#include <eif/audit.h>
#include "cli.h"
#include "commands.h"

enum { EXIT_AUDIT_CORRUPT = 3 };

enum { OPT_PROVENANCE = 1, OPT_JSON };

static const struct cliopt audit_options[] = {
	{ "provenance", 0, "MANIFEST", CLIOPT_REQUIRED, OPT_PROVENANCE,
	  "the manifest to check (make writes out/provenance)" },
	{ "json", 0, NULL, 0, OPT_JSON, "print the report as JSON" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_audit(int argc, char **argv);

const struct cliopt_command cmd_audit = {
	"eif", "audit", "FILE", "account for every byte of an EIF against the build's provenance",
	audit_options,
	"One line per item: status (ok, unknown, mismatch, missing, corrupt), what,\n"
	"facts, the build step and pinned input, the sha256; then PCR0 and a summary.\n"
	"\n"
	"Exit status:\n"
	"  0  every byte is accounted for\n"
	"  1  an item is unknown, mismatched or missing\n"
	"  2  usage error, or the manifest cannot be read or parsed\n"
	"  3  the EIF cannot be read, or it is corrupt or truncated\n",
	run_audit,
};

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

	text = json ? eif_audit_report_json(report, path) : eif_audit_report_text(report, path);
	return cli_print_free(text, "audit");
}

static int run_audit(int argc, char **argv)
{
	const char *manifest_path = NULL, *path = NULL;
	struct eif_provenance *manifest;
	struct eif_audit_report report;
	struct eif_error err;
	struct cliopt_parser p;
	int json = 0, id, code;

	cliopt_start(&p, &cmd_audit, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		switch (id) {
		case OPT_PROVENANCE: manifest_path = p.value; break;
		case OPT_JSON: json = 1; break;
		case CLIOPT_OPERAND:
			if (cli_one_eif(&p, &path))
				return EXIT_USAGE;
			break;
		default:
			return cli_option_stop(&p, id);
		}
	}
	if (!path)
		return cli_usage_error("audit", "no EIF given");
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
