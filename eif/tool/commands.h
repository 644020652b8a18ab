/* The eif subcommands. Each lives in eif/tool/cmd_NAME.c and defines
 *   const struct cliopt_command cmd_NAME;   name, operands, summary, option table, run
 * (common/cliopt.h): one table drives the parser, `eif NAME --help` and `eif help`.
 * To add a subcommand, add one X(NAME) line below, in the order `eif help` should list it,
 * in the same commit that adds eif/tool/cmd_NAME.c (HACKING.md shows the pattern). */
#ifndef EIF_COMMANDS_H
#define EIF_COMMANDS_H

#include "cliopt.h"

#define EIF_COMMANDS(X) \
	X(cpio)         \
	X(build)        \
	X(describe)     \
	X(pcr)          \
	X(sign)         \
	X(verify)       \
	X(diff)         \
	X(audit)        \
	X(attest)       \
	X(statement)    \
	X(sbom)

#define EIF_DECLARE_COMMAND(name) extern const struct cliopt_command cmd_##name;
EIF_COMMANDS(EIF_DECLARE_COMMAND)
#undef EIF_DECLARE_COMMAND

#endif
