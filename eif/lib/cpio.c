/* Deterministic newc initramfs writer: the archive, entries made in memory, and the writer
 * (see cpio.h; trees in cpio_tree.c, list files in cpio_list.c, checks in cpio_check.c). */
#include "cpio_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

/* Strings live as long as the archive: one arena, freed at once. */
const char *cpio_strndup(struct cpio_archive *a, const char *s, size_t n)
{
	char *p = eif_arena_alloc(&a->arena, n + 1, 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

struct cpio_archive *cpio_archive_new(const struct cpio_options *options, struct eif_error *err)
{
	struct cpio_archive *a = calloc(1, sizeof(*a));

	if (!a) {
		out_of_memory(err);
		return NULL;
	}
	a->options = *options;
	return a;
}

void cpio_archive_free(struct cpio_archive *a)
{
	if (!a)
		return;
	eif_arena_free(&a->arena);
	free(a->inputs);
	free(a->entries);
	free(a->groups);
	free(a);
}

/* "--dir 'rootfs=PATH'" or "list 'F' line N", for messages. */
const char *cpio_origin(const struct cpio_archive *a, const struct cpio_entry *e,
			char *buf, size_t size)
{
	const struct cpio_input *in = &a->inputs[e->input];
	const char *implied = e->implied ? "a directory implied by " : "";

	if (in->kind == INPUT_MEMORY)
		snprintf(buf, size, "%s%s", implied, in->path);
	else if (in->kind == INPUT_TREE)
		snprintf(buf, size, "%s--dir '%s%s%s'", implied, in->prefix,
			 in->prefix_len ? "=" : "", in->path);
	else
		snprintf(buf, size, "%slist '%s' line %u", implied, in->path, e->line);
	return buf;
}

const char *cpio_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFIFO: return "FIFO";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "character device";
	case S_IFBLK: return "block device";
	default: return "file of unknown type";
	}
}

enum eif_status cpio_input_add(struct cpio_archive *a, enum input_kind kind, const char *path,
			       const char *prefix, struct eif_error *err)
{
	struct cpio_input *in;

	if (a->input_count >= UINT32_MAX ||
	    !(in = eif_array_grow(a->inputs, &a->input_cap, a->input_count + 1, sizeof(*in))))
		return out_of_memory(err);
	a->inputs = in;
	in = &a->inputs[a->input_count];
	in->kind = kind;
	in->path = cpio_strndup(a, path, strlen(path));
	in->prefix = cpio_strndup(a, prefix, strlen(prefix));
	in->prefix_len = strlen(prefix);
	if (!in->path || !in->prefix)
		return out_of_memory(err);
	a->input_count++;
	return EIF_OK;
}

/* Append an entry whose name (and source) are copied into the arena. */
enum eif_status cpio_entry_add(struct cpio_archive *a, const struct cpio_entry *proto,
			       const char *name, size_t name_len, struct eif_error *err)
{
	struct cpio_entry *e = eif_array_grow(a->entries, &a->entry_cap, a->entry_count + 1,
					      sizeof(*e));

	if (!e)
		return out_of_memory(err);
	a->entries = e;
	e = &a->entries[a->entry_count];
	*e = *proto;
	e->name = cpio_strndup(a, name, name_len);
	if (!e->name)
		return out_of_memory(err);
	e->name_len = (uint32_t)name_len;
	e->seq = a->entry_count++;
	return EIF_OK;
}

/* A new hard-link group of members names: its index + 1 (what entries store), 0 if no memory. */
size_t cpio_group_add(struct cpio_archive *a, uint32_t members)
{
	struct link_group *g = eif_array_grow(a->groups, &a->group_cap, a->group_count + 1,
					      sizeof(*g));

	if (!g)
		return 0;
	a->groups = g;
	a->groups[a->group_count] = (struct link_group){ .members = members };
	return ++a->group_count;
}

