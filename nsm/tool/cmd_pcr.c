/* nsm pcrs | pcr N | extend N DATA | lock N */
#include <stdio.h>
#include <string.h>

#include "tool.h"

/* The registers an EIF's measurements name (eif describe, eif build). */
static const uint16_t measured[] = { 0, 1, 2, 8 };
#define MEASURED_COUNT (sizeof(measured) / sizeof(measured[0]))

/* The label eif(1) and AWS tools print for the SHA-384 measurements of an EIF. */
static const char *hash_label(enum nsm_digest digest)
{
	switch (digest) {
	case NSM_DIGEST_SHA256: return "Sha256 { ... }";
	case NSM_DIGEST_SHA512: return "Sha512 { ... }";
	default: return "Sha384 { ... }";
	}
}

static void print_pcr_json(uint16_t index, const struct nsm_pcr *pcr)
{
	printf("{\"PCR%u\": \"", index);
	print_hex(stdout, pcr->value, pcr->len);
	printf("\", \"Locked\": %s}\n", pcr->locked ? "true" : "false");
}

/* Parses the operands (the PCR index first) and opens the device: -1 when all went well,
 * else the exit status (the reason or the help is printed). */
static int setup(const struct cliopt_command *cmd, int argc, char **argv, int count,
		 const char **operands, uint16_t *index)
{
	int status = tool_parse(cmd, argc, argv, operands, count, NULL);

	if (status >= 0)
		return status;
	if (!parse_index(cmd, operands[0], index))
		return 2;
	return tool_open() ? 1 : -1;
}

static int run_pcrs(int argc, char **argv)
{
	static struct nsm_description desc;
	struct nsm_pcr pcrs[MEASURED_COUNT];
	char what[32];
	int status;

	if ((status = tool_describe_nsm(&cmd_pcrs, argc, argv, &desc)) >= 0)
		return status;
	for (size_t i = 0; i < MEASURED_COUNT; i++) {
		if (nsm_describe_pcr(&tool_nsm, measured[i], &pcrs[i]) != NSM_SUCCESS) {
			snprintf(what, sizeof(what), "PCR%u", measured[i]);
			return tool_fail(what);
		}
	}
	printf("{\n  \"HashAlgorithm\": \"%s\",\n", hash_label(desc.digest));
	for (size_t i = 0; i < MEASURED_COUNT; i++) {
		printf("  \"PCR%u\": \"", measured[i]);
		print_hex(stdout, pcrs[i].value, pcrs[i].len);
		printf("\",\n");
	}
	printf("  \"Locked\": {\n");
	for (size_t i = 0; i < MEASURED_COUNT; i++)
		printf("    \"PCR%u\": %s%s\n", measured[i], pcrs[i].locked ? "true" : "false",
		       i + 1 < MEASURED_COUNT ? "," : "");
	printf("  }\n}\n");
	return 0;
}

static int run_pcr(int argc, char **argv)
{
	struct nsm_pcr pcr;
	const char *operands[1];
	uint16_t index;
	int status = setup(&cmd_pcr, argc, argv, 1, operands, &index);

	if (status >= 0)
		return status;
	if (nsm_describe_pcr(&tool_nsm, index, &pcr) != NSM_SUCCESS)
		return tool_fail(operands[0]);
	print_pcr_json(index, &pcr);
	return 0;
}

static int run_extend(int argc, char **argv)
{
	struct nsm_pcr pcr;
	const char *operands[2];
	uint16_t index;
	int status = setup(&cmd_extend, argc, argv, 2, operands, &index);

	if (status >= 0)
		return status;
	if (nsm_extend_pcr(&tool_nsm, index, operands[1], strlen(operands[1]), &pcr) !=
	    NSM_SUCCESS)
		return tool_fail(operands[0]);
	print_pcr_json(index, &pcr);
	return 0;
}

static int run_lock(int argc, char **argv)
{
	const char *operands[1];
	uint16_t index;
	int status = setup(&cmd_lock, argc, argv, 1, operands, &index);

	if (status >= 0)
		return status;
	if (nsm_lock_pcr(&tool_nsm, index) != NSM_SUCCESS)
		return tool_fail(operands[0]);
	return 0;
}

const struct cliopt_command cmd_pcrs = {
	"nsm", "pcrs", "", "print PCR0, 1, 2 and 8 and their lock state as JSON (like eif describe)",
	NULL, NULL, run_pcrs,
};
const struct cliopt_command cmd_pcr = {
	"nsm", "pcr", "N", "print PCR N and whether it is locked", NULL, NULL, run_pcr,
};
const struct cliopt_command cmd_extend = {
	"nsm", "extend", "N DATA", "extend PCR N with the bytes of DATA and print the new value",
	NULL, "DATA is taken as text; put -- before a DATA that starts with '-'.\n", run_extend,
};
const struct cliopt_command cmd_lock = {
	"nsm", "lock", "N", "lock PCR N until the enclave ends", NULL, NULL, run_lock,
};
