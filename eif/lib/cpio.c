/* Deterministic newc initramfs writer: collect entries, sort, check, stream (see cpio.h). */
#include <eif/cpio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include <openssl/evp.h>

#define CPIO_HEADER_SIZE 110
#define CPIO_FILE_LIMIT 0x100000000ULL /* newc's filesize field is 32 bits */
#define CPIO_BUFFER_SIZE (256u * 1024u)
#define CPIO_DEV_MAJOR 3 /* constant dev 3:1, as gocpio and gen_init_cpio write */
#define CPIO_DEV_MINOR 1
#define CPIO_TAIL_ALIGN 512
/* The kernel packs device numbers as MKDEV(major, minor): 12 and 20 bits. */
#define CPIO_MAJOR_MAX 4095u
#define CPIO_MINOR_MAX 1048575u

enum input_kind { INPUT_TREE, INPUT_LIST, INPUT_MEMORY };

struct cpio_input {
	enum input_kind kind;
	const char *path;   /* tree root or list file, as given */
	const char *prefix; /* tree: normalized prefix, "" for the archive root */
	size_t prefix_len;
	int data_fd;        /* memory: where regular-file data lies */
};

struct cpio_entry {
	const char *name;   /* normalized: no leading '/', no empty, "." or ".." components */
	const char *source; /* symlink: target; list file: host location; tree file: NULL */
	uint64_t size;      /* regular file: size when scanned */
	uint64_t host_dev, host_ino; /* regular file: identity when scanned, checked on read */
	uint64_t data_offset; /* memory regular file: offset of its data in data_fd */
	size_t seq;         /* insertion order, to make the sort total */
	size_t group;       /* hard-link group index + 1; 0: not linked */
	uint32_t name_len;
	uint32_t mode;      /* S_IF* type | permission bits */
	uint32_t uid, gid;
	uint32_t rdev_major, rdev_minor;
	uint32_t input;     /* index into inputs */
	uint32_t line;      /* list line number; 0 for tree entries */
	uint32_t location;  /* list file: where LOCATION as written starts in source */
	bool implied;       /* a directory nobody declared, needed as a parent */
};

struct link_group {
	uint32_t members, emitted, ino;
	size_t body; /* index of the member that carries the data */
};

struct cpio_archive {
	struct cpio_options options;
	struct eif_arena arena;
	struct cpio_input *inputs;
	size_t input_count, input_cap;
	struct cpio_entry *entries;
	size_t entry_count, entry_cap;
	struct link_group *groups;
	size_t group_count, group_cap;
	bool written; /* cpio_write sorts and merges in place: one archive, one write */
	cpio_report_fn report; /* cpio_set_report */
	void *report_ctx;
};

/* A growable NUL-terminated string for paths built during the walk. */
struct strbuf {
	char *s;
	size_t len, cap;
};

static enum eif_status out_of_memory(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "cpio: out of memory; free memory or archive less");
}

/* Long paths and names are shown by their last bytes, so a message keeps room for its cause
 * and next step (and its tail is the part that tells entries apart). */
#define CPIO_SHOWN_MAX 240
#define CPIO_SHOWN_BUF (CPIO_SHOWN_MAX + 4)
static const char *shown(const char *s, char buf[CPIO_SHOWN_BUF])
{
	size_t n = strlen(s);

	if (n <= CPIO_SHOWN_MAX)
		return s;
	memcpy(buf, "...", 3);
	memcpy(buf + 3, s + n - CPIO_SHOWN_MAX, CPIO_SHOWN_MAX + 1);
	return buf;
}

/* Append "; step" to a message just made, so the next step follows the system's reason. */
static enum eif_status with_next_step(struct eif_error *err, enum eif_status rc, const char *step)
{
	size_t used;

	if (!err)
		return rc;
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, "; %s", step);
	return rc;
}

/* Room for need elements: the array, maybe moved, or NULL (the old one is kept) on failure. */
static void *grow(void *array, size_t *cap, size_t need, size_t elem)
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

static bool strbuf_append(struct strbuf *b, const char *s, size_t n)
{
	size_t need;
	char *p;

	if (!eif_add_size(b->len, n, &need) || !eif_add_size(need, 1, &need) ||
	    !(p = grow(b->s, &b->cap, need, 1)))
		return false;
	b->s = p;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return true;
}