/* Check a normalized archive name against what the format and the unpacker accept;
 * display is what the message calls it (the host path of a tree entry, a list's name). */
enum eif_status cpio_name_check(const char *name, size_t len, const char *where,
				const char *display, struct eif_error *err)
{
	if (len > CPIO_NAME_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: '%s': name of %zu bytes is longer than the %u "
				"the kernel unpacker accepts; shorten the path", where, display, len,
				CPIO_NAME_MAX);
	if (strcmp(name, CPIO_TRAILER_NAME) == 0)
		return eif_fail(err, EIF_E_USAGE, "%s: '%s': an entry named '" CPIO_TRAILER_NAME "' at "
				"the archive root would end the archive early; rename it or give "
				"it a prefix", where, display);
	return EIF_OK;
}

/* Normalize a list or prefix name into buf: strip leading '/', empty and "." components
 * and a trailing '/'. ".." components are refused: the name could leave the root. */
enum eif_status cpio_name_normalize(const char *in, struct json_buf *out, const char *where,
				    struct eif_error *err)
{
	char buf[CPIO_SHOWN_BUF];
	const char *p = in;

	strbuf_truncate(out, 0);
	while (*p) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return eif_fail(err, EIF_E_USAGE, "%s: name '%s' has a '..' component, which "
					"could leave the archive root; write the path without '..'",
					where, shown(in, buf));
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if ((out->len && !strbuf_append(out, "/", 1)) || !strbuf_append(out, p, n))
				return out_of_memory(err);
		}
		p += n;
	}
	if (out->len == 0 && !strbuf_append(out, "", 0))
		return out_of_memory(err);
	return cpio_name_check(out->data, out->len, where, shown(in, buf), err);
}

/* Add implied 0755 directories for every proper ancestor of name (and name itself when
 * include_self); duplicates are merged when the archive is written. */
enum eif_status cpio_implied_dirs(struct cpio_archive *a, const char *name, size_t len,
				  bool include_self, uint32_t input, uint32_t line,
				  struct eif_error *err)
{
	struct cpio_entry proto = {
		.mode = S_IFDIR | CPIO_IMPLIED_DIR_MODE,
		.uid = a->options.uid,
		.gid = a->options.gid,
		.input = input,
		.line = line,
		.implied = true,
	};
	enum eif_status rc;

	for (size_t i = 1; i <= len; i++) {
		if (i < len ? name[i] != '/' : !include_self)
			continue;
		if ((rc = cpio_entry_add(a, &proto, name, i, err)) != EIF_OK)
			return rc;
	}
	return EIF_OK;
}

/* A regular file's data must fit newc's 32-bit size and be readable, checked before any output. */
/* path is relative to directory fd dfd (AT_FDCWD: to the current directory). */
enum eif_status cpio_file_source_check(const char *where, int dfd, const char *path,
				       const char *display, const struct stat *st,
				       struct eif_error *err)
{
	if ((uint64_t)st->st_size >= CPIO_FILE_LIMIT)
		return eif_fail(err, EIF_E_LIMIT, "%s: '%s' has %llu bytes, but newc stores at most "
				"4 GiB - 1 per file; split the file or leave it out of the ramdisk",
				where, display, (unsigned long long)st->st_size);
	if (faccessat(dfd, path, R_OK, AT_EACCESS) != 0)
		return with_next_step(err, eif_fail_errno(err, "%s: cannot read '%s'", where,
							  display),
				      "make it readable or leave it out");
	return EIF_OK;
}


/* ---- entries made in memory ---- */

enum eif_status cpio_add_source(struct cpio_archive *a, const char *where, const char *prefix,
				int data_fd, uint32_t *source, struct eif_error *err)
{
	struct json_buf name = { 0 };
	enum eif_status rc;

	*source = (uint32_t)a->input_count;
	rc = cpio_name_normalize(prefix ? prefix : "", &name, where, err);
	if (rc == EIF_OK)
		rc = cpio_input_add(a, INPUT_MEMORY, where, name.data, err);
	if (rc == EIF_OK) {
		a->inputs[*source].data_fd = data_fd;
		rc = cpio_implied_dirs(a, name.data, name.len, true, *source, 0, err);
	}
	free(name.data);
	return rc;
}

