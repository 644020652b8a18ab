/* sbom_app: the digests the SPDX document needs (eif/lib/sbom.c): of the outputs, and of the
 * application, whose version is the sha256 of its manifest (see eif/include/eif/sbom.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "json.h"
#include <eif/record.h>
#include "sbom_int.h"
#include "util.h"

#define SBOM_PIECE (1u << 20)

enum eif_status sbom_no_memory(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "sbom: out of memory");
}

/* ---- digests ---- */

/* Lowercase hex SHA-1 (sha1 may be NULL) and SHA-256 of everything read from fd. */
static enum eif_status fd_digests(int fd, const char *path, char sha1[41], char sha256[65],
				  struct eif_error *err)
{
	EVP_MD_CTX *c1 = sha1 ? EVP_MD_CTX_new() : NULL, *c256 = EVP_MD_CTX_new();
	unsigned char *buf = malloc(SBOM_PIECE), sum[32];
	enum eif_status rc = EIF_OK;
	long long n = 0;

	if (!buf || !c256 || (sha1 && !c1) || !EVP_DigestInit_ex(c256, EVP_sha256(), NULL) ||
	    (c1 && !EVP_DigestInit_ex(c1, EVP_sha1(), NULL)))
		rc = eif_fail(err, EIF_E_CRYPTO, "sbom: '%s': cannot start its digests", path);
	while (rc == EIF_OK && (n = eif_read_full(fd, buf, SBOM_PIECE)) > 0)
		if (!EVP_DigestUpdate(c256, buf, (size_t)n) ||
		    (c1 && !EVP_DigestUpdate(c1, buf, (size_t)n)))
			rc = eif_fail(err, EIF_E_CRYPTO, "sbom: '%s': digest failed", path);
	if (rc == EIF_OK && n < 0)
		rc = eif_fail_errno(err, "sbom: cannot read '%s'", path);
	if (rc == EIF_OK && c1 && EVP_DigestFinal_ex(c1, sum, NULL))
		eif_hex(sum, 20, sha1);
	else if (rc == EIF_OK && c1)
		rc = eif_fail(err, EIF_E_CRYPTO, "sbom: '%s': SHA-1 failed", path);
	if (rc == EIF_OK && EVP_DigestFinal_ex(c256, sum, NULL))
		eif_hex(sum, 32, sha256);
	else if (rc == EIF_OK)
		rc = eif_fail(err, EIF_E_CRYPTO, "sbom: '%s': SHA-256 failed", path);
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(c256);
	free(buf);
	return rc;
}

enum eif_status sbom_file_digests(const char *path, char sha1[41], char sha256[65],
				    struct eif_error *err)
{
	struct stat st;
	enum eif_status rc;
	int fd;

	if ((rc = eif_open_regular(path, "sbom input", "run make first", &fd, &st, err)) != EIF_OK)
		return rc;
	rc = fd_digests(fd, path, sha1, sha256, err);
	close(fd);
	return rc;
}

/* ---- the application's manifest ---- */

struct records {
	char **items;
	size_t count, cap;
};

static bool records_add(struct records *r, struct json_buf *text)
{
	char **items;

	if (text->failed)
		return false;
	if (!(items = eif_array_grow(r->items, &r->cap, r->count + 1, sizeof(*items))))
		return false;
	r->items = items;
	r->items[r->count++] = text->data;
	*text = (struct json_buf){ 0 };
	return true;
}

static void records_free(struct records *r)
{
	for (size_t i = 0; i < r->count; i++)
		free(r->items[i]);
	free(r->items);
}

static int compare_strings(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

struct app_walk {
	struct records entries, links, files; /* "T MODE ./P", "./P -> T", "./P" */
	struct json_buf path;                 /* host path of the entry being looked at */
	size_t root_len;                      /* bytes of path that name the tree */
	bool recorded;                        /* files are "./P<TAB>SHA256" from a record */
};

static char type_letter(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFLNK: return 'l';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	default: return 'U';
	}
}