static void strbuf_truncate(struct strbuf *b, size_t len)
{
	b->len = len;
	if (b->s)
		b->s[len] = '\0';
}

/* Strings live as long as the archive: one arena, freed at once. */
static const char *arena_strndup(struct cpio_archive *a, const char *s, size_t n)
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
static const char *describe_origin(const struct cpio_archive *a, const struct cpio_entry *e,
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

static const char *type_name(uint32_t mode)
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

static enum eif_status add_input(struct cpio_archive *a, enum input_kind kind, const char *path,
				 const char *prefix, struct eif_error *err)
{
	struct cpio_input *in;

	if (a->input_count >= UINT32_MAX ||
	    !(in = grow(a->inputs, &a->input_cap, a->input_count + 1, sizeof(*in))))
		return out_of_memory(err);
	a->inputs = in;
	in = &a->inputs[a->input_count];
	in->kind = kind;
	in->path = arena_strndup(a, path, strlen(path));
	in->prefix = arena_strndup(a, prefix, strlen(prefix));
	in->prefix_len = strlen(prefix);
	if (!in->path || !in->prefix)
		return out_of_memory(err);
	a->input_count++;
	return EIF_OK;
}

/* Append an entry whose name (and source) are copied into the arena. */
static enum eif_status add_entry(struct cpio_archive *a, const struct cpio_entry *proto,
				 const char *name, size_t name_len, struct eif_error *err)
{
	struct cpio_entry *e = grow(a->entries, &a->entry_cap, a->entry_count + 1, sizeof(*e));

	if (!e)
		return out_of_memory(err);
	a->entries = e;
	e = &a->entries[a->entry_count];
	*e = *proto;
	e->name = arena_strndup(a, name, name_len);
	if (!e->name)
		return out_of_memory(err);
	e->name_len = (uint32_t)name_len;
	e->seq = a->entry_count++;
	return EIF_OK;
}

/* A new hard-link group of members names: its index + 1 (what entries store), 0 if no memory. */
static size_t add_group(struct cpio_archive *a, uint32_t members)
{
	struct link_group *g = grow(a->groups, &a->group_cap, a->group_count + 1, sizeof(*g));

	if (!g)
		return 0;
	a->groups = g;
	a->groups[a->group_count] = (struct link_group){ .members = members };
	return ++a->group_count;
}

/* Check a normalized archive name against what the format and the unpacker accept;
 * display is what the message calls it (the host path of a tree entry, a list's name). */
static enum eif_status check_name(const char *name, size_t len, const char *where,
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
static enum eif_status normalize_name(const char *in, struct strbuf *out, const char *where,
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
	return check_name(out->s, out->len, where, shown(in, buf), err);
}

/* Add implied 0755 directories for every proper ancestor of name (and name itself when
 * include_self); duplicates are merged when the archive is written. */
static enum eif_status add_implied_dirs(struct cpio_archive *a, const char *name, size_t len,
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
		if ((rc = add_entry(a, &proto, name, i, err)) != EIF_OK)
			return rc;
	}
	return EIF_OK;
}

/* A regular file's data must fit newc's 32-bit size and be readable, checked before any output. */
/* path is relative to directory fd dfd (AT_FDCWD: to the current directory). */
static enum eif_status check_file_source(const char *where, int dfd, const char *path,
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

/* ---- directory trees ---- */

/* The walk keeps its own stack of directories still to visit, so a deep tree costs heap,
 * not call stack (the library may run on a small thread stack). */
struct tree_walk {
	struct cpio_archive *archive;
	uint32_t input;
	const char *where;  /* "--dir 'SPEC'" */
	struct strbuf host; /* path on the host */
	struct strbuf name; /* archive name */
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
	const char *host = shown(w->host.s, w->shown);
	struct stat st;
	int fd, saved;

	fd = open(w->host.s, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (expect ? O_NOFOLLOW : 0));
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
	const char *host = shown(w->host.s, w->shown);
	enum eif_status rc;
	ssize_t n;

	if ((rc = check_name(w->name.s, w->name.len, w->where, host, err)) != EIF_OK)
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
		return add_entry(a, &e, w->name.s, w->name.len, err);
	case S_IFREG:
		if ((rc = check_file_source(w->where, dfd, child, host, st, err)) != EIF_OK)
			return rc;
		e.size = (uint64_t)st->st_size;
		e.host_dev = (uint64_t)st->st_dev;
		e.host_ino = (uint64_t)st->st_ino;
		return add_entry(a, &e, w->name.s, w->name.len, err);
	case S_IFLNK:
		n = readlinkat(dfd, child, w->target, sizeof(w->target) - 1);
		if (n < 0)
			return eif_fail_errno(err, "%s: cannot read symlink '%s'", w->where, host);
		if ((size_t)n > CPIO_NAME_MAX)
			return eif_fail(err, EIF_E_LIMIT, "%s: symlink '%s' has a target longer "
					"than the %u bytes the kernel unpacker accepts; shorten it",
					w->where, host, CPIO_NAME_MAX);
		w->target[n] = '\0';
		if (!(e.source = arena_strndup(a, w->target, (size_t)n)))
			return out_of_memory(err);
		e.size = (uint64_t)n;
		return add_entry(a, &e, w->name.s, w->name.len, err);
	default:
		return eif_fail(err, EIF_E_USAGE, "%s: '%s' is a %s; device nodes and sockets are "
				"not taken from directory trees: leave it out and declare a device "
				"with a list line such as 'nod /dev/console 0600 0 0 c 5 1'",
				w->where, host, type_name((uint32_t)st->st_mode));
	}
}

/* Point w->host and w->name at child (appended to the current directory). */
static bool walk_enter(struct tree_walk *w, const char *child)
{
	size_t n = strlen(child);
	bool at_slash = w->host.len && w->host.s[w->host.len - 1] == '/'; /* --dir / */

	return (at_slash || strbuf_append(&w->host, "/", 1)) && strbuf_append(&w->host, child, n) &&
	       (!w->name.len || strbuf_append(&w->name, "/", 1)) &&
	       strbuf_append(&w->name, child, n);
}

/* Remember the directory w->host and w->name now name (just stat'ed into w->st). */
static bool push_pending(struct tree_walk *w)
{
	struct pending_dir *grown = grow(w->pending, &w->pending_cap, w->pending_count + 1,
					 sizeof(*grown));
	char *host, *name;

	if (!grown)
		return false;
	w->pending = grown;
	host = strdup(w->host.s);
	name = strdup(w->name.s);
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
						    shown(w->host.s, w->shown));
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
				"directory to pack", where, path, type_name((uint32_t)st.st_mode));
	if (*prefix) {
		rc = normalize_name(prefix, &w.name, where, err);
		if (rc == EIF_OK && w.name.len == 0)
			rc = eif_fail(err, EIF_E_USAGE, "%s: prefix '%s' names the archive root; "
				      "write --dir '%s' without a prefix", where, prefix, path);
	} else {
		rc = strbuf_append(&w.name, "", 0) ? EIF_OK : out_of_memory(err);
	}
	if (rc == EIF_OK)
		rc = add_input(a, INPUT_TREE, path, w.name.s, err);
	if (rc == EIF_OK)
		rc = add_implied_dirs(a, w.name.s, w.name.len, true, w.input, 0, err);
	if (rc == EIF_OK)
		rc = strbuf_append(&w.host, path, strlen(path)) ? EIF_OK : out_of_memory(err);
	/* "a/" + "/x" would work, but "a/x" reads better in messages. */
	while (rc == EIF_OK && w.host.len > 1 && w.host.s[w.host.len - 1] == '/')
		strbuf_truncate(&w.host, w.host.len - 1);
	if (rc == EIF_OK)
		rc = scan_tree(&w, err);
	free(w.host.s);
	free(w.name.s);
	return rc;
}