size_t cpio_add_link_group(struct cpio_archive *a, uint32_t members)
{
	return cpio_group_add(a, members);
}

enum eif_status cpio_add_node(struct cpio_archive *a, uint32_t source, const struct cpio_node *node,
			      struct eif_error *err)
{
	const struct cpio_input *in = &a->inputs[source];
	struct cpio_entry e = {
		.mode = node->mode,
		.uid = a->options.owner_override ? a->options.uid : node->uid,
		.gid = a->options.owner_override ? a->options.gid : node->gid,
		.rdev_major = node->rdev_major,
		.rdev_minor = node->rdev_minor,
		.size = node->size,
		.data_offset = node->data_offset,
		.group = node->link_group,
		.input = source,
	};
	char buf[CPIO_SHOWN_BUF];
	struct json_buf name = { 0 };
	enum eif_status rc = EIF_OK;

	if ((in->prefix_len && (!strbuf_append(&name, in->prefix, in->prefix_len) ||
				!strbuf_append(&name, "/", 1))) ||
	    !strbuf_append(&name, node->name, strlen(node->name)))
		rc = out_of_memory(err);
	else if ((rc = cpio_name_check(name.data, name.len, in->path, shown(name.data, buf),
					err)) != EIF_OK)
		;
	else if (S_ISREG(node->mode) && node->size >= CPIO_FILE_LIMIT)
		rc = eif_fail(err, EIF_E_LIMIT, "%s: '%s' has %llu bytes, but newc stores at most "
			      "4 GiB - 1 per file; leave it out of the image", in->path,
			      shown(name.data, buf), (unsigned long long)node->size);
	else if ((S_ISCHR(node->mode) || S_ISBLK(node->mode)) &&
		 (node->rdev_major > CPIO_MAJOR_MAX || node->rdev_minor > CPIO_MINOR_MAX))
		rc = eif_fail(err, EIF_E_LIMIT, "%s: device '%s' is %u:%u, beyond the %u:%u the "
			      "kernel packs; leave it out of the image", in->path, shown(name.data, buf),
			      node->rdev_major, node->rdev_minor, CPIO_MAJOR_MAX, CPIO_MINOR_MAX);
	else if (S_ISLNK(node->mode) && !(e.source = cpio_strndup(a, node->target,
								  strlen(node->target))))
		rc = out_of_memory(err);
	if (rc == EIF_OK && S_ISLNK(node->mode))
		e.size = strlen(node->target);
	if (rc == EIF_OK)
		rc = cpio_entry_add(a, &e, name.data, name.len, err);
	free(name.data);
	return rc;
}


/* ---- writing ---- */

struct cpio_writer {
	struct eif_outfile *out;
	unsigned char *buf;
	size_t used;
	uint64_t offset; /* bytes of archive so far, for alignment */
	EVP_MD_CTX *md;  /* with a report: hashes each body */
	EVP_MD_CTX *all; /* with a report: hashes the archive */
	unsigned char head[CPIO_ELF_HEAD]; /* with options.elf_machine: a body's first bytes */
	size_t head_len;
};

/* With a report, body bytes also go through the digest; the first ones are kept for the
 * ELF check. */
static enum eif_status writer_hash(struct cpio_writer *w, const void *data, size_t n,
				   struct eif_error *err)
{
	size_t keep = sizeof(w->head) - w->head_len;

	memcpy(w->head + w->head_len, data, n < keep ? n : keep);
	w->head_len += n < keep ? n : keep;
	if (w->md && !EVP_DigestUpdate(w->md, data, n))
		return eif_fail(err, EIF_E_CRYPTO, "cpio: SHA-256 failed");
	return EIF_OK;
}

