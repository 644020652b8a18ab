/* nsm(1): helpers shared by the subcommands. */
#ifndef NSM_TOOL_H
#define NSM_TOOL_H

#include <stdint.h>
#include <stdio.h>

#include "cliopt.h"
#include "nsm.h"

/* Each command is a cliopt_command (common/cliopt.h): its option table drives the parser
 * and its --help text. */
extern const struct cliopt_command cmd_pcrs, cmd_pcr, cmd_extend, cmd_lock, cmd_random, cmd_describe,
	cmd_attest;

/* The one NSM handle of the process (16 KiB of buffers: not on the stack). */
extern struct nsm tool_nsm;

/* Opens /dev/nsm ($NSM_DEVICE overrides it); prints the error and returns 1 on failure. */
int tool_open(void);
/* Prints "nsm: WHAT: <library message>" and returns 1. */
int tool_fail(const char *what);

/* Exit status 2 after "nsm CMD: MESSAGE" and the command's usage line on stderr. */
int usage_error(const struct cliopt_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* What a command's option loop does with a cliopt_next() verdict it does not handle itself:
 * --help (prints it, status 0) or a usage error (status 2). */
int tool_option_stop(const struct cliopt_parser *parser, int verdict);
/* Parses argv against cmd's table for commands with flags and operands only: exactly
 * `count` operands go to operands[], flag ids seen set bits (1u << id) in *flags (may be
 * NULL when cmd has none). Returns -1 to go on, else the exit status (help or usage). */
int tool_parse(const struct cliopt_command *cmd, int argc, char **argv, const char **operands,
	       int count, unsigned *flags);
/* For the commands without operands that start from DescribeNSM (describe, pcrs): checks
 * there are none, opens the device and fills d: -1, else the exit status (reason or help
 * printed). */
int tool_describe_nsm(const struct cliopt_command *cmd, int argc, char **argv,
		      struct nsm_description *d);

/* PCR index 0..65535 in decimal; 0 and an error message if not. */
int parse_index(const struct cliopt_command *cmd, const char *s, uint16_t *index);
void print_hex(FILE *f, const uint8_t *p, size_t n);

#endif
