/* Atomic output (util.h): a temporary file next to the target, fsync, rename over it, fsync
 * of the directory; optionally O_DIRECT through a writer thread for outputs of hundreds of MiB. */
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
#define STAGE_PAGE (2u << 20) /* a huge page */

/* Direct mode keeps the disk busy while the caller hashes: a writer thread sends full stages
 * to the disk while the caller fills the next one (WRITER_STAGES of them rotate), and every
 * WRITER_FLUSH_EVERY bytes it asks the disk to empty its own write cache (fdatasync). A
 * virtual disk takes O_DIRECT writes into its host's cache at several GB/s and pays for them
 * at the flush: left to the final fsync, that flush came after all the hashing
 * (docs/eif-format.md#writing-an-eif). The flushes' errors do not matter; the final fsync
 * reports any. The caller may fill the stages in place and lend them to other readers
 * (the hashing threads) until a fence (eif_outfile_filled): the stages then also hold the
 * hashing queue, hence eight of them. */
#define WRITER_STAGES 8
#define WRITER_FLUSH_EVERY (64ull << 20)
struct outfile_writer {
	struct eif_outfile *out;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned char *bufs[WRITER_STAGES];
	size_t len[WRITER_STAGES];
	unsigned long long at[WRITER_STAGES];
	unsigned long long submitted, written; /* stages handed over, stages done */
	int stop;
	int failed;               /* a write failed: error holds why; later stages are skipped */
	struct eif_error error;
	/* Caller's thread only: the other readers of each stage (eif_outfile_share_stages). */
	void (*readers_wait)(void *ctx, unsigned long long fence);
	void *readers_ctx;
	unsigned long long fence[WRITER_STAGES];
	unsigned char fenced[WRITER_STAGES];
};

static enum eif_status pwrite_full(struct eif_outfile *out, const void *buf, size_t len,
				   unsigned long long offset, struct eif_error *err);

static void *writer_main(void *arg)
{
	struct outfile_writer *w = arg;
	unsigned long long unflushed = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->written == w->submitted && !w->stop)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->stop)
			break;
		unsigned i = (unsigned)(w->written % WRITER_STAGES);
		int failed = w->failed;
		pthread_mutex_unlock(&w->lock);
		struct eif_error error;
		enum eif_status rc = failed ? EIF_OK :
			pwrite_full(w->out, w->bufs[i], w->len[i], w->at[i], &error);
		unflushed += w->len[i];
		if (rc == EIF_OK && !failed && unflushed >= WRITER_FLUSH_EVERY) {
			fdatasync(w->out->fd);
			unflushed = 0;
		}
		pthread_mutex_lock(&w->lock);
		if (rc != EIF_OK && !w->failed) {
			w->failed = 1;
			w->error = error;
		}
		w->written++;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Hand buf[0, len) at file offset at to the writer; the caller must not touch it until the
 * writer is done with it. */