static enum eif_status writer_flush(struct cpio_writer *w, struct eif_error *err)
{
	enum eif_status rc = EIF_OK;

	if (w->used && w->all && !EVP_DigestUpdate(w->all, w->buf, w->used))
		rc = eif_fail(err, EIF_E_CRYPTO, "cpio: SHA-256 failed");
	else if (w->used)
		rc = eif_outfile_write(w->out, w->buf, w->used, err);
	w->used = 0;
	return rc;
}

static enum eif_status writer_put(struct cpio_writer *w, const void *data, size_t n,
				  struct eif_error *err)
{
	const unsigned char *p = data;

	while (n) {
		size_t room = CPIO_BUFFER_SIZE - w->used, step = n < room ? n : room;
		enum eif_status rc;

		memcpy(w->buf + w->used, p, step);
		w->used += step;
		w->offset += step;
		p += step;
		n -= step;
		if (w->used == CPIO_BUFFER_SIZE && (rc = writer_flush(w, err)) != EIF_OK)
			return rc;
	}
	return EIF_OK;
}

/* The one padding rule: NULs up to the next multiple of align. */
static enum eif_status writer_pad(struct cpio_writer *w, unsigned align, struct eif_error *err)
{
	static const unsigned char zeros[CPIO_TAIL_ALIGN];
	size_t n = (size_t)((align - w->offset % align) % align);

	return writer_put(w, zeros, n, err);
}

struct cpio_header {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, rdev_major, rdev_minor;
};

/* Header, name and NUL, padded to 4. */
static enum eif_status write_header(struct cpio_writer *w, const struct cpio_header *h,
				    const char *name, size_t name_len, struct eif_error *err)
{
	static const char digits[] = "0123456789abcdef";
	const uint32_t fields[13] = {
		h->ino, h->mode, h->uid, h->gid, h->nlink, h->mtime, h->filesize,
		CPIO_DEV_MAJOR, CPIO_DEV_MINOR, h->rdev_major, h->rdev_minor,
		(uint32_t)name_len + 1, 0,
	};
	unsigned char hdr[CPIO_HEADER_SIZE];
	enum eif_status rc;

	memcpy(hdr, "070701", 6);
	for (int f = 0; f < 13; f++)
		for (int i = 0; i < 8; i++)
			hdr[6 + 8 * f + i] = (unsigned char)digits[(fields[f] >> (28 - 4 * i)) & 15];
	if ((rc = writer_put(w, hdr, sizeof(hdr), err)) != EIF_OK ||
	    (rc = writer_put(w, name, name_len + 1, err)) != EIF_OK)
		return rc;
	return writer_pad(w, 4, err);
}

/* Host path of a regular file's data into path. */
static bool source_path(const struct cpio_archive *a, const struct cpio_entry *e,
			struct json_buf *path)
{
	const struct cpio_input *in = &a->inputs[e->input];
	const char *rel;

	strbuf_truncate(path, 0);
	if (e->source)
		return strbuf_append(path, e->source, strlen(e->source));
	rel = e->name + in->prefix_len + (in->prefix_len ? 1 : 0);
	return strbuf_append(path, in->path, strlen(in->path)) && strbuf_append(path, "/", 1) &&
	       strbuf_append(path, rel, strlen(rel));
}

static bool same_time(const struct timespec *x, const struct timespec *y)
{
	return x->tv_sec == y->tv_sec && x->tv_nsec == y->tv_nsec;
}

/* Stream exactly e->size bytes of the file through the buffer and prove nothing moved. */
static enum eif_status write_file_data(struct cpio_writer *w, const struct cpio_archive *a,
				       const struct cpio_entry *e, struct json_buf *path,
				       struct eif_error *err)
{
	const bool from_tree = a->inputs[e->input].kind == INPUT_TREE;
	uint64_t left = e->size;
	struct stat before, after;
	enum eif_status rc = EIF_OK;
	char name_buf[CPIO_SHOWN_BUF], path_buf[CPIO_SHOWN_BUF];
	const char *name = shown(e->name, name_buf), *host;
	unsigned char extra;
	ssize_t n;
	int fd;

