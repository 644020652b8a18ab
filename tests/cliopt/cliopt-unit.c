/* common/cliopt: every spelling the parser accepts and every usage error it reports, on
 * argument vectors built here (tests/eif-cliopt-unit.t runs it). */
#include <stdlib.h>

#include "cliopt.h"
#pragma GCC diagnostic ignored "-Wunused-function" /* tap.h's byte helpers are not needed here */
#include "tap.h"

enum { OPT_FILE, OPT_FLAG, OPT_OUT, OPT_REQ, OPT_OLD };

static const struct cliopt options[] = {
	{ "file", 0, "FILE", CLIOPT_REPEAT, OPT_FILE, "a file" },
	{ "flag", 'f', NULL, 0, OPT_FLAG, "a flag" },
	{ "out", 'o', "OUT", 0, OPT_OUT, "the output" },
	{ "req", 0, "R", CLIOPT_REQUIRED, OPT_REQ, "required" },
	{ "old", 0, "X", CLIOPT_HIDDEN, OPT_OLD, "hidden" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct cliopt_command command = {
	"tool", "cmd", "OPERAND", "a test command", options, "Notes.\n", NULL,
};

/* Parses the words of spec (space-separated; "_" stands for an empty word) with "cmd" in
 * front and "--req r" appended unless spec mentions --req, and prints each verdict as
 * id=value, "op=value", "help" or "error:message", joined by '|'. */
static const char *parse(const char *spec)
{
	static char out[1024], words[512];
	char *argv[32];
	int argc = 0;
	struct cliopt_parser p;

	snprintf(words, sizeof(words), "%s%s", spec, strstr(spec, "--req") ? "" : " --req r");
	argv[argc++] = "cmd";
	for (char *w = strtok(words, " "); w && argc < 31; w = strtok(NULL, " "))
		argv[argc++] = strcmp(w, "_") == 0 ? "" : w;
	argv[argc] = NULL;
	out[0] = '\0';
	cliopt_start(&p, &command, argc, argv);
	for (;;) {
		int id = cliopt_next(&p);
		size_t n = strlen(out);

		if (id == CLIOPT_DONE)
			break;
		if (id == CLIOPT_HELP)
			snprintf(out + n, sizeof(out) - n, "%shelp", n ? "|" : "");
		else if (id == CLIOPT_ERROR)
			snprintf(out + n, sizeof(out) - n, "%serror:%s", n ? "|" : "", p.error);
		else if (id == CLIOPT_OPERAND)
			snprintf(out + n, sizeof(out) - n, "%sop=%s", n ? "|" : "", p.value);
		else
			snprintf(out + n, sizeof(out) - n, "%s%d=%s", n ? "|" : "", id,
				 p.value ? p.value : "(none)");
		if (id == CLIOPT_HELP || id == CLIOPT_ERROR)
			break;
	}
	return out;
}

static void is_parse(const char *spec, const char *want)
{
	const char *got = parse(spec);
	char what[256];

	snprintf(what, sizeof(what), "cmd %s -> %s", spec, want);
	ok(strcmp(got, want) == 0, what);
	if (strcmp(got, want) != 0)
		printf("# expected: %s\n#   actual: %s\n", want, got);
}

int main(void)
{
	/* values: separate, attached with =, short separate, short attached, empty */
	is_parse("--file a", "0=a|3=r");
	is_parse("--file=a=b", "0=a=b|3=r");
	is_parse("-o x", "2=x|3=r");
	is_parse("-ox", "2=x|3=r");
	is_parse("--file=", "0=|3=r");
	is_parse("--file _", "0=|3=r");
	/* a value is whatever comes next, help and dashes included */
	is_parse("--file -h", "0=-h|3=r");
	is_parse("--file --help", "0=--help|3=r");
	is_parse("-o -h", "2=-h|3=r");
	is_parse("--file=-h", "0=-h|3=r");
	/* clusters: flags, then a value option that takes the rest or the next word */
	is_parse("-ff", "1=(none)|1=(none)|3=r");
	is_parse("-fox", "1=(none)|2=x|3=r");
	is_parse("-fo x", "1=(none)|2=x|3=r");
	/* operands anywhere; "-", "-1" and everything after "--" are operands */
	is_parse("a --file b c", "op=a|0=b|op=c|3=r");
	is_parse("- -1", "op=-|op=-1|3=r");
	is_parse("-- -h --file", "op=-h|op=--file|op=--req|op=r|error:--req R is required");
	/* help only where an option may stand */
	is_parse("-h", "help");
	is_parse("--help", "help");
	is_parse("a -fh", "op=a|1=(none)|help");
	is_parse("--help=1", "error:option '--help' takes no value");
	/* usage errors */
	is_parse("--req r --file", "3=r|error:option '--file' needs a value");
	is_parse("--req r -o", "3=r|error:option '-o' needs a value");
	is_parse("--req r -fo", "3=r|1=(none)|error:option '-o' needs a value");
	is_parse("--nope=3", "error:unknown option '--nope'");
	is_parse("--fil a", "error:unknown option '--fil'");
	is_parse("-z", "error:unknown option '-z'");
	is_parse("--flag=1", "error:option '--flag' takes no value");
	is_parse("--req", "error:option '--req' needs a value");
	is_parse("--file a --req", "0=a|error:option '--req' needs a value");
	is_parse("--flag --req=", "1=(none)|3=");
	/* hidden options parse */
	is_parse("--old x", "4=x|3=r");

	/* --help text: usage line from the table (required first, hidden left out) */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	is_int(cliopt_help(f, &command), 0, "cliopt_help reports success");
	fclose(f);
	ok(strncmp(text, "usage: tool cmd OPERAND --req R [--file FILE]... [-f] [-o OUT]\n", 63) == 0,
	   "help starts with the usage line made from the table");
	ok(strstr(text, "\nA test command.\n") != NULL, "help has the summary as a sentence");
	ok(strstr(text, "  -o, --out OUT") && strstr(text, "      --file FILE") &&
	   strstr(text, "  -h, --help"), "help lists the options, short letters first");
	ok(strstr(text, "--old") == NULL, "help leaves hidden options out");
	ok(strstr(text, "\nNotes.\n\nSee tool(1) for details.\n") != NULL,
	   "help ends with the notes and the man page");
	if (!strstr(text, "usage: tool cmd OPERAND --req R"))
		printf("# help:\n%s", text);
	free(text);
	return done();
}
