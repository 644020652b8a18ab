/* nsm describe */
#include <stdio.h>

#include "tool.h"

/* module_id is text from the device: escape what JSON cannot carry verbatim. */
static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static int run_describe(int argc, char **argv)
{
	static struct nsm_description d;
	int status;

	if ((status = tool_describe_nsm(&cmd_describe, argc, argv, &d)) >= 0)
		return status;
	printf("{\n  \"ModuleId\": ");
	print_json_string(d.module_id);
	printf(",\n  \"Version\": \"%u.%u.%u\",\n  \"Digest\": \"%s\",\n  \"MaxPcrs\": %u,\n"
	       "  \"LockedPcrs\": [", d.version_major, d.version_minor, d.version_patch,
	       nsm_digest_name(d.digest), d.max_pcrs);
	for (size_t i = 0; i < d.locked_count; i++)
		printf("%s%u", i ? ", " : "", d.locked_pcrs[i]);
	printf("]\n}\n");
	return 0;
}

const struct cliopt_command cmd_describe = {
	"nsm", "describe", "", "print the NSM's module id, version, digest and locked PCRs as JSON",
	NULL, NULL, run_describe,
};
