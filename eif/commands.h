/* The eif subcommands. Each lives in eif/cmd_NAME.c and defines
 *   int cmd_NAME(int argc, char **argv);   argv[0] is "NAME"; returns the exit code
 *   const char cmd_NAME_usage[];           full --help text, first line "usage: eif NAME ..."
 * To add a subcommand, add one X(NAME, "one-line summary") line below, in the order
 * `eif help` should list it, in the same commit that adds eif/cmd_NAME.c.
 * Owners: cpio -> eif/cmd_cpio.c; sign, verify -> eif/cmd_sign.c, eif/cmd_verify.c. */
#ifndef EIF_COMMANDS_H
#define EIF_COMMANDS_H

#define EIF_COMMANDS(X)                                                                    \
	X(cpio, "write a deterministic newc initramfs from trees and lists")               \
	X(build, "build an EIF from a kernel, a command line and ramdisks")               \
	X(describe, "print the nitro-cli describe-eif JSON of an EIF")                    \
	X(pcr, "print PCRs of an EIF, a file, a certificate or unbuilt parts")            \
	X(sign, "add or replace the signature section of an EIF")                         \
	X(verify, "check an EIF's structure, CRC and signature")                          \
	X(audit, "account for every byte of an EIF against the build's provenance")        \
	X(attest, "verify a Nitro attestation document offline against expectations")    \
	X(statement, "write the in-toto build statement of an EIF (PCRs, locks, SBOM)")

#define EIF_DECLARE_COMMAND(name, summary)          \
	int cmd_##name(int argc, char **argv); \
	extern const char cmd_##name##_usage[];
EIF_COMMANDS(EIF_DECLARE_COMMAND)
#undef EIF_DECLARE_COMMAND

#endif