/* "./" + rel, or "." for the tree itself (rel ""). */
static void display_name(const char *rel, struct json_buf *b)
{
	json_buf_puts(b, *rel ? "./" : ".");
	json_buf_puts(b, rel);
}

/* One entry of the manifest: rel below the tree, its mode, a symlink's target, a regular
 * file's sha256 when it comes from a record (else NULL: the file is read later). */
static enum eif_status add_manifest_entry(struct app_walk *w, uint32_t mode, const char *rel,
					  const char *target, size_t target_len, const char *sha,
					  struct eif_error *err)
{
	struct json_buf b = { 0 };
	char perm[16];

	/* eif cpio drops setuid and setgid, keeps the sticky bit */
	snprintf(perm, sizeof(perm), " %o ", (unsigned)(mode & 01777));
	json_buf_append(&b, (char[]){ type_letter(mode) }, 1);
	json_buf_puts(&b, perm);
	display_name(rel, &b);
	if (!records_add(&w->entries, &b))
		return sbom_no_memory(err);
	if (S_ISLNK(mode)) {
		display_name(rel, &b);
		json_buf_puts(&b, " -> ");
		json_buf_append(&b, target, target_len);
		if (!records_add(&w->links, &b))
			return sbom_no_memory(err);
	} else if (S_ISREG(mode)) {
		display_name(rel, &b);
		if (sha) {
			json_buf_puts(&b, "\t");
			json_buf_puts(&b, sha);
		}
		if (!records_add(&w->files, &b))
			return sbom_no_memory(err);
	}
	return EIF_OK;
}

static enum eif_status walk(struct app_walk *w, struct eif_error *err);

/* Note the entry at w->path, then descend when it is a directory. */
static enum eif_status note_entry(struct app_walk *w, struct eif_error *err)
{
	const char *rel = w->path.data + w->root_len + 1;
	char *target = NULL;
	enum eif_status rc;
	ssize_t n = 0;
	struct stat st;

	if (lstat(w->path.data, &st) != 0)
		return eif_fail_errno(err, "sbom: cannot read the application tree at '%s'",
				      w->path.data);
	if (S_ISLNK(st.st_mode)) {
		target = malloc((size_t)st.st_size + 1);
		n = target ? readlink(w->path.data, target, (size_t)st.st_size + 1) : -1;
		if (n < 0 || n > st.st_size) {
			free(target);
			return target ? eif_fail_errno(err, "sbom: cannot read symlink '%s'",
						       w->path.data) : sbom_no_memory(err);
		}
	}
	rc = add_manifest_entry(w, (uint32_t)st.st_mode, rel, target, (size_t)n, NULL, err);
	free(target);
	return rc == EIF_OK && S_ISDIR(st.st_mode) ? walk(w, err) : rc;
}

static enum eif_status walk(struct app_walk *w, struct eif_error *err)
{
	size_t len = w->path.len;
	enum eif_status rc = EIF_OK;
	struct dirent *d;
	DIR *dir = opendir(w->path.data);

	if (!dir)
		return eif_fail_errno(err, "sbom: cannot read the application tree at '%s'",
				      w->path.data);
	while (rc == EIF_OK && (errno = 0, d = readdir(dir))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		w->path.len = len;
		json_buf_puts(&w->path, "/");
		json_buf_puts(&w->path, d->d_name);
		json_buf_append(&w->path, "", 0);
		if (w->path.failed)
			rc = sbom_no_memory(err);
		else
			rc = note_entry(w, err);
	}
	if (rc == EIF_OK && errno)
		rc = eif_fail_errno(err, "sbom: cannot list '%s'", w->path.data);
	closedir(dir);
	w->path.len = len;
	if (w->path.data)
		w->path.data[len] = '\0';
	return rc;
}

