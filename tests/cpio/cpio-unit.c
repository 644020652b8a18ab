/* Library-level checks of eif/include/eif/cpio.h that the CLI cannot reach: write errors
 * (ENOSPC via /dev/full) are returned with a message, a second cpio_write is refused, a NULL error
 * pointer is tolerated, the entry count is reported, and a large list (many entries, one
 * long line of hard links) goes through.  Usage: cpio-unit WORKDIR; prints TAP. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <eif/cpio.h>
#include "tap.h"
#include "util.h"

static void is_status(enum eif_status actual, enum eif_status expected, const char *what,
		      const struct eif_error *err)
{
	ok(actual == expected, what);
	if (actual != expected)
		printf("# expected status %d, actual %d (%s)\n", expected, actual,
		       err ? err->msg : "");
}

static void contains(const char *msg, const char *needle, const char *what)
{
	ok(strstr(msg, needle) != NULL, what);
	if (!strstr(msg, needle))
		printf("# expected a message containing: %s\n#   actual: %s\n", needle, msg);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* An eif_outfile writing to an already open fd (no temporary file, nothing to rename). */
static struct eif_outfile outfile_on(int fd, const char *name)
{
	struct eif_outfile out = { .fd = fd, .path = strdup(name) };
	return out;
}

int main(int argc, char **argv)
{
	const struct cpio_options options = { .mtime = 1 };
	char path[4096], list[4096], tree[4096];
	struct eif_error err = { 0 };
	struct cpio_archive *a;
	struct eif_outfile out;
	uint64_t entries = 0;
	enum eif_status rc;
	FILE *f;
	int fd;

	if (argc != 2) {
		printf("Bail out! usage: cpio-unit WORKDIR\n");
		return 1;
	}
	snprintf(tree, sizeof(tree), "%s/tree", argv[1]);
	snprintf(path, sizeof(path), "%s/tree/file", argv[1]);
	if (mkdir(tree, 0755) != 0 && errno != EEXIST) {
		printf("Bail out! mkdir %s: %s\n", tree, strerror(errno));
		return 1;
	}
	write_text(path, "some data\n");

	/* ENOSPC while streaming: the error comes back with the output named. */
	a = cpio_archive_new(&options, &err);
	ok(a != NULL, "cpio_archive_new");
	is_status(cpio_add_tree(a, "rootfs", tree, &err), EIF_OK, "add a tree", &err);
	fd = open("/dev/full", O_WRONLY);
	if (fd < 0) {
		printf("Bail out! /dev/full: %s\n", strerror(errno));
		return 1;
	}
	out = outfile_on(fd, "/dev/full");
	rc = cpio_write(a, &out, &entries, &err);
	is_status(rc, EIF_E_IO, "a full disk fails the write", &err);
	contains(err.msg, "output '/dev/full': write failed: No space left on device",
		 "and says where and why");
	eif_outfile_abort(&out);

	/* One archive, one write: the entries were sorted and merged in place. */
	rc = cpio_write(a, &out, NULL, &err);
	is_status(rc, EIF_E_USAGE, "a second cpio_write is refused", &err);
	contains(err.msg, "already written", "and says so");
	cpio_archive_free(a);

	/* A NULL error pointer: failures still return their status. */
	a = cpio_archive_new(&options, NULL);
	is_status(cpio_add_tree(a, NULL, "/nonexistent/tree", NULL), EIF_E_IO,
		  "missing tree with err == NULL", NULL);
	is_status(cpio_add_list(a, "/nonexistent/list", NULL, NULL), EIF_E_IO,
		  "missing list with err == NULL", NULL);
	snprintf(list, sizeof(list), "%s/bad.list", argv[1]);
	write_text(list, "dir ../x 0755 0 0\n");
	is_status(cpio_add_list(a, list, NULL, NULL), EIF_E_USAGE, "bad name with err == NULL",
		  NULL);
	cpio_archive_free(a);
	cpio_archive_free(NULL);
	ok(1, "cpio_archive_free(NULL) is a no-op");

	/* 5000 entries and a 1000-name hard-link line; the count comes back. */
	snprintf(list, sizeof(list), "%s/big.list", argv[1]);
	f = fopen(list, "w");
	if (!f) {
		printf("Bail out! %s: %s\n", list, strerror(errno));
		return 1;
	}
	for (int i = 0; i < 5000; i++)
		fprintf(f, "dir /d/%05d 0755 0 0\n", i);
	fprintf(f, "file /links/0 %s 0644 0 0", path);
	for (int i = 1; i < 1000; i++)
		fprintf(f, " /links/%d", i);
	fprintf(f, "\n");
	fclose(f);
	a = cpio_archive_new(&options, &err);
	is_status(cpio_add_list(a, list, NULL, &err), EIF_OK, "a 6000-entry list", &err);
	snprintf(path, sizeof(path), "%s/big.cpio", argv[1]);
	rc = eif_outfile_open(&out, path, &err);
	if (rc == EIF_OK)
		rc = cpio_write(a, &out, &entries, &err);
	if (rc == EIF_OK)
		rc = eif_outfile_commit(&out, &err);
	else
		eif_outfile_abort(&out);
	is_status(rc, EIF_OK, "is written", &err);
	is_int((long long)entries, 5000 + 1000 + 2, "entries counts 5000 dirs, 1000 links, d and links");
	cpio_archive_free(a);

	/* It starts with the first entry, "d": magic 070701, inode 721 (2d1), mode 040755. */
	f = fopen(path, "rb");
	{
		unsigned char head[22] = { 0 };
		size_t got = f ? fread(head, 1, sizeof(head), f) : 0;

		if (f)
			fclose(f);
		is_hex(head, got, "303730373031 3030303030326431 3030303034316564",
		       "the archive begins 070701 000002d1 000041ed");
	}
	return done();
}
