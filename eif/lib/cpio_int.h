/* Internals of the newc writer (cpio.c, cpio_tree.c, cpio_list.c, cpio_check.c): the archive
 * as entries are collected, and the helpers its parts share. Library-only. */
#ifndef EIF_CPIO_INT_H
#define EIF_CPIO_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <eif/cpio.h>

#include "json.h"
#include "util.h"

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
	uint64_t foreign_elf;  /* cpio_foreign_elf */
	const char *first_foreign;
	uint16_t first_foreign_machine;
};

/* cpio_elf.c: the ELF header's bytes up to e_machine; count a body for another machine. */
#define CPIO_ELF_HEAD 20
void cpio_note_elf(struct cpio_archive *a, const struct cpio_entry *e, const unsigned char *head,
		   size_t len);

static inline enum eif_status out_of_memory(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "cpio: out of memory; free memory or archive less");
}

/* Long paths and names are shown by their last bytes, so a message keeps room for its cause
 * and next step (and its tail is the part that tells entries apart). */
#define CPIO_SHOWN_MAX 240
#define CPIO_SHOWN_BUF (CPIO_SHOWN_MAX + 4)
static inline const char *shown(const char *s, char buf[CPIO_SHOWN_BUF])
{
	size_t n = strlen(s);

	if (n <= CPIO_SHOWN_MAX)
		return s;
	memcpy(buf, "...", 3);
	memcpy(buf + 3, s + n - CPIO_SHOWN_MAX, CPIO_SHOWN_MAX + 1);
	return buf;
}

/* Append "; step" to a message just made, so the next step follows the system's reason. */
static inline enum eif_status with_next_step(struct eif_error *err, enum eif_status rc,
					     const char *step)
{
	size_t used;

	if (!err)
		return rc;
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used, "; %s", step);
	return rc;
}

/* Paths and names are built in json.h's growable text, the library's one such buffer
 * (NUL-terminated; sticky failure). strbuf_append says whether it worked: false is out of
 * memory. */
static inline bool strbuf_append(struct json_buf *b, const char *s, size_t n)
{
	json_buf_append(b, s, n);
	return !b->failed;
}

static inline void strbuf_truncate(struct json_buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

/* ---- shared by the parts (cpio.c) ---- */

/* Strings live as long as the archive: one arena, freed at once. NULL when out of memory. */
const char *cpio_strndup(struct cpio_archive *a, const char *s, size_t n);
/* "--dir 'rootfs=PATH'" or "list 'F' line N", for messages. */
const char *cpio_origin(const struct cpio_archive *a, const struct cpio_entry *e, char *buf,
			size_t size);
/* "regular file", "directory", ... for the S_IF* type of mode. */
const char *cpio_type_name(uint32_t mode);
enum eif_status cpio_input_add(struct cpio_archive *a, enum input_kind kind, const char *path,
			       const char *prefix, struct eif_error *err);
/* Append an entry whose name (and source) are copied into the arena. */
enum eif_status cpio_entry_add(struct cpio_archive *a, const struct cpio_entry *proto,
			       const char *name, size_t name_len, struct eif_error *err);
/* A new hard-link group of members names: its index + 1 (what entries store), 0 if no memory. */
size_t cpio_group_add(struct cpio_archive *a, uint32_t members);
/* Check a normalized archive name against what the format and the unpacker accept;
 * display is what the message calls it (the host path of a tree entry, a list's name). */
enum eif_status cpio_name_check(const char *name, size_t len, const char *where,
				const char *display, struct eif_error *err);
/* Normalize a list or prefix name into out: strip leading '/', empty and "." components
 * and a trailing '/'. ".." components are refused: the name could leave the root. */
enum eif_status cpio_name_normalize(const char *in, struct json_buf *out, const char *where,
				    struct eif_error *err);
/* Add implied 0755 directories for every proper ancestor of name (and name itself when
 * include_self); duplicates are merged when the archive is written. */
enum eif_status cpio_implied_dirs(struct cpio_archive *a, const char *name, size_t len,
				  bool include_self, uint32_t input, uint32_t line,
				  struct eif_error *err);
/* A regular file's data must fit newc's 32-bit size and be readable, checked before any
 * output; path is relative to directory fd dfd (AT_FDCWD: to the current directory). */
struct stat;
enum eif_status cpio_file_source_check(const char *where, int dfd, const char *path,
				       const char *display, const struct stat *st,
				       struct eif_error *err);

/* ---- cpio_check.c ---- */

/* Sort the entries by name, merge duplicates, check that every parent is a directory and
 * group the hard links of trees: what cpio_write needs before the first byte. */
enum eif_status cpio_check_set(struct cpio_archive *a, struct eif_error *err);

#endif