/* ---- entries made in memory ---- */

enum eif_status cpio_add_source(struct cpio_archive *a, const char *where, const char *prefix,
				int data_fd, uint32_t *source, struct eif_error *err)
{
	struct strbuf name = { 0 };
	enum eif_status rc;

	*source = (uint32_t)a->input_count;
	rc = normalize_name(prefix ? prefix : "", &name, where, err);
	if (rc == EIF_OK)
		rc = add_input(a, INPUT_MEMORY, where, name.s, err);
	if (rc == EIF_OK) {
		a->inputs[*source].data_fd = data_fd;
		rc = add_implied_dirs(a, name.s, name.len, true, *source, 0, err);
	}
	free(name.s);
	return rc;
}

size_t cpio_add_link_group(struct cpio_archive *a, uint32_t members)
{
	return add_group(a, members);
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
	struct strbuf name = { 0 };
	enum eif_status rc = EIF_OK;

	if ((in->prefix_len && (!strbuf_append(&name, in->prefix, in->prefix_len) ||
				!strbuf_append(&name, "/", 1))) ||
	    !strbuf_append(&name, node->name, strlen(node->name)))
		rc = out_of_memory(err);
	else if ((rc = check_name(name.s, name.len, in->path, shown(name.s, buf), err)) != EIF_OK)
		;
	else if (S_ISREG(node->mode) && node->size >= CPIO_FILE_LIMIT)
		rc = eif_fail(err, EIF_E_LIMIT, "%s: '%s' has %llu bytes, but newc stores at most "
			      "4 GiB - 1 per file; leave it out of the image", in->path,
			      shown(name.s, buf), (unsigned long long)node->size);
	else if ((S_ISCHR(node->mode) || S_ISBLK(node->mode)) &&
		 (node->rdev_major > CPIO_MAJOR_MAX || node->rdev_minor > CPIO_MINOR_MAX))
		rc = eif_fail(err, EIF_E_LIMIT, "%s: device '%s' is %u:%u, beyond the %u:%u the "
			      "kernel packs; leave it out of the image", in->path, shown(name.s, buf),
			      node->rdev_major, node->rdev_minor, CPIO_MAJOR_MAX, CPIO_MINOR_MAX);
	else if (S_ISLNK(node->mode) && !(e.source = arena_strndup(a, node->target,
								  strlen(node->target))))
		rc = out_of_memory(err);
	if (rc == EIF_OK && S_ISLNK(node->mode))
		e.size = strlen(node->target);
	if (rc == EIF_OK)
		rc = add_entry(a, &e, name.s, name.len, err);
	free(name.s);
	return rc;
}

