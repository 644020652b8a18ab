/* nsm random [--raw] N */
#include <errno.h>
#include <stdlib.h>

#include "tool.h"

#define RANDOM_LIMIT (1024 * 1024)

enum { OPT_RAW = 0 };

static const struct cliopt random_options[] = {
	{ "raw", 0, NULL, 0, OPT_RAW, "write the bytes themselves instead of hex" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static int run_random(int argc, char **argv)
{
	static uint8_t buf[RANDOM_LIMIT];
	const char *count;
	unsigned flags = 0;
	char *end;
	unsigned long n;
	int status = tool_parse(&cmd_random, argc, argv, &count, 1, &flags);

	if (status >= 0)
		return status;
	errno = 0;
	n = strtoul(count, &end, 10);
	if (!*count || *end || *count == '-' || errno || n > RANDOM_LIMIT)
		return usage_error(&cmd_random, "'%s' is not a byte count (0..%d)", count,
				   RANDOM_LIMIT);
	if (tool_open())
		return 1;
	if (nsm_fill_random(&tool_nsm, buf, n) != NSM_SUCCESS)
		return tool_fail("GetRandom");
	if (flags & (1u << OPT_RAW)) {
		fwrite(buf, 1, n, stdout);
	} else {
		print_hex(stdout, buf, n);
		putchar('\n');
	}
	return 0;
}

const struct cliopt_command cmd_random = {
	"nsm", "random", "N", "print N random bytes from the NSM in hex", random_options, NULL,
	run_random,
};
