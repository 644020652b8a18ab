/* libnsm internals shared by its files; not installed. */
#ifndef NSM_INTERNAL_H
#define NSM_INTERNAL_H

#include <stdarg.h>

#include "nsm.h"

/* snprintf into err[0, errlen) (ignored when err is NULL or errlen 0). */
void nsm_format_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Index of s[0, n) in names[0, count), or -1. */
int nsm_find_name(const char *const names[], size_t count, const char *s, size_t n);
/* The status whose wire name is s[0, n), or -1 if none is. */
int nsm_status_from_name(const char *s, size_t n);
/* The digest whose wire name is s[0, n), or -1 if none is. */
int nsm_digest_from_name(const char *s, size_t n);
/* The request kind whose variant name is s[0, n), or -1 if none is. */
int nsm_request_from_name(const char *s, size_t n);

#endif
