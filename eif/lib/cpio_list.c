/* Deterministic newc writer: gen_init_cpio list files (see cpio.h). */
#include "cpio_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- gen_init_cpio list files ---- */

struct list_parse {
	struct cpio_archive *archive;
	const char *path, *base;
	uint32_t input, line;
	char where[600];     /* "list 'F' line N" */
	struct json_buf name;  /* normalized name scratch */
	struct json_buf host;  /* resolved location scratch */
	char shown[CPIO_SHOWN_BUF];
};

/* Digits only (no sign, no blanks, no 0x), at most max. */
static bool parse_number(const char *s, unsigned base, uint32_t max, uint32_t *out)
{
	uint64_t v;

	if (!eif_parse_digits(s, strlen(s), base, max, &v))
		return false;
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
	enum eif_status rc = cpio_name_normalize(raw, &p->name, p->where, err);

	if (rc == EIF_OK && p->name.len == 0)
		return eif_fail(err, EIF_E_USAGE, "%s: name '%s' is the archive root itself, which "
				"has no entry; remove the line", p->where, shown(raw, p->shown));
	if (rc == EIF_OK)
		rc = cpio_implied_dirs(p->archive, p->name.data, p->name.len, false, p->input,
				       p->line, err);
	return rc;
}

static enum eif_status list_add(struct list_parse *p, struct cpio_entry *e, const char *raw,
				struct eif_error *err)
{
	enum eif_status rc = list_name(p, raw, err);

	e->input = p->input;
	e->line = p->line;
	return rc == EIF_OK ? cpio_entry_add(p->archive, e, p->name.data, p->name.len, err) : rc;
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
	if (stat(p->host.data, &st) != 0)
		return with_next_step(err, eif_fail_errno(err, "%s: cannot use location '%s'",
							  p->where, shown(p->host.data, p->shown)),
				      p->base || f[1][0] == '/' ? "check the path" :
				      "relative locations resolve against the current directory "
				      "unless --base DIR is given");
	if (!S_ISREG(st.st_mode))
		return eif_fail(err, EIF_E_USAGE, "%s: location '%s' is a %s, not a regular file; "
				"use a dir/slink/nod line for it", p->where, shown(p->host.data, p->shown),
				cpio_type_name((uint32_t)st.st_mode));
	if ((rc = cpio_file_source_check(p->where, AT_FDCWD, p->host.data,
					 shown(p->host.data, p->shown), &st, err)) != EIF_OK)
		return rc;
	e.mode = S_IFREG | perm;
	e.size = (uint64_t)st.st_size;
	e.host_dev = (uint64_t)st.st_dev;
	e.host_ino = (uint64_t)st.st_ino;
	if (!(e.source = cpio_strndup(a, p->host.data, p->host.len)))
		return out_of_memory(err);
	e.location = (uint32_t)(p->host.len - strlen(f[1]));
	if (n > 5 && !(e.group = cpio_group_add(a, n - 4)))
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
	if (!(e.source = cpio_strndup(p->archive, f[1], len)))
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
		char **grown = eif_array_grow(*fields, field_cap, (size_t)n + 1, sizeof(char *));

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
	rc = cpio_input_add(a, INPUT_LIST, list_path, "", err);
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
	free(p.name.data);
	free(p.host.data);
	return rc;
}
