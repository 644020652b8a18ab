/* nsm(1): helpers shared by the subcommands. */
#ifndef NSM_TOOL_H
#define NSM_TOOL_H

#include <stdint.h>
#include <stdio.h>

#include "nsm.h"

struct command {
	const char *name;
	const char *synopsis;	/* arguments after the command name */
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
};

extern const struct command cmd_pcrs, cmd_pcr, cmd_extend, cmd_lock, cmd_random, cmd_describe,
	cmd_attest;

/* The one NSM handle of the process (16 KiB of buffers: not on the stack). */
extern struct nsm tool_nsm;

/* Opens /dev/nsm ($NSM_DEVICE overrides it); prints the error and returns 1 on failure. */
int tool_open(void);
/* Prints "nsm: WHAT: <library message>" and returns 1. */
int tool_fail(const char *what);

/* Exit status 2 after "nsm CMD: MESSAGE" and the command's usage line on stderr. */
int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* If argv holds -h or --help, prints the usage on stdout and returns 1. */
int wants_help(const struct command *cmd, int argc, char **argv);
/* Checks that the command got exactly `count` operands; otherwise prints usage and returns 0. */
int expect_operands(const struct command *cmd, int argc, int count);
/* For the commands without operands that start from DescribeNSM (describe, pcrs): checks
 * there are none, opens the device and fills d: 0, else the exit status (reason printed). */
int tool_describe_nsm(const struct command *cmd, int argc, struct nsm_description *d);

/* PCR index 0..65535 in decimal; 0 and an error message if not. */
int parse_index(const struct command *cmd, const char *s, uint16_t *index);
void print_hex(FILE *f, const uint8_t *p, size_t n);

#endif