/* ---- gen_init_cpio list files ---- */

struct list_parse {
	struct cpio_archive *archive;
	const char *path, *base;
	uint32_t input, line;
	char where[600];     /* "list 'F' line N" */
	struct strbuf name;  /* normalized name scratch */
	struct strbuf host;  /* resolved location scratch */
	char shown[CPIO_SHOWN_BUF];
};

/* Digits only (no sign, no blanks, no 0x), at most max. */
static bool parse_number(const char *s, unsigned base, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d >= base)
			return false;
		v = v * base + d;
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static enum eif_status parse_mode_owner(struct list_parse *p, char **f, uint32_t *mode,
					uint32_t *uid, uint32_t *gid, struct eif_error *err)
{
	if (!parse_number(f[0], 8, 07777, mode))
		return eif_fail(err, EIF_E_FORMAT, "%s: mode '%s' is not octal permission bits "
				"(0 to 7777); write it like 0644", p->where, f[0]);
	if (!parse_number(f[1], 10, UINT32_MAX, uid) || !parse_number(f[2], 10, UINT32_MAX, gid))
		return eif_fail(err, EIF_E_FORMAT, "%s: owner '%s %s' is not two decimal ids "
				"(0 to 4294967295); write it like '0 0'", p->where, f[1], f[2]);
	if (p->archive->options.owner_override) {
		*uid = p->archive->options.uid;
		*gid = p->archive->options.gid;
	}
	return EIF_OK;
}

/* Normalize a list name into p->name and add its implied parents. */
static enum eif_status list_name(struct list_parse *p, const char *raw, struct eif_error *err)
{
	enum eif_status rc = normalize_name(raw, &p->name, p->where, err);

