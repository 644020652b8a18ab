/* nsm(1): talk to the Nitro Secure Module from inside an enclave. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct nsm tool_nsm;

static const struct cliopt_command *const commands[] = {
	&cmd_pcrs, &cmd_pcr, &cmd_extend, &cmd_lock, &cmd_random, &cmd_describe, &cmd_attest,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *f)
{
	fprintf(f, "usage: nsm COMMAND [ARGS...]\n"
		   "       nsm COMMAND --help | nsm --help\n\n"
		   "Query and use the Nitro Secure Module through %s.\n\nCommands:\n",
		NSM_DEVICE);
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nSee nsm(1) for details.\n");
}

int tool_open(void)
{
	const char *path = getenv("NSM_DEVICE");

	if (nsm_open(&tool_nsm, path && *path ? path : NULL) != NSM_SUCCESS) {
		fprintf(stderr, "nsm: %s\n", tool_nsm.error);
		return 1;
	}
	return 0;
}

int tool_fail(const char *what)
{
	fprintf(stderr, "nsm: %s: %s\n", what, tool_nsm.error);
	return 1;
}

int usage_error(const struct cliopt_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsm %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cliopt_usage(stderr, cmd);
	return 2;
}

int tool_option_stop(const struct cliopt_parser *parser, int verdict)
{
	if (verdict == CLIOPT_HELP) {
		cliopt_help(stdout, parser->command);
		return 0;
	}
	if (verdict == CLIOPT_OPERAND)
		return usage_error(parser->command, "unexpected argument '%s'", parser->value);
	return usage_error(parser->command, "%s", parser->error);
}

int tool_parse(const struct cliopt_command *cmd, int argc, char **argv, const char **operands,
	       int count, unsigned *flags)
{
	struct cliopt_parser p;
	int id, got = 0;

	cliopt_start(&p, cmd, argc, argv);
	while ((id = cliopt_next(&p)) != CLIOPT_DONE) {
		if (id == CLIOPT_OPERAND && got < count)
			operands[got] = p.value;
		if (id == CLIOPT_OPERAND)
			got++;
		else if (id >= 0 && flags)
			*flags |= 1u << id;
		else
			return tool_option_stop(&p, id);
	}
	if (got != count)
		return usage_error(cmd, "expected %d argument%s, got %d", count,
				   count == 1 ? "" : "s", got);
	return -1;
}

int tool_describe_nsm(const struct cliopt_command *cmd, int argc, char **argv,
		      struct nsm_description *d)
{
	int status = tool_parse(cmd, argc, argv, NULL, 0, NULL);

	if (status >= 0)
		return status;
	if (tool_open())
		return 1;
	if (nsm_describe_nsm(&tool_nsm, d) != NSM_SUCCESS)
		return tool_fail("DescribeNSM");
	return -1;
}

int parse_index(const struct cliopt_command *cmd, const char *s, uint16_t *index)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || errno || v > UINT16_MAX) {
		usage_error(cmd, "'%s' is not a PCR index (0..65535)", s);
		return 0;
	}
	*index = (uint16_t)v;
	return 1;
}

void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

int main(int argc, char **argv)
{
	tool_nsm.fd = -1;
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(argv[1], commands[i]->name) != 0)
			continue;
		int status = commands[i]->run(argc - 1, argv + 1);
		nsm_close(&tool_nsm);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "nsm: writing the output: %s\n", strerror(errno));
			return 1;
		}
		return status;
	}
	fprintf(stderr, "nsm: unknown command '%s'; run 'nsm --help' for the list\n", argv[1]);
	return 2;
}