	if (!source_path(a, e, path))
		return out_of_memory(err);
	host = shown(path->data, path_buf);
	fd = open(path->data, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (from_tree ? O_NOFOLLOW : 0));
	if (fd < 0)
		return with_next_step(err, eif_fail_errno(err, "'%s': cannot open '%s'", name,
							  host),
				      "if it changed since it was listed, archive a quiescent tree");
	if (fstat(fd, &before) != 0) {
		rc = eif_fail_errno(err, "'%s': cannot stat '%s'", name, host);
		goto out;
	}
	if (!S_ISREG(before.st_mode) || (uint64_t)before.st_dev != e->host_dev ||
	    (uint64_t)before.st_ino != e->host_ino) {
		rc = eif_fail(err, EIF_E_IO, "'%s': '%s' was replaced while archiving; archive a "
			      "quiescent tree", name, host);
		goto out;
	}
	if ((uint64_t)before.st_size != e->size) {
		rc = eif_fail(err, EIF_E_IO, "'%s': '%s' changed size from %llu to %llu bytes while "
			      "archiving; archive a quiescent tree", name, host,
			      (unsigned long long)e->size, (unsigned long long)before.st_size);
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL); /* only a hint: its result does not matter */
	while (left) {
		size_t room = CPIO_BUFFER_SIZE - w->used;
		n = read(fd, w->buf + w->used, left < room ? (size_t)left : room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = eif_fail_errno(err, "'%s': read of '%s' failed", name, host);
			goto out;
		}
		if (n == 0) {
			rc = eif_fail(err, EIF_E_IO, "'%s': '%s' shrank from %llu to %llu bytes while "
				      "being read; archive a quiescent tree", name, host,
				      (unsigned long long)e->size,
				      (unsigned long long)(e->size - left));
			goto out;
		}
		if ((rc = writer_hash(w, w->buf + w->used, (size_t)n, err)) != EIF_OK)
			goto out;
		w->used += (size_t)n;
		w->offset += (uint64_t)n;
		left -= (uint64_t)n;
		if (w->used == CPIO_BUFFER_SIZE && (rc = writer_flush(w, err)) != EIF_OK)
			goto out;
	}
	do
		n = read(fd, &extra, 1);
	while (n < 0 && errno == EINTR);
	if (n != 0 || fstat(fd, &after) != 0 || (uint64_t)after.st_size != e->size ||
	    !same_time(&before.st_mtim, &after.st_mtim)) {
		rc = eif_fail(err, EIF_E_IO, "'%s': '%s' grew or was rewritten while being read "
			      "(%llu bytes expected); archive a quiescent tree", name, host,
			      (unsigned long long)e->size);
		goto out;
	}
	rc = writer_pad(w, 4, err);
out:
	close(fd);
	return rc;
}

