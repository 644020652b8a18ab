/* nsm random [--raw] N */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define RANDOM_LIMIT (1024 * 1024)

static int run_random(int argc, char **argv)
{
	static uint8_t buf[RANDOM_LIMIT];
	int raw = argc > 1 && strcmp(argv[1], "--raw") == 0;
	char *end;
	unsigned long n;

	if (raw) {
		argc--;
		argv++;
	}
	if (!expect_operands(&cmd_random, argc, 1))
		return 2;
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (!*argv[1] || *end || *argv[1] == '-' || errno || n > RANDOM_LIMIT)
		return usage_error(&cmd_random, "'%s' is not a byte count (0..%d)", argv[1],
				   RANDOM_LIMIT);
	if (tool_open())
		return 1;
	if (nsm_fill_random(&tool_nsm, buf, n) != NSM_SUCCESS)
		return tool_fail("GetRandom");
	if (raw) {
		fwrite(buf, 1, n, stdout);
	} else {
		print_hex(stdout, buf, n);
		putchar('\n');
	}
	return 0;
}

const struct command cmd_random = {
	"random", "[--raw] N",
	"print N random bytes from the NSM in hex (--raw: the bytes themselves)", run_random,
};
