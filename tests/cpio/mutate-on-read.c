/* LD_PRELOAD shim for tests/eif-cpio-errors.t: the first read() from the file named by
 * $MUTATE_PATH, or the first open() of that path, changes it first, so "it changed while
 * being archived" happens at a known moment instead of by racing a writer.
 *   MUTATE=shrink   (read) truncate the file to half its size
 *   MUTATE=grow     (read) append 10 bytes
 *   MUTATE=rewrite  (read) overwrite its first byte with itself (same size, new mtime)
 *   MUTATE=swap-symlink  (open) move the directory aside, put a symlink to it in its place
 *   MUTATE=swap-dir      (open) move the directory aside, put an empty directory in its place */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int mutated;

static void mutate(const char *path, const char *how)
{
	struct stat st;
	char byte;
	int fd;

	if (strcmp(how, "shrink") == 0) {
		if (stat(path, &st) == 0 && truncate(path, st.st_size / 2) != 0)
			perror("mutate-on-read: truncate");
		return;
	}
	fd = open(path, O_RDWR | (strcmp(how, "grow") == 0 ? O_APPEND : 0));
	if (fd < 0) {
		perror("mutate-on-read: open");
		return;
	}
	if (strcmp(how, "grow") == 0) {
		if (write(fd, "0123456789", 10) != 10)
			perror("mutate-on-read: write");
	} else if (pread(fd, &byte, 1, 0) == 1) {
		/* mtime has nanoseconds, but make sure the clock moved past the file's mtime */
		struct timespec pause = { 0, 20 * 1000 * 1000 };
		nanosleep(&pause, NULL);
		if (pwrite(fd, &byte, 1, 0) != 1)
			perror("mutate-on-read: pwrite");
	}
	close(fd);
}

int open(const char *path, int flags, ...)
{
	static int (*real_open)(const char *, int, ...);
	const char *target = getenv("MUTATE_PATH"), *how = getenv("MUTATE");
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!real_open)
		real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	if (!mutated && target && how && strncmp(how, "swap-", 5) == 0 && strcmp(path, target) == 0) {
		char aside[PATH_MAX];

		mutated = 1;
		snprintf(aside, sizeof(aside), "%s.aside", path);
		if (rename(path, aside) != 0)
			perror("mutate-on-read: rename");
		else if (strcmp(how, "swap-symlink") == 0 ? symlink(aside, path) != 0 :
			 mkdir(path, 0755) != 0)
			perror("mutate-on-read: replace");
	}
	return real_open(path, flags, mode);
}

ssize_t read(int fd, void *buf, size_t len)
{
	static ssize_t (*real_read)(int, void *, size_t);
	const char *path = getenv("MUTATE_PATH"), *how = getenv("MUTATE");

	if (!real_read)
		real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	if (!mutated && path && how) {
		char link[64], target[PATH_MAX];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strcmp(target, path) == 0) {
				mutated = 1;
				mutate(path, how);
			}
		}
	}
	return real_read(fd, buf, len);
}