static bool hash_records(EVP_MD_CTX *ctx, struct records *r)
{
	if (r->count > 1)
		qsort(r->items, r->count, sizeof(*r->items), compare_strings);
	for (size_t i = 0; i < r->count; i++)
		if (!EVP_DigestUpdate(ctx, r->items[i], strlen(r->items[i]) + 1))
			return false;
	return true;
}

/* The sha256 of the manifest of directory tree (see sbom.h). */
/* The tree's entries from eif cpio's record of it (origin "dir"): what was packed, without
 * reading the tree again. */
static enum eif_status recorded_entries(struct app_walk *w, char *record, struct eif_error *err)
{
	/* what a tree may hold (eif cpio refuses devices and sockets in trees) */
	static const uint32_t types[] = { S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO };
	enum eif_status rc = EIF_OK;
	char *line = record, *nl;

	w->recorded = true;
	for (; rc == EIF_OK && (nl = strchr(line, '\n')); line = nl + 1) {
		char *f[11], *p = line;
		uint32_t type = 0;
		uint64_t mode;
		size_t n = 0;

		*nl = '\0';
		while (n < 11 && (f[n++] = p) && (p = strchr(p, '\t')))
			*p++ = '\0';
		if (n != 11 || strcmp(f[0], "entry") != 0 || strcmp(f[9], "dir") != 0)
			continue;
		for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++)
			if (strcmp(f[3], eif_record_kind(types[k])) == 0)
				type = types[k];
		if (!type)
			return eif_fail(err, EIF_E_FORMAT, "sbom: the record names a %s '%s' in the "
					"tree, which eif cpio does not pack", f[3], f[2]);
		if (!eif_parse_digits(f[4], strlen(f[4]), 8, 07777, &mode))
			return eif_fail(err, EIF_E_FORMAT, "sbom: the record gives '%s' mode '%s', not "
					"4 octal digits; make the record again with eif cpio --record",
					f[2], f[4]);
		rc = add_manifest_entry(w, type | (uint32_t)mode, f[10], f[8],
					strlen(f[8]), f[7], err);
	}
	return rc;
}

static enum eif_status tree_hash(const char *tree, char *record, char hex[65], struct eif_error *err)
{
	struct app_walk w = { 0 };
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sum[32];
	enum eif_status rc = EIF_OK;
	struct stat st;

