/* Deterministic newc writer: directory trees, walked through descriptors (see cpio.h). */
#include "cpio_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- directory trees ---- */

/* The walk keeps its own stack of directories still to visit, so a deep tree costs heap,
 * not call stack (the library may run on a small thread stack). */
struct tree_walk {
	struct cpio_archive *archive;
	uint32_t input;
	const char *where;  /* "--dir 'SPEC'" */
	struct json_buf host; /* path on the host */
	struct json_buf name; /* archive name */
	char target[CPIO_NAME_MAX + 2]; /* readlink() result */
	char shown[CPIO_SHOWN_BUF];     /* host path as messages show it */
	struct stat st;                 /* the child just scanned */
	struct pending_dir *pending;    /* directories seen, not yet visited */
	size_t pending_count, pending_cap;
};

/* A subdirectory seen while its parent was open, entered later (so the walk holds one
 * descriptor at a time) and only if it is still the directory that was seen. */
struct pending_dir {
	char *host, *name;
	uint64_t dev, ino;
};

/* Open w->host as a directory: never through a symlink, except the tree's root, which the
 * caller named (expect == NULL); a listed subdirectory must still be the one listed. */
static enum eif_status open_directory(struct tree_walk *w, const struct pending_dir *expect,
				      DIR **dir, struct eif_error *err)
{
	const char *host = shown(w->host.data, w->shown);
	struct stat st;
	int fd, saved;

	fd = open(w->host.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (expect ? O_NOFOLLOW : 0));
	if (fd < 0) {
		saved = errno;
		eif_fail_errno(err, "%s: cannot open directory '%s'", w->where, host);
		return with_next_step(err, EIF_E_IO, saved == ELOOP || saved == ENOTDIR ?
				      "it was replaced while archiving: archive a quiescent tree" :
				      saved == ENAMETOOLONG ? "the host path is too long: give --dir "
				      "a deeper directory with a prefix" :
				      "make it readable or leave it out");
	}
	if (expect && (fstat(fd, &st) != 0 || (uint64_t)st.st_dev != expect->dev ||
		       (uint64_t)st.st_ino != expect->ino)) {
		close(fd);
		return eif_fail(err, EIF_E_IO, "%s: directory '%s' was replaced while archiving; "
				"archive a quiescent tree", w->where, host);
	}
	*dir = fdopendir(fd);
	if (!*dir) {
		eif_fail_errno(err, "%s: cannot read directory '%s'", w->where, host);
		close(fd);
		return EIF_E_IO;
	}
	return EIF_OK;
}

/* Add the child of directory fd dfd that w->host and w->name now name, looking at it
 * through dfd (never through a path a concurrent rename could redirect). *st gets its
 * metadata, so the caller can enter it when it is a directory. */
static enum eif_status scan_child(struct tree_walk *w, int dfd, const char *child, struct stat *st,
				  struct eif_error *err)
{
	struct cpio_archive *a = w->archive;
	struct cpio_entry e = {
		.uid = a->options.uid,
		.gid = a->options.gid,
		.input = w->input,
	};
	const char *host = shown(w->host.data, w->shown);
	enum eif_status rc;
	ssize_t n;

	if ((rc = cpio_name_check(w->name.data, w->name.len, w->where, host, err)) != EIF_OK)
		return rc;
	if (fstatat(dfd, child, st, AT_SYMLINK_NOFOLLOW) != 0) {
		int saved = errno;
		rc = eif_fail_errno(err, "%s: cannot stat '%s'", w->where, host);
		return with_next_step(err, rc, saved == ENOENT ? "it vanished: archive a quiescent tree" :
				      "make it accessible or leave it out");
	}
	/* Setuid/setgid are dropped: owners are rewritten, so they would change meaning. */
	e.mode = (uint32_t)(st->st_mode & S_IFMT) | (uint32_t)(st->st_mode & 01777);
	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
	case S_IFIFO:
		return cpio_entry_add(a, &e, w->name.data, w->name.len, err);
	case S_IFREG:
		if ((rc = cpio_file_source_check(w->where, dfd, child, host, st, err)) != EIF_OK)
			return rc;
		e.size = (uint64_t)st->st_size;
		e.host_dev = (uint64_t)st->st_dev;
		e.host_ino = (uint64_t)st->st_ino;
		return cpio_entry_add(a, &e, w->name.data, w->name.len, err);
	case S_IFLNK:
		n = readlinkat(dfd, child, w->target, sizeof(w->target) - 1);
		if (n < 0)
			return eif_fail_errno(err, "%s: cannot read symlink '%s'", w->where, host);
		if ((size_t)n > CPIO_NAME_MAX)
			return eif_fail(err, EIF_E_LIMIT, "%s: symlink '%s' has a target longer "
					"than the %u bytes the kernel unpacker accepts; shorten it",
					w->where, host, CPIO_NAME_MAX);
		w->target[n] = '\0';
		if (!(e.source = cpio_strndup(a, w->target, (size_t)n)))
			return out_of_memory(err);
		e.size = (uint64_t)n;
		return cpio_entry_add(a, &e, w->name.data, w->name.len, err);
	default:
		return eif_fail(err, EIF_E_USAGE, "%s: '%s' is a %s; device nodes and sockets are "
				"not taken from directory trees: leave it out and declare a device "
				"with a list line such as 'nod /dev/console 0600 0 0 c 5 1'",
				w->where, host, cpio_type_name((uint32_t)st->st_mode));
	}
}