	if (rc == EIF_OK && p->name.len == 0)
		return eif_fail(err, EIF_E_USAGE, "%s: name '%s' is the archive root itself, which "
				"has no entry; remove the line", p->where, shown(raw, p->shown));
	if (rc == EIF_OK)
		rc = add_implied_dirs(p->archive, p->name.s, p->name.len, false, p->input, p->line,
				      err);
	return rc;
}

static enum eif_status list_add(struct list_parse *p, struct cpio_entry *e, const char *raw,
				struct eif_error *err)
{
	enum eif_status rc = list_name(p, raw, err);

	e->input = p->input;
	e->line = p->line;
	return rc == EIF_OK ? add_entry(p->archive, e, p->name.s, p->name.len, err) : rc;
}

/* file NAME LOCATION MODE UID GID [LINK...] */
static enum eif_status list_file(struct list_parse *p, char **f, unsigned n,
				 struct eif_error *err)
{
	struct cpio_archive *a = p->archive;
	struct cpio_entry e = { 0 };
	enum eif_status rc;
	struct stat st;
	uint32_t perm;

	if (strstr(f[1], "${"))
		return eif_fail(err, EIF_E_USAGE, "%s: location '%s' uses ${VAR}, which eif cpio "
				"does not expand (its output must not depend on the environment); "
				"use a relative location and --base DIR", p->where,
				shown(f[1], p->shown));
	if ((rc = parse_mode_owner(p, f + 2, &perm, &e.uid, &e.gid, err)) != EIF_OK)
		return rc;
	strbuf_truncate(&p->host, 0);
	if (f[1][0] != '/' && p->base &&
	    (!strbuf_append(&p->host, p->base, strlen(p->base)) || !strbuf_append(&p->host, "/", 1)))
		return out_of_memory(err);
	if (!strbuf_append(&p->host, f[1], strlen(f[1])))
		return out_of_memory(err);
	if (stat(p->host.s, &st) != 0)
		return with_next_step(err, eif_fail_errno(err, "%s: cannot use location '%s'",
							  p->where, shown(p->host.s, p->shown)),
				      p->base || f[1][0] == '/' ? "check the path" :
				      "relative locations resolve against the current directory "
				      "unless --base DIR is given");
	if (!S_ISREG(st.st_mode))
		return eif_fail(err, EIF_E_USAGE, "%s: location '%s' is a %s, not a regular file; "
				"use a dir/slink/nod line for it", p->where, shown(p->host.s, p->shown),
				type_name((uint32_t)st.st_mode));
	if ((rc = check_file_source(p->where, AT_FDCWD, p->host.s, shown(p->host.s, p->shown), &st,
				    err)) != EIF_OK)
		return rc;
	e.mode = S_IFREG | perm;
	e.size = (uint64_t)st.st_size;
	e.host_dev = (uint64_t)st.st_dev;
	e.host_ino = (uint64_t)st.st_ino;
	if (!(e.source = arena_strndup(a, p->host.s, p->host.len)))
		return out_of_memory(err);
	e.location = (uint32_t)(p->host.len - strlen(f[1]));
	if (n > 5 && !(e.group = add_group(a, n - 4)))
		return out_of_memory(err);
	if ((rc = list_add(p, &e, f[0], err)) != EIF_OK)
		return rc;
	for (unsigned i = 5; i < n && rc == EIF_OK; i++)
		rc = list_add(p, &e, f[i], err);
	return rc;
}

/* dir NAME MODE UID GID */
static enum eif_status list_dir(struct list_parse *p, char **f, unsigned n, struct eif_error *err)
{
	struct cpio_entry e = { 0 };
	enum eif_status rc = parse_mode_owner(p, f + 1, &e.mode, &e.uid, &e.gid, err);

	(void)n;
	e.mode |= S_IFDIR;
	return rc == EIF_OK ? list_add(p, &e, f[0], err) : rc;
}

/* slink NAME TARGET MODE UID GID */
static enum eif_status list_slink(struct list_parse *p, char **f, unsigned n,
				  struct eif_error *err)
{
	struct cpio_entry e = { 0 };
	enum eif_status rc = parse_mode_owner(p, f + 2, &e.mode, &e.uid, &e.gid, err);
	size_t len = strlen(f[1]);