static void writer_submit(struct outfile_writer *w, size_t len, unsigned long long at)
{
	pthread_mutex_lock(&w->lock);
	unsigned i = (unsigned)(w->submitted % WRITER_STAGES);
	w->len[i] = len;
	w->at[i] = at;
	w->submitted++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

/* Wait until at most keep stages are in flight; the first write error, if any. */
static enum eif_status writer_wait(struct outfile_writer *w, unsigned long long keep,
				   struct eif_error *err)
{
	enum eif_status rc = EIF_OK;

	pthread_mutex_lock(&w->lock);
	while (w->submitted - w->written > keep)
		pthread_cond_wait(&w->changed, &w->lock);
	if (w->failed) {
		if (err)
			*err = w->error;
		rc = w->error.code;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

/* Stop the thread (after the write under way) and free the stages. */
static void writer_free(struct eif_outfile *out)
{
	struct outfile_writer *w = out->writer;

	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w->bufs[0]);
	free(w);
	out->writer = NULL;
	out->stage = NULL;
	out->staged = 0;
}

void eif_outfile_direct(struct eif_outfile *out)
{
	int flags = fcntl(out->fd, F_GETFL);
	struct outfile_writer *w;
	void *memory;

	if (out->stage || out->written || flags < 0 || !(w = calloc(1, sizeof(*w))))
		return;
	w->out = out;
	if (posix_memalign(&memory, STAGE_PAGE, WRITER_STAGES * DIRECT_STAGE) != 0) {
		free(w);
		return; /* ordinary writes: slower, not wrong */
	}
	/* Huge pages: 16 page faults instead of 8192 to fill the stages once, and the kernel
	 * pins each stage for the disk in a few steps instead of a thousand. */
	madvise(memory, WRITER_STAGES * DIRECT_STAGE, MADV_HUGEPAGE);
	for (unsigned i = 0; i < WRITER_STAGES; i++)
		w->bufs[i] = (unsigned char *)memory + (size_t)i * DIRECT_STAGE;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_cond_destroy(&w->changed);
		pthread_mutex_destroy(&w->lock);
		free(memory);
		free(w);
		return;
	}
	if (fcntl(out->fd, F_SETFL, flags | O_DIRECT) != 0) {
		out->writer = w;
		writer_free(out);
		return;
	}
	out->writer = w;
	out->stage = w->bufs[0];
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

/* The full stage goes to the writer; the caller goes on with the next free one, once the
 * writer and the stage's other readers are done with it. */
static enum eif_status stage_write(struct eif_outfile *out, size_t len, struct eif_error *err)
{
	struct outfile_writer *w = out->writer;
	unsigned next;
	enum eif_status rc;

	writer_submit(w, len, out->stage_at);
	out->stage_at += len;
	next = (unsigned)(w->submitted % WRITER_STAGES); /* only this thread submits */
	out->stage = w->bufs[next];
	out->staged = 0;
	rc = writer_wait(w, WRITER_STAGES - 1, err);
	if (rc == EIF_OK && w->fenced[next] && w->readers_wait)
		w->readers_wait(w->readers_ctx, w->fence[next]);
	w->fenced[next] = 0;
	return rc;
}

/* Leave direct mode: the aligned part of the stage goes direct, the writer drains, and the
 * ragged tail (and all later writes) goes through the page cache. */
static enum eif_status direct_finish(struct eif_outfile *out, struct eif_error *err)
{
	struct outfile_writer *w = out->writer;
	unsigned char *stage = out->stage;
	size_t aligned, tail;
	enum eif_status rc;

	if (!w)
		return EIF_OK;
	aligned = out->staged & ~(size_t)(DIRECT_ALIGN - 1);
	tail = out->staged - aligned;
	if (aligned) {
		writer_submit(w, aligned, out->stage_at);
		out->stage_at += aligned;
	}
	rc = writer_wait(w, 0, err);
	direct_off(out);
	if (rc == EIF_OK && tail) {
		rc = pwrite_full(out, stage + aligned, tail, out->stage_at, err);
		out->stage_at += tail;
	}
	writer_free(out);
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
		}
	}
	return EIF_OK;
}

void eif_outfile_share_stages(struct eif_outfile *out,
			      void (*wait)(void *ctx, unsigned long long fence), void *ctx)
{
	if (!out->writer)
		return;
	out->writer->readers_wait = wait;
	out->writer->readers_ctx = ctx;
}

unsigned char *eif_outfile_space(struct eif_outfile *out, size_t *cap)
{
	if (!out->stage)
		return NULL;
	*cap = DIRECT_STAGE - out->staged; /* a full stage goes at once: never 0 */
	return out->stage + out->staged;
}

enum eif_status eif_outfile_filled(struct eif_outfile *out, size_t len, unsigned long long fence,
				   struct eif_error *err)
{
	struct outfile_writer *w = out->writer;
	unsigned current = (unsigned)(w->submitted % WRITER_STAGES);

	w->fence[current] = fence;
	w->fenced[current] = 1;
	out->staged += len;
	out->written += len;
	return out->staged == DIRECT_STAGE ? stage_write(out, DIRECT_STAGE, err) : EIF_OK;
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
	writer_free(out); /* before the close: it may still be writing */
	if (out->fd >= 0)
		close(out->fd);
	out->fd = -1;
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
