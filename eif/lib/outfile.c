/* Atomic output (util.h): a temporary file next to the target, fsync, rename over it, fsync
 * of the directory; optionally O_DIRECT for outputs of hundreds of MiB. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directory part of path ("." when it has none), malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	dir = malloc((size_t)(slash - path) + 1);
	if (dir) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	return dir;
}

enum eif_status eif_outfile_open(struct eif_outfile *out, const char *path, struct eif_error *err)
{
	static unsigned counter;
	const char *base = strrchr(path, '/');
	char *dir;
	size_t size;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	base = base ? base + 1 : path;
	if (*base == '\0')
		return eif_fail(err, EIF_E_USAGE, "output '%s': names a directory; give a file name",
				path);
	dir = dir_of(path);
	out->path = strdup(path);
	size = strlen(path) + 64;
	out->tmp_path = malloc(size);
	if (!dir || !out->path || !out->tmp_path) {
		free(dir);
		eif_outfile_abort(out);
		return eif_fail(err, EIF_E_NOMEM, "output '%s': out of memory", path);
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		snprintf(out->tmp_path, size, "%s/.%s.tmp.%ld.%u", dir, base, (long)getpid(),
			 counter++);
		/* 0666 so the process umask decides the final mode, as for a plain open(). */
		out->fd = open(out->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (out->fd >= 0 || errno != EEXIST)
			break;
	}
	free(dir);
	if (out->fd < 0) {
		eif_fail_errno(err, "output '%s': cannot create temporary file '%s'", path,
			       out->tmp_path);
		free(out->tmp_path);
		out->tmp_path = NULL;
		eif_outfile_abort(out);
		return EIF_E_IO;
	}
	return EIF_OK;
}

/* Alignment for O_DIRECT buffers, offsets and lengths: the logical block size of every
 * common device divides it. */
#define DIRECT_ALIGN 4096u
#define DIRECT_STAGE (4u << 20)

void eif_outfile_direct(struct eif_outfile *out)
{
	int flags = fcntl(out->fd, F_GETFL);
	void *stage;

	if (out->stage || out->written || flags < 0)
		return;
	if (posix_memalign(&stage, DIRECT_ALIGN, DIRECT_STAGE) != 0)
		return;
	if (fcntl(out->fd, F_SETFL, flags | O_DIRECT) != 0) {
		free(stage);
		return;
	}
	out->stage = stage;
	out->staged = 0;
	out->stage_at = 0;
}

/* Back to ordinary writes for the rest of the file. */
static void direct_off(struct eif_outfile *out)
{
	int flags = fcntl(out->fd, F_GETFL);

	if (flags >= 0)
		fcntl(out->fd, F_SETFL, flags & ~O_DIRECT);
}

static int is_direct(const struct eif_outfile *out)
{
	int flags = fcntl(out->fd, F_GETFL);

	return flags >= 0 && (flags & O_DIRECT);
}

/* pwrite all of buf at offset, retrying short writes. A refused direct write (EINVAL: the
 * device wants another alignment, or the file system changed its mind) is retried as an
 * ordinary one, and the file stays ordinary. */
static enum eif_status pwrite_full(struct eif_outfile *out, const void *buf, size_t len,
				   unsigned long long offset, struct eif_error *err)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(out->fd, (const char *)buf + done, len - done,
				   (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && is_direct(out)) {
			direct_off(out);
			continue;
		}
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return eif_fail_errno(err, "output '%s': write at offset %llu failed",
					      out->path, offset + done);
		}
		done += (size_t)n;
	}
	return EIF_OK;
}

/* Write the first len bytes of the stage at stage_at (len a multiple of DIRECT_ALIGN while
 * direct). */
static enum eif_status stage_write(struct eif_outfile *out, size_t len, struct eif_error *err)
{
	enum eif_status rc = pwrite_full(out, out->stage, len, out->stage_at, err);

	if (rc == EIF_OK)
		out->stage_at += len;
	return rc;
}

/* Leave direct mode: the aligned part of the stage goes direct, the ragged tail (and all
 * later writes) through the page cache. */
static enum eif_status direct_finish(struct eif_outfile *out, struct eif_error *err)
{
	size_t aligned, tail;
	enum eif_status rc = EIF_OK;