	(void)n;
	if (rc != EIF_OK)
		return rc;
	if (len > CPIO_NAME_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: symlink target of %zu bytes is longer than "
				"the %u the kernel unpacker accepts; shorten it", p->where, len,
				CPIO_NAME_MAX);
	e.mode |= S_IFLNK;
	e.size = len;
	if (!(e.source = arena_strndup(p->archive, f[1], len)))
		return out_of_memory(err);
	return list_add(p, &e, f[0], err);
}

/* nod NAME MODE UID GID b|c MAJOR MINOR */
static enum eif_status list_nod(struct list_parse *p, char **f, unsigned n, struct eif_error *err)
{
	struct cpio_entry e = { 0 };
	enum eif_status rc = parse_mode_owner(p, f + 1, &e.mode, &e.uid, &e.gid, err);

	(void)n;
	if (rc != EIF_OK)
		return rc;
	if (strcmp(f[4], "b") != 0 && strcmp(f[4], "c") != 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: device type '%s' is neither 'b' (block) nor "
				"'c' (character)", p->where, f[4]);
	if (!parse_number(f[5], 10, CPIO_MAJOR_MAX, &e.rdev_major) ||
	    !parse_number(f[6], 10, CPIO_MINOR_MAX, &e.rdev_minor))
		return eif_fail(err, EIF_E_FORMAT, "%s: device number '%s %s' is not a decimal major "
				"(0 to %u) and minor (0 to %u)", p->where, f[5], f[6],
				CPIO_MAJOR_MAX, CPIO_MINOR_MAX);
	e.mode |= f[4][0] == 'b' ? S_IFBLK : S_IFCHR;
	return list_add(p, &e, f[0], err);
}

/* pipe NAME MODE UID GID, sock NAME MODE UID GID */
static enum eif_status list_special(struct list_parse *p, char **f, uint32_t type,
				    struct eif_error *err)
{
	struct cpio_entry e = { 0 };
	enum eif_status rc = parse_mode_owner(p, f + 1, &e.mode, &e.uid, &e.gid, err);

	e.mode |= type;
	return rc == EIF_OK ? list_add(p, &e, f[0], err) : rc;
}

static enum eif_status list_pipe(struct list_parse *p, char **f, unsigned n,
				 struct eif_error *err)
{
	(void)n;
	return list_special(p, f, S_IFIFO, err);
}

static enum eif_status list_sock(struct list_parse *p, char **f, unsigned n,
				 struct eif_error *err)
{
	(void)n;
	return list_special(p, f, S_IFSOCK, err);
}

static const struct list_keyword {
	const char *word;
	unsigned min_fields, max_fields; /* after the keyword */
	const char *syntax;
	enum eif_status (*handler)(struct list_parse *p, char **f, unsigned n,
				   struct eif_error *err);
} list_keywords[] = {
	{ "file", 5, UINT32_MAX, "file NAME LOCATION MODE UID GID [LINK...]", list_file },
	{ "dir", 4, 4, "dir NAME MODE UID GID", list_dir },
	{ "nod", 7, 7, "nod NAME MODE UID GID b|c MAJOR MINOR", list_nod },
	{ "slink", 5, 5, "slink NAME TARGET MODE UID GID", list_slink },
	{ "pipe", 4, 4, "pipe NAME MODE UID GID", list_pipe },
	{ "sock", 4, 4, "sock NAME MODE UID GID", list_sock },
};

