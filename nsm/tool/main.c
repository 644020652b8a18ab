/* nsm(1): talk to the Nitro Secure Module from inside an enclave. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct nsm tool_nsm;

static const struct command *const commands[] = {
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

static void print_command_usage(FILE *f, const struct command *cmd)
{
	fprintf(f, "usage: nsm %s%s%s\n", cmd->name, *cmd->synopsis ? " " : "", cmd->synopsis);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsm %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_command_usage(stderr, cmd);
	return 2;
}

int wants_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_command_usage(stdout, cmd);
			printf("\n%c%s.\nSee nsm(1) for details.\n", toupper((unsigned char)cmd->summary[0]),
			       cmd->summary + 1);
			return 1;
		}
	}
	return 0;
}

int expect_operands(const struct command *cmd, int argc, int count)
{
	if (argc - 1 == count)
		return 1;
	usage_error(cmd, "expected %d argument%s, got %d", count, count == 1 ? "" : "s",
		    argc - 1);
	return 0;
}

int tool_describe_nsm(const struct command *cmd, int argc, struct nsm_description *d)
{
	if (!expect_operands(cmd, argc, 0))
		return 2;
	if (tool_open())
		return 1;
	if (nsm_describe_nsm(&tool_nsm, d) != NSM_SUCCESS)
		return tool_fail("DescribeNSM");
	return 0;
}

int parse_index(const struct command *cmd, const char *s, uint16_t *index)
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
		if (wants_help(commands[i], argc - 1, argv + 1))
			return 0;
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