	if (!out->stage)
		return EIF_OK;
	aligned = out->staged & ~(size_t)(DIRECT_ALIGN - 1);
	tail = out->staged - aligned;
	if (aligned)
		rc = stage_write(out, aligned, err);
	direct_off(out);
	if (rc == EIF_OK && tail) {
		memmove(out->stage, out->stage + aligned, tail);
		rc = stage_write(out, tail, err);
	}
	free(out->stage);
	out->stage = NULL;
	out->staged = 0;
	if (rc == EIF_OK && lseek(out->fd, 0, SEEK_END) < 0)
		rc = eif_fail_errno(err, "output '%s': seek failed", out->path);
	return rc;
}

static enum eif_status direct_write(struct eif_outfile *out, const unsigned char *buf, size_t len,
				    struct eif_error *err)
{
	while (len > 0) {
		size_t n = DIRECT_STAGE - out->staged;
		if (n > len)
			n = len;
		memcpy(out->stage + out->staged, buf, n);
		out->staged += n;
		buf += n;
		len -= n;
		if (out->staged == DIRECT_STAGE) {
			enum eif_status rc = stage_write(out, DIRECT_STAGE, err);
			if (rc != EIF_OK)
				return rc;
			out->staged = 0;
		}
	}
	return EIF_OK;
}

enum eif_status eif_outfile_write(struct eif_outfile *out, const void *buf, size_t len,
				  struct eif_error *err)
{
	if (out->stage) {
		enum eif_status rc = direct_write(out, buf, len, err);
		if (rc == EIF_OK)
			out->written += len;
		return rc;
	}
	if (eif_write_full(out->fd, buf, len) != 0)
		return eif_fail_errno(err, "output '%s': write failed", out->path);
	out->written += len;
	/* Start writeback as we go, so the final fsync of a large image finds little left to do
	 * and the disk works while we hash. Advisory: fsync in commit reports real errors. */
	if (out->written - out->flushed >= (8u << 20)) {
		sync_file_range(out->fd, (off_t)out->flushed, (off_t)(out->written - out->flushed),
				SYNC_FILE_RANGE_WRITE);
		out->flushed = out->written;
	}
	return EIF_OK;
}

enum eif_status eif_outfile_pwrite(struct eif_outfile *out, const void *buf, size_t len,
				   unsigned long long offset, struct eif_error *err)
{
	enum eif_status rc = direct_finish(out, err);

	return rc != EIF_OK ? rc : pwrite_full(out, buf, len, offset, err);
}

enum eif_status eif_outfile_commit(struct eif_outfile *out, struct eif_error *err)
{
	char *dir;
	int dfd;

	if (direct_finish(out, err) != EIF_OK) {
		eif_outfile_abort(out);
		return EIF_E_IO;
	}
	if (fsync(out->fd) != 0) {
		eif_fail_errno(err, "output '%s': fsync failed", out->path);
		eif_outfile_abort(out);
		return EIF_E_IO;
	}
	if (close(out->fd) != 0) {
		out->fd = -1;
		eif_fail_errno(err, "output '%s': close failed", out->path);
		eif_outfile_abort(out);
		return EIF_E_IO;
	}
	out->fd = -1;
	if (rename(out->tmp_path, out->path) != 0) {
		eif_fail_errno(err, "output '%s': cannot rename '%s' over it", out->path,
			       out->tmp_path);
		eif_outfile_abort(out);
		return EIF_E_IO;
	}
	free(out->tmp_path);
	out->tmp_path = NULL;
	/* Make the rename itself durable. */
	dir = dir_of(out->path);
	dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
	eif_outfile_abort(out);
	return EIF_OK;
}

void eif_outfile_abort(struct eif_outfile *out)
{
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
	free(out->stage);
	out->stage = NULL;
	if (out->tmp_path)
		unlink(out->tmp_path);
	free(out->tmp_path);
	out->tmp_path = NULL;
	free(out->path);
	out->path = NULL;
}

enum eif_status eif_write_file_atomic(const char *path, const void *data, size_t len,
				      struct eif_error *err)
{
	struct eif_outfile out;

	if (eif_outfile_open(&out, path, err) != EIF_OK)
		return err->code;
	if (eif_outfile_write(&out, data, len, err) != EIF_OK ||
	    eif_outfile_commit(&out, err) != EIF_OK) {
		eif_outfile_abort(&out);
		return err->code;
	}
	return EIF_OK;
}
