/* diff_kernel: what diff_kernel.c (payloads, configs) and diff_banner.c (the banner) share and
 * nothing else sees; the rest of the diff is diff.h. */
#ifndef EIF_DIFF_KERNEL_INTERNAL_H
#define EIF_DIFF_KERNEL_INTERNAL_H

#include <eif/diff.h>

/* Bytes kept from the previous chunk so a banner or marker across a boundary is found whole;
 * also the most a banner holds, which bounds each of its parts. */
#define TAIL 1024u
#define BANNER "Linux version "

/* The two banners (NUL-terminated, "" when none was found) as changes: part by part when both
 * parse, else the whole strings. */
void eif_diff_banners(struct eif_diff *d, unsigned pcrs, const char *a, const char *b);

#endif