/* A memory entry's data: exactly e->size bytes at e->data_offset of its source's file. */
static enum eif_status write_memory_data(struct cpio_writer *w, const struct cpio_archive *a,
					 const struct cpio_entry *e, struct eif_error *err)
{
	const struct cpio_input *in = &a->inputs[e->input];
	uint64_t left = e->size, at = e->data_offset;
	char name_buf[CPIO_SHOWN_BUF];
	enum eif_status rc;

	while (left) {
		size_t room = CPIO_BUFFER_SIZE - w->used;
		ssize_t n = pread(in->data_fd, w->buf + w->used, left < room ? (size_t)left : room,
				  (off_t)at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return with_next_step(err, n < 0 ? eif_fail_errno(err, "%s: '%s': cannot read "
							  "its data", in->path, shown(e->name, name_buf)) :
					      eif_fail(err, EIF_E_IO, "%s: '%s': its data ends early",
						       in->path, shown(e->name, name_buf)),
					      "check the temporary directory's disk");
		if ((rc = writer_hash(w, w->buf + w->used, (size_t)n, err)) != EIF_OK)
			return rc;
		w->used += (size_t)n;
		w->offset += (uint64_t)n;
		at += (uint64_t)n;
		left -= (uint64_t)n;
		if (w->used == CPIO_BUFFER_SIZE && (rc = writer_flush(w, err)) != EIF_OK)
			return rc;
	}
	return writer_pad(w, 4, err);
}

void cpio_set_report(struct cpio_archive *a, cpio_report_fn report, void *ctx)
{
	a->report = report;
	a->report_ctx = ctx;
}

/* Every written entry to the report, hard-link members with their group's digest. */
static enum eif_status report_entries(const struct cpio_archive *a, struct cpio_writer *w,
				      unsigned char (*digests)[32], struct eif_error *err)
{
	/* and the whole archive, its digest in the spare slot after the entries' */
	struct cpio_entry_info whole = { .size = w->offset, .sha256 = digests[a->entry_count] };
	enum eif_status rc = EIF_OK;

	for (size_t i = 0; i < a->entry_count && rc == EIF_OK; i++) {
		const struct cpio_entry *e = &a->entries[i];
		const struct cpio_input *in = &a->inputs[e->input];
		size_t body = e->group ? a->groups[e->group - 1].body : i;
		struct cpio_entry_info info = {
			.name = e->name, .mode = e->mode, .uid = e->uid, .gid = e->gid,
			.rdev_major = e->rdev_major, .rdev_minor = e->rdev_minor,
		};

		if (S_ISREG(e->mode) || S_ISLNK(e->mode)) {
			info.size = e->size;
			info.sha256 = digests[body];
		}
		if (S_ISLNK(e->mode))
			info.target = e->source;
		info.origin = e->implied ? CPIO_IMPLIED : in->kind == INPUT_TREE ? CPIO_FROM_TREE :
			      in->kind == INPUT_LIST ? CPIO_FROM_LIST : CPIO_FROM_MEMORY;
		if (info.origin == CPIO_FROM_TREE)
			info.origin_path = e->name + in->prefix_len + (in->prefix_len ? 1 : 0);
		else if (info.origin == CPIO_FROM_LIST && S_ISREG(e->mode))
			info.origin_path = e->source + e->location;
		rc = a->report(a->report_ctx, &info, err);
	}
	if (rc == EIF_OK && !EVP_DigestFinal_ex(w->all, digests[a->entry_count], NULL))
		rc = eif_fail(err, EIF_E_CRYPTO, "cpio: SHA-256 failed");
	return rc == EIF_OK ? a->report(a->report_ctx, &whole, err) : rc;
}

enum eif_status cpio_write(struct cpio_archive *a, struct eif_outfile *out, uint64_t *entries,
			   struct eif_error *err)
{
	unsigned char (*digests)[32] = NULL;
	struct cpio_writer w = { .out = out };
	struct json_buf path = { 0 };
	uint32_t next_ino = CPIO_FIRST_INO;
	enum eif_status rc;

	if (a->written)
		return eif_fail(err, EIF_E_USAGE, "cpio: this archive was already written; build a "
				"new one");
	a->foreign_elf = 0;
	a->written = true;
	if ((rc = cpio_check_set(a, err)) != EIF_OK)
		return rc;
	if (a->entry_count >= UINT32_MAX - CPIO_FIRST_INO)
		return eif_fail(err, EIF_E_LIMIT, "cpio: %zu entries exceed the 32-bit inode "
				"numbers of newc; split the archive", a->entry_count);
	if (!(w.buf = malloc(CPIO_BUFFER_SIZE)) ||
	    (a->report && (!(w.md = EVP_MD_CTX_new()) || !(w.all = EVP_MD_CTX_new()) ||
			   !EVP_DigestInit_ex(w.all, EVP_sha256(), NULL) ||
			   !(digests = calloc(a->entry_count + 1, sizeof(*digests)))))) {
		free(w.buf);
		EVP_MD_CTX_free(w.md);
		EVP_MD_CTX_free(w.all);
		return out_of_memory(err);
	}
	for (size_t i = 0; i < a->entry_count && rc == EIF_OK; i++) {
		const struct cpio_entry *e = &a->entries[i];
		struct link_group *g = e->group ? &a->groups[e->group - 1] : NULL;
		struct cpio_header h = {
			.mode = e->mode,
			.uid = e->uid,
			.gid = e->gid,
			.nlink = S_ISDIR(e->mode) ? 2 : 1,
			.mtime = a->options.mtime,
			.rdev_major = e->rdev_major,
			.rdev_minor = e->rdev_minor,
		};
		bool has_body = S_ISREG(e->mode) || S_ISLNK(e->mode);

		if (g) { /* one inode number per group; the data rides on the last member */
			if (g->emitted == 0)
				g->ino = next_ino++;
			h.ino = g->ino;
			h.nlink = g->members;
			has_body = ++g->emitted == g->members;
		} else {
			h.ino = next_ino++;
		}
		h.filesize = has_body ? (uint32_t)e->size : 0;
		rc = write_header(&w, &h, e->name, e->name_len, err);
		if (rc != EIF_OK || !has_body)
			continue;
		if (g)
			g->body = i;
		w.head_len = 0;
		if (w.md && !EVP_DigestInit_ex(w.md, EVP_sha256(), NULL))
			rc = eif_fail(err, EIF_E_CRYPTO, "cpio: cannot start SHA-256");
		else if (S_ISREG(e->mode) && a->inputs[e->input].kind == INPUT_MEMORY)
			rc = write_memory_data(&w, a, e, err);
		else if (S_ISREG(e->mode))
			rc = write_file_data(&w, a, e, &path, err);
		else if ((rc = writer_put(&w, e->source, (size_t)e->size, err)) == EIF_OK &&
			 (rc = writer_hash(&w, e->source, (size_t)e->size, err)) == EIF_OK)
			rc = writer_pad(&w, 4, err);
		if (rc == EIF_OK && w.md && !EVP_DigestFinal_ex(w.md, digests[i], NULL))
			rc = eif_fail(err, EIF_E_CRYPTO, "cpio: SHA-256 failed");
		if (rc == EIF_OK && S_ISREG(e->mode))
			cpio_note_elf(a, e, w.head, w.head_len);
	}
	if (rc == EIF_OK) {
		const struct cpio_header trailer = { .ino = next_ino, .nlink = 1 };
		rc = write_header(&w, &trailer, CPIO_TRAILER_NAME, strlen(CPIO_TRAILER_NAME), err);
	}
	if (rc == EIF_OK)
		rc = writer_pad(&w, CPIO_TAIL_ALIGN, err);
	if (rc == EIF_OK)
		rc = writer_flush(&w, err);
	if (rc == EIF_OK && a->report)
		rc = report_entries(a, &w, digests, err);
	if (rc == EIF_OK && entries)
		*entries = a->entry_count;
	EVP_MD_CTX_free(w.md);
	EVP_MD_CTX_free(w.all);
	free(digests);
	free(w.buf);
	free(path.data);
	return rc;
}

enum eif_status cpio_write_path(struct cpio_archive *a, const char *path, uint64_t *entries,
				struct eif_error *err)
{
	struct eif_outfile out;

	if (eif_outfile_open(&out, path, err) != EIF_OK)
		return err->code;
	if (cpio_write(a, &out, entries, err) != EIF_OK || eif_outfile_commit(&out, err) != EIF_OK) {
		eif_outfile_abort(&out);
		return err->code;
	}
	return EIF_OK;
}