/* Point w->host and w->name at child (appended to the current directory). */
static bool walk_enter(struct tree_walk *w, const char *child)
{
	size_t n = strlen(child);
	bool at_slash = w->host.len && w->host.data[w->host.len - 1] == '/'; /* --dir / */

	return (at_slash || strbuf_append(&w->host, "/", 1)) && strbuf_append(&w->host, child, n) &&
	       (!w->name.len || strbuf_append(&w->name, "/", 1)) &&
	       strbuf_append(&w->name, child, n);
}

/* Remember the directory w->host and w->name now name (just stat'ed into w->st). */
static bool push_pending(struct tree_walk *w)
{
	struct pending_dir *grown = eif_array_grow(w->pending, &w->pending_cap,
						   w->pending_count + 1, sizeof(*grown));
	char *host, *name;

	if (!grown)
		return false;
	w->pending = grown;
	host = strdup(w->host.data);
	name = strdup(w->name.data);
	if (!host || !name) {
		free(host);
		free(name);
		return false;
	}
	w->pending[w->pending_count++] = (struct pending_dir){ host, name, (uint64_t)w->st.st_dev,
							       (uint64_t)w->st.st_ino };
	return true;
}

/* Add every child of the directory w->host names; subdirectories go on w->pending. */
static enum eif_status scan_directory(struct tree_walk *w, const struct pending_dir *expect,
				      struct eif_error *err)
{
	size_t host_len = w->host.len, name_len = w->name.len;
	enum eif_status rc;
	struct dirent *d;
	DIR *dir = NULL;

	if ((rc = open_directory(w, expect, &dir, err)) != EIF_OK)
		return rc;
	while (rc == EIF_OK) {
		errno = 0;
		if (!(d = readdir(dir))) {
			if (errno != 0)
				rc = eif_fail_errno(err, "%s: cannot read directory '%s'", w->where,
						    shown(w->host.data, w->shown));
			break;
		}
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (!walk_enter(w, d->d_name))
			rc = out_of_memory(err);
		else if ((rc = scan_child(w, dirfd(dir), d->d_name, &w->st, err)) == EIF_OK &&
			 S_ISDIR(w->st.st_mode) && !push_pending(w))
			rc = out_of_memory(err);
		strbuf_truncate(&w->host, host_len);
		strbuf_truncate(&w->name, name_len);
	}
	closedir(dir);
	return rc;
}

/* Visit the root (w->host, w->name), then every directory found, last found first. */
static enum eif_status scan_tree(struct tree_walk *w, struct eif_error *err)
{
	enum eif_status rc = scan_directory(w, NULL, err);

	while (w->pending_count) {
		struct pending_dir p = w->pending[--w->pending_count];

		if (rc == EIF_OK) {
			strbuf_truncate(&w->host, 0);
			strbuf_truncate(&w->name, 0);
			if (!strbuf_append(&w->host, p.host, strlen(p.host)) ||
			    !strbuf_append(&w->name, p.name, strlen(p.name)))
				rc = out_of_memory(err);
			else
				rc = scan_directory(w, &p, err);
		}
		free(p.host);
		free(p.name);
	}
	free(w->pending);
	return rc;
}

enum eif_status cpio_add_tree(struct cpio_archive *a, const char *prefix, const char *path,
			      struct eif_error *err)
{
	struct tree_walk w = { .archive = a, .input = (uint32_t)a->input_count };
	char where[512];
	enum eif_status rc;
	struct stat st;

	if (!prefix)
		prefix = "";
	snprintf(where, sizeof(where), "--dir '%s%s%s'", prefix, *prefix ? "=" : "", path);
	w.where = where;
	if (stat(path, &st) != 0)
		return eif_fail_errno(err, "%s: cannot use '%s' as a tree", where, path);
	if (!S_ISDIR(st.st_mode))
		return eif_fail(err, EIF_E_USAGE, "%s: '%s' is a %s, not a directory; give the "
				"directory to pack", where, path, cpio_type_name((uint32_t)st.st_mode));
	if (*prefix) {
		rc = cpio_name_normalize(prefix, &w.name, where, err);
		if (rc == EIF_OK && w.name.len == 0)
			rc = eif_fail(err, EIF_E_USAGE, "%s: prefix '%s' names the archive root; "
				      "write --dir '%s' without a prefix", where, prefix, path);
	} else {
		rc = strbuf_append(&w.name, "", 0) ? EIF_OK : out_of_memory(err);
	}
	if (rc == EIF_OK)
		rc = cpio_input_add(a, INPUT_TREE, path, w.name.data, err);
	if (rc == EIF_OK)
		rc = cpio_implied_dirs(a, w.name.data, w.name.len, true, w.input, 0, err);
	if (rc == EIF_OK)
		rc = strbuf_append(&w.host, path, strlen(path)) ? EIF_OK : out_of_memory(err);
	/* "a/" + "/x" would work, but "a/x" reads better in messages. */
	while (rc == EIF_OK && w.host.len > 1 && w.host.data[w.host.len - 1] == '/')
		strbuf_truncate(&w.host, w.host.len - 1);
	if (rc == EIF_OK)
		rc = scan_tree(&w, err);
	free(w.host.data);
	free(w.name.data);
	return rc;
}