/* Split one line on blanks and run its keyword's handler. */
static enum eif_status list_line(struct list_parse *p, char *line, size_t len, char ***fields,
				 size_t *field_cap, struct eif_error *err)
{
	const struct list_keyword *k = NULL;
	unsigned n = 0;
	char *s = line;

	if (memchr(line, '\0', len))
		return eif_fail(err, EIF_E_FORMAT, "%s: the line contains a NUL byte; is this a "
				"list file?", p->where);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		if (n == 0 && *s == '#')
			return EIF_OK;
		char **grown = grow(*fields, field_cap, (size_t)n + 1, sizeof(char *));

		if (!grown)
			return out_of_memory(err);
		*fields = grown;
		(*fields)[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	if (n == 0)
		return EIF_OK;
	for (size_t i = 0; i < sizeof(list_keywords) / sizeof(list_keywords[0]); i++)
		if (strcmp((*fields)[0], list_keywords[i].word) == 0)
			k = &list_keywords[i];
	if (!k)
		return eif_fail(err, EIF_E_FORMAT, "%s: unknown entry type '%s'; use file, dir, "
				"nod, slink, pipe or sock", p->where, (*fields)[0]);
	if (n - 1 < k->min_fields || n - 1 > k->max_fields)
		return eif_fail(err, EIF_E_FORMAT, "%s: %u fields after '%s'; write '%s'", p->where,
				n - 1, k->word, k->syntax);
	return k->handler(p, *fields + 1, n - 1, err);
}

enum eif_status cpio_add_list(struct cpio_archive *a, const char *list_path, const char *base,
			      struct eif_error *err)
{
	struct list_parse p = { .archive = a, .path = list_path, .base = base };
	enum eif_status rc = EIF_OK;
	char **fields = NULL, *line = NULL;
	size_t field_cap = 0, line_cap = 0;
	struct stat st;
	ssize_t len;
	FILE *f;

	p.input = (uint32_t)a->input_count;
	f = fopen(list_path, "re");
	if (!f)
		return eif_fail_errno(err, "list '%s': cannot open it", list_path);
	if (fstat(fileno(f), &st) != 0) {
		rc = eif_fail_errno(err, "list '%s': cannot stat it", list_path);
		fclose(f);
		return rc;
	}
	if (S_ISDIR(st.st_mode)) {
		fclose(f);
		return eif_fail(err, EIF_E_USAGE, "list '%s': is a directory, not a list file; use "
				"--dir for trees", list_path);
	}
	rc = add_input(a, INPUT_LIST, list_path, "", err);
	while (rc == EIF_OK) {
		errno = 0;
		len = getline(&line, &line_cap, f);
		if (len < 0) {
			if (errno != 0 || ferror(f))
				rc = eif_fail_errno(err, "list '%s': read failed after line %u",
						    list_path, p.line);
			break;
		}
		if (p.line == UINT32_MAX) {
			rc = eif_fail(err, EIF_E_LIMIT, "list '%s': too many lines", list_path);
			break;
		}
		p.line++;
		snprintf(p.where, sizeof(p.where), "list '%s' line %u", list_path, p.line);
		rc = list_line(&p, line, (size_t)len, &fields, &field_cap, err);
	}
	fclose(f);
	free(line);
	free(fields);
	free(p.name.s);
	free(p.host.s);
	return rc;
}

/* ---- checking the set ---- */

static int compare_names(const void *x, const void *y)
{
	const struct cpio_entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	if (a->implied != b->implied)
		return a->implied ? 1 : -1; /* a declared entry beats an implied directory */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int compare_host_identity(const void *x, const void *y)
{
	const struct cpio_entry *a = *(struct cpio_entry *const *)x;
	const struct cpio_entry *b = *(struct cpio_entry *const *)y;

	if (a->host_dev != b->host_dev)
		return a->host_dev < b->host_dev ? -1 : 1;
	if (a->host_ino != b->host_ino)
		return a->host_ino < b->host_ino ? -1 : 1;
	return 0;
}

/* Sorted: merge implied directories into declared ones, refuse real duplicates. */
static enum eif_status merge_duplicates(struct cpio_archive *a, struct eif_error *err)
{
	char first[700], second[700], name[CPIO_SHOWN_BUF];
	size_t kept = 0;

	for (size_t i = 0; i < a->entry_count; i++) {
		struct cpio_entry *e = &a->entries[i];
		struct cpio_entry *k = kept ? &a->entries[kept - 1] : NULL;

		if (!k || strcmp(k->name, e->name) != 0) {
			a->entries[kept++] = *e;
			continue;
		}
		if (!e->implied)
			return eif_fail(err, EIF_E_USAGE, "'%s' comes from %s and again from %s; an "
					"archive holds each name once, remove one of them", shown(e->name, name),
					describe_origin(a, k, first, sizeof(first)),
					describe_origin(a, e, second, sizeof(second)));
		if (!S_ISDIR(k->mode))
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s is a %s, but %s needs it to be "
					"a directory; rename one of them", shown(e->name, name),
					describe_origin(a, k, first, sizeof(first)),
					type_name(k->mode), describe_origin(a, e, second,
									    sizeof(second)));
	}
	a->entry_count = kept;
	return EIF_OK;
}

/* Every parent must be a directory in the archive (else an unpacker could follow a symlink). */
static enum eif_status check_parents(struct cpio_archive *a, struct eif_error *err)
{
	char first[700], second[700], name[CPIO_SHOWN_BUF], parent_name[CPIO_SHOWN_BUF];

	for (size_t i = 0; i < a->entry_count; i++) {
		const struct cpio_entry *e = &a->entries[i], *parent = NULL;
		const char *slash = strrchr(e->name, '/');
		size_t lo = 0, hi = i, len;

		if (!slash)
			continue;
		len = (size_t)(slash - e->name);
		while (lo < hi) { /* the parent sorts before e */
			size_t mid = lo + (hi - lo) / 2;
			const struct cpio_entry *m = &a->entries[mid];
			int c = strncmp(m->name, e->name, len);
			if (c == 0)
				c = m->name_len == len ? 0 : 1;
			if (c == 0) {
				parent = m;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!parent)
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s has no parent directory in "
					"the archive; declare it with a dir line", shown(e->name, name),
					describe_origin(a, e, first, sizeof(first)));
		if (!S_ISDIR(parent->mode))
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s is inside '%s', which %s makes "
					"a %s, not a directory; an unpacker could follow it out of "
					"the root, so rename one of them", shown(e->name, name),
					describe_origin(a, e, first, sizeof(first)),
					shown(parent->name, parent_name),
					describe_origin(a, parent, second, sizeof(second)),
					type_name(parent->mode));
	}
	return EIF_OK;
}

