/* diff_kernel, the banner: the `Linux version RELEASE (USER@HOST) (COMPILER) #N [flags]
 * TIMESTAMP` line found in each decompressed payload (diff_kernel.c finds it), split into its
 * parts and compared part by part, so a diff says "banner.host" or "banner.timestamp" rather
 * than "the banner". Which of those parts a reproducible kernel fixes, and how, is
 * docs/reproducibility.md#kernel-identity. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <eif/diff.h>
#include "diff_kernel_internal.h"

/* ---- the banner -------------------------------------------------------------------------- */

/* "Linux version RELEASE (USER@HOST) (COMPILER) #N [SMP] [PREEMPT...] TIMESTAMP". */
struct banner {
	char release[TAIL], user[TAIL], host[TAIL], compiler[TAIL], build[TAIL], timestamp[TAIL];
};

/* The text inside the parenthesis that opens at *p (nesting counted), then past it. */
static int parenthesized(const char **p, char *out)
{
	const char *s = *p;
	int depth = 0;

	if (*s != '(')
		return -1;
	for (const char *q = s; *q; q++) {
		depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
		if (depth == 0) {
			memcpy(out, s + 1, (size_t)(q - s - 1));
			out[q - s - 1] = '\0';
			*p = q + 1 + (q[1] == ' ');
			return 0;
		}
	}
	return -1;
}

static int parse_banner(const char *text, struct banner *b)
{
	static const char *const flags[] = { "SMP ", "PREEMPT_DYNAMIC ", "PREEMPT_RT ",
					     "PREEMPT " };
	const char *p = text + strlen(BANNER), *sp = strchr(p, ' ');
	char who[TAIL], *at;
	size_t n;

	memset(b, 0, sizeof(*b));
	if (!sp)
		return -1;
	memcpy(b->release, p, (size_t)(sp - p));
	p = sp + 1;
	if (parenthesized(&p, who) || !(at = strrchr(who, '@')) ||
	    parenthesized(&p, b->compiler) || *p != '#')
		return -1;
	*at = '\0';
	snprintf(b->user, sizeof(b->user), "%s", who);
	snprintf(b->host, sizeof(b->host), "%s", at + 1);
	/* UTS_VERSION: "#N", then the build's flags, then the timestamp. */
	n = strcspn(p, " ");
	for (const char *q = p + n + (p[n] == ' ');;) {
		size_t k = 0;

		for (size_t i = 0; i < sizeof(flags) / sizeof(*flags) && !k; i++)
			if (strncmp(q, flags[i], strlen(flags[i])) == 0)
				k = strlen(flags[i]);
		if (!k) {
			snprintf(b->build, sizeof(b->build), "%.*s", (int)(q - p - (q > p)), p);
			snprintf(b->timestamp, sizeof(b->timestamp), "%s", q);
			return 0;
		}
		q += k;
	}
}

void eif_diff_banners(struct eif_diff *d, unsigned pcrs, const char *a, const char *b)
{
	struct banner ba, bb;
	static const struct {
		const char *name;
		size_t offset;
	} parts[] = {
		{ "banner.release", offsetof(struct banner, release) },
		{ "banner.user", offsetof(struct banner, user) },
		{ "banner.host", offsetof(struct banner, host) },
		{ "banner.compiler", offsetof(struct banner, compiler) },
		{ "banner.build", offsetof(struct banner, build) },
		{ "banner.timestamp", offsetof(struct banner, timestamp) },
	};

	if (strcmp(a, b) == 0)
		return;
	if (!*a || !*b || parse_banner(a, &ba) || parse_banner(b, &bb)) {
		eif_diff_add(d, pcrs, "kernel", "banner", "string", *a ? a : "none found",
			     *b ? b : "none found");
		return;
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		const char *va = (const char *)&ba + parts[i].offset;
		const char *vb = (const char *)&bb + parts[i].offset;

		if (strcmp(va, vb) != 0)
			eif_diff_add(d, pcrs, "kernel", parts[i].name, "string", va, vb);
	}
}
