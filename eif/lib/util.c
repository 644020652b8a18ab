/* Shared helpers: error messages, hex and numbers, arrays, full reads/writes, small files,
 * the arena (atomic output: outfile.c). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void error_vset(struct eif_error *err, enum eif_status code, const char *fmt, va_list ap)
{
	if (!err)
		return;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

enum eif_status eif_fail(struct eif_error *err, enum eif_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

enum eif_status eif_fail_errno(struct eif_error *err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!err)
		return EIF_E_IO;
	va_start(ap, fmt);
	error_vset(err, EIF_E_IO, fmt, ap);
	va_end(ap);
	size_t used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, ": %s", strerror(saved));
	errno = saved;
	return EIF_E_IO;
}

enum eif_status eif_error_prefix(struct eif_error *err, const char *fmt, ...)
{
	char prefix[512];
	size_t plen, mlen, cap;
	va_list ap;

	if (!err)
		return EIF_E_USAGE;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	strcat(prefix, ": ");
	plen = strlen(prefix);
	cap = sizeof(err->msg) - 1;
	mlen = strnlen(err->msg, cap);
	if (plen + mlen > cap)
		mlen = cap - plen;
	memmove(err->msg + plen, err->msg, mlen);
	memcpy(err->msg, prefix, plen);
	err->msg[plen + mlen] = '\0';
	return err->code;
}

void eif_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int eif_unhex(const char *text, unsigned char *out, size_t n)
{
	if (strlen(text) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t byte;
		if (eif_parse_hex((const unsigned char *)text + 2 * i, 2, &byte) != 0)
			return -1;
		out[i] = (unsigned char)byte;
	}
	return 0;
}

bool eif_parse_digits(const char *s, size_t n, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)s[i] - '0');

		if (d >= base || d > max || v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

int eif_parse_owner(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	uint64_t u, g;

	if (!colon || !eif_parse_digits(s, (size_t)(colon - s), 10, UINT32_MAX, &u) ||
	    !eif_parse_digits(colon + 1, strlen(colon + 1), 10, UINT32_MAX, &g))
		return -1;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}

enum eif_status eif_source_date_epoch(uint32_t *seconds, struct eif_error *err)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	uint64_t v = 0;

	if (env && *env && !eif_parse_digits(env, strlen(env), 10, UINT32_MAX, &v))
		return eif_fail(err, EIF_E_USAGE, "SOURCE_DATE_EPOCH '%s' is not a number of "
				"seconds from 0 to 4294967295 (decimal digits only); fix it or unset "
				"it", env);
	*seconds = (uint32_t)v;
	return EIF_OK;
}

void *eif_array_grow(void *array, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16, bytes;
	void *p;

	if (array && need <= *cap)
		return array;
	while (n < need)
		if (!eif_mul_size(n, 2, &n))
			return NULL;
	if (!eif_mul_size(n, elem, &bytes) || !(p = realloc(array, bytes)))
		return NULL;
	*cap = n;
	return p;
}

long long eif_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long long)got;
}

enum eif_status eif_pread_full(int fd, const char *path, uint64_t offset, void *buf, size_t len,
			       struct eif_error *err)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return eif_fail_errno(err, "'%s': cannot read %zu bytes at offset %llu",
					      path, len, (unsigned long long)offset);
		if (n == 0)
			return eif_fail(err, EIF_E_IO, "'%s' ends at offset %llu: it became shorter "
					"while being read; use a file nothing is writing to", path,
					(unsigned long long)offset);
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return EIF_OK;
}

int eif_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

enum eif_status eif_open_regular(const char *path, const char *what, const char *hint, int *fd,
				 struct stat *st, struct eif_error *err)
{
	enum eif_status rc;
	int flags;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0)
		return eif_fail_errno(err, "%s '%s': cannot open it", what, path);
	if (fstat(*fd, st) != 0)
		rc = eif_fail_errno(err, "%s '%s': cannot stat it", what, path);
	else if (!S_ISREG(st->st_mode))
		rc = eif_fail(err, EIF_E_USAGE, "%s '%s': not a regular file; %s", what, path, hint);
	else if ((flags = fcntl(*fd, F_GETFL)) < 0 || fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		rc = eif_fail_errno(err, "%s '%s': cannot make it blocking", what, path);
	else
		return EIF_OK;
	close(*fd);
	*fd = -1;
	return rc;
}

enum eif_status eif_read_small_file(const char *path, const char *what, size_t max,
				    unsigned char **data, size_t *len, struct eif_error *err)
{
	struct stat st;
	unsigned char *buf;
	long long got;
	int fd;

	*data = NULL;
	*len = 0;
	enum eif_status rc = eif_open_regular(path, what, "give a file path", &fd, &st, err);

	if (rc != EIF_OK)
		return rc;
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return eif_fail(err, EIF_E_LIMIT, "%s '%s': %lld bytes exceeds the %zu-byte limit; "
				"make it smaller", what, path, (long long)st.st_size, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return eif_fail(err, EIF_E_NOMEM, "%s '%s': out of memory", what, path);
	}
	/* Read one byte more than stat promised, to notice a file that grew. */
	got = eif_read_full(fd, buf, (size_t)st.st_size + 1);
	if (got < 0) {
		eif_fail_errno(err, "%s '%s': read failed", what, path);
		free(buf);
		close(fd);
		return EIF_E_IO;
	}
	close(fd);
	if (got != (long long)st.st_size) {
		free(buf);
		return eif_fail(err, EIF_E_IO, "%s '%s': file changed size while being read; "
				"retry when it is no longer written", what, path);
	}
	buf[got] = '\0';
	*data = buf;
	*len = (size_t)got;
	return EIF_OK;
}

struct eif_arena_block {
	struct eif_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *eif_arena_alloc(struct eif_arena *arena, size_t n, size_t align)
{
	struct eif_arena_block *b = arena->blocks;
	size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;

	if (!b || at > b->cap || b->cap - at < n) {
		size_t cap = n > 65536 ? n : 65536;

		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->next = arena->blocks;
		b->used = 0;
		b->cap = cap;
		arena->blocks = b;
		at = 0;
	}
	b->used = at + n;
	return b->data + at;
}

void eif_arena_free(struct eif_arena *arena)
{
	while (arena->blocks) {
		struct eif_arena_block *next = arena->blocks->next;
		free(arena->blocks);
		arena->blocks = next;
	}
}