/* Tree files sharing a host inode become one hard-link group. */
static enum eif_status group_tree_links(struct cpio_archive *a, struct eif_error *err)
{
	struct cpio_entry **files = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < a->entry_count; i++) {
		struct cpio_entry *e = &a->entries[i], **grown;

		if (a->inputs[e->input].kind != INPUT_TREE || !S_ISREG(e->mode))
			continue;
		if (!(grown = grow(files, &cap, n + 1, sizeof(*files)))) {
			free(files);
			return out_of_memory(err);
		}
		files = grown;
		files[n++] = e;
	}
	if (n > 1)
		qsort(files, n, sizeof(*files), compare_host_identity);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && compare_host_identity(&files[i], &files[j]) == 0)
			j++;
		if (j - i > 1) {
			size_t group = j - i > UINT32_MAX ? 0 : add_group(a, (uint32_t)(j - i));

			if (!group) {
				free(files);
				return out_of_memory(err);
			}
			for (size_t k = i; k < j; k++)
				files[k]->group = group;
		}
		i = j;
	}
	free(files);
	return EIF_OK;
}

/* ---- writing ---- */

struct cpio_writer {
	struct eif_outfile *out;
	unsigned char *buf;
	size_t used;
	uint64_t offset; /* bytes of archive so far, for alignment */
	EVP_MD_CTX *md;  /* with a report: hashes each body */
	EVP_MD_CTX *all; /* with a report: hashes the archive */
};

/* With a report, body bytes also go through the digest. */
static enum eif_status writer_hash(struct cpio_writer *w, const void *data, size_t n,
				   struct eif_error *err)
{
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
			struct strbuf *path)
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
				       const struct cpio_entry *e, struct strbuf *path,
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
	host = shown(path->s, path_buf);
	fd = open(path->s, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (from_tree ? O_NOFOLLOW : 0));
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
	struct strbuf path = { 0 };
	uint32_t next_ino = CPIO_FIRST_INO;
	enum eif_status rc;

	if (a->written)
		return eif_fail(err, EIF_E_USAGE, "cpio: this archive was already written; build a "
				"new one");
	a->written = true;
	if (a->entry_count > 1)
		qsort(a->entries, a->entry_count, sizeof(*a->entries), compare_names);
	if ((rc = merge_duplicates(a, err)) != EIF_OK || (rc = check_parents(a, err)) != EIF_OK ||
	    (rc = group_tree_links(a, err)) != EIF_OK)
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
	free(path.s);
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