	w.root_len = strlen(tree);
	while (w.root_len > 1 && tree[w.root_len - 1] == '/')
		w.root_len--;
	json_buf_append(&w.path, tree, w.root_len);
	json_buf_append(&w.path, "", 0);
	if (w.path.failed || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		rc = sbom_no_memory(err);
	/* the tree itself as `cd APP; find .` sees it: through a symlink */
	if (rc == EIF_OK && stat(tree, &st) != 0)
		rc = eif_fail_errno(err, "sbom: cannot read the application tree '%s'", tree);
	if (rc == EIF_OK)
		rc = add_manifest_entry(&w, (uint32_t)st.st_mode, "", NULL, 0, NULL, err);
	if (rc == EIF_OK)
		rc = record ? recorded_entries(&w, record, err) : walk(&w, err);
	if (rc == EIF_OK && (!hash_records(ctx, &w.entries) || !hash_records(ctx, &w.links)))
		rc = eif_fail(err, EIF_E_CRYPTO, "sbom: SHA-256 failed");
	if (rc == EIF_OK && w.files.count > 1)
		qsort(w.files.items, w.files.count, sizeof(char *), compare_strings);
	for (size_t i = 0; rc == EIF_OK && i < w.files.count; i++) {
		char *name = w.files.items[i], *tab = w.recorded ? strrchr(name, '\t') : NULL;
		char file_hex[65];
		int fd;

		if (tab) {
			*tab = '\0';
			if (strlen(tab + 1) != 64)
				rc = eif_fail(err, EIF_E_FORMAT, "sbom: the record gives '%s' no sha256",
					      name);
			else if (!EVP_DigestUpdate(ctx, tab + 1, 64) || !EVP_DigestUpdate(ctx, "  ", 2) ||
				 !EVP_DigestUpdate(ctx, name, strlen(name) + 1))
				rc = eif_fail(err, EIF_E_CRYPTO, "sbom: SHA-256 failed");
			continue;
		}
		w.path.len = w.root_len;
		json_buf_puts(&w.path, name + 1); /* "./x" -> "/x" */
		json_buf_append(&w.path, "", 0);
		if (w.path.failed) {
			rc = sbom_no_memory(err);
			break;
		}
		fd = open(w.path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			rc = eif_fail_errno(err, "sbom: cannot read the application file '%s'",
					    w.path.data);
			break;
		}
		rc = fd_digests(fd, w.path.data, NULL, file_hex, err);
		close(fd);
		if (rc == EIF_OK && (!EVP_DigestUpdate(ctx, file_hex, 64) ||
				     !EVP_DigestUpdate(ctx, "  ", 2) ||
				     !EVP_DigestUpdate(ctx, name, strlen(name) + 1)))
			rc = eif_fail(err, EIF_E_CRYPTO, "sbom: SHA-256 failed");
	}
	if (rc == EIF_OK && !EVP_DigestFinal_ex(ctx, sum, NULL))
		rc = eif_fail(err, EIF_E_CRYPTO, "sbom: SHA-256 failed");
	if (rc == EIF_OK)
		eif_hex(sum, sizeof(sum), hex);
	EVP_MD_CTX_free(ctx);
	records_free(&w.entries);
	records_free(&w.links);
	records_free(&w.files);
	free(w.path.data);
	return rc;
}

/* record when its last line says it is that of the archive with sha256 (else NULL). */
static char *record_of(char *record, const char *sha256)
{
	const char *last = NULL;

	for (const char *p = record; p && (p = strstr(p, "# archive\t")); p++)
		last = p;
	if (!last || !(last = strchr(last + 10, '\t')) || strncmp(last + 1, sha256, 64) != 0 ||
	    last[65] != '\n')
		return NULL;
	return record;
}

#define APP_TREE_WHAT "the application tree packed as rootfs/; version and checksum are the " \
	"sha256 of its manifest (sorted paths, types, modes as packed, link targets, content sha256)"
#define APP_IMAGE_WHAT "the container image flattened as rootfs/; version and checksum are the " \
	"sha256 of the docker-archive file, or of the OCI layout's manifest (sorted paths, types, " \
	"modes, link targets, content sha256)"

/* The application's hash and what it is: a file by its bytes, a directory by its manifest. */
enum eif_status sbom_app_hash(const char *app, char *record, const char *user_sha256, char hex[65],
			      const char **what, struct eif_error *err)
{
	char *path = NULL;
	struct stat st;
	enum eif_status rc;

	record = record ? record_of(record, user_sha256) : NULL;
	*what = APP_TREE_WHAT;
	if (strncmp(app, "oci:", 4) == 0 || strncmp(app, "docker-archive:", 15) == 0) {
		char *colon;

		*what = APP_IMAGE_WHAT;
		record = NULL; /* the layout or file is hashed, not what was packed */
		if (!(path = strdup(strchr(app, ':') + 1)))
			return sbom_no_memory(err);
		/* PATH:TAG, unless the whole text names something */
		if (access(path, F_OK) != 0 && (colon = strrchr(path, ':')))
			*colon = '\0';
		app = path;
	}
	if (stat(app, &st) == 0 && S_ISREG(st.st_mode))
		rc = sbom_file_digests(app, NULL, hex, err);
	else if (stat(app, &st) == 0 && S_ISDIR(st.st_mode))
		rc = tree_hash(app, record, hex, err);
	else
		rc = eif_fail(err, EIF_E_USAGE, "sbom: cannot read the application tree '%s'; "
			      "give a directory, a tar file or an image", app);
	free(path);
	return rc;
}
