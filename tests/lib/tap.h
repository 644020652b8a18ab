/* Minimal TAP for C unit tests: ok(), is_hex(), is_int(), done(); prints expected and actual on failure. */
#ifndef TESTS_LIB_TAP_H
#define TESTS_LIB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

static void ok(int cond, const char *what)
{
	tap_count++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, what);
	if (!cond)
		tap_failures++;
}

static void print_hex(const char *label, const unsigned char *p, size_t n)
{
	printf("# %s (%zu bytes): ", label, n);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* Compares bytes with a hex string (spaces allowed). */
static void is_hex(const unsigned char *actual, size_t len, const char *hex, const char *what)
{
	unsigned char want[4096];
	size_t n = 0;

	for (const char *h = hex; h[0] && n < sizeof(want);) {
		if (h[0] == ' ') {
			h++;
			continue;
		}
		unsigned v;
		sscanf(h, "%2x", &v);
		want[n++] = (unsigned char)v;
		h += 2;
	}
	int same = n == len && memcmp(actual, want, n) == 0;
	ok(same, what);
	if (!same) {
		print_hex("expected", want, n);
		print_hex("  actual", actual, len);
	}
}

static void is_int(long long actual, long long expected, const char *what)
{
	ok(actual == expected, what);
	if (actual != expected)
		printf("# expected: %lld\n#   actual: %lld\n", expected, actual);
}

static int done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
