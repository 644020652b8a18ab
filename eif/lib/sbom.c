/* sbom: the SPDX 2.3 document of an enclave build (see sbom.h). One process: every file is
 * read once, every string escaped by the JSON printer (serde_json's escapes). */
#include <eif/sbom.h>

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
#include "util.h"

#define SBOM_PIECE (1u << 20)

static enum eif_status no_memory(struct eif_error *err)
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

static enum eif_status file_digests(const char *path, char sha1[41], char sha256[65],
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
		return no_memory(err);
	if (S_ISLNK(mode)) {
		display_name(rel, &b);
		json_buf_puts(&b, " -> ");
		json_buf_append(&b, target, target_len);
		if (!records_add(&w->links, &b))
			return no_memory(err);
	} else if (S_ISREG(mode)) {
		display_name(rel, &b);
		if (sha) {
			json_buf_puts(&b, "\t");
			json_buf_puts(&b, sha);
		}
		if (!records_add(&w->files, &b))
			return no_memory(err);
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
						       w->path.data) : no_memory(err);
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
			rc = no_memory(err);
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
		rc = no_memory(err);
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
			rc = no_memory(err);
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
static enum eif_status app_hash(const char *app, char *record, char hex[65], const char **what,
				struct eif_error *err)
{
	char *path = NULL;
	struct stat st;
	enum eif_status rc;

	*what = APP_TREE_WHAT;
	if (strncmp(app, "oci:", 4) == 0 || strncmp(app, "docker-archive:", 15) == 0) {
		char *colon;

		*what = APP_IMAGE_WHAT;
		record = NULL; /* the layout or file is hashed, not what was packed */
		if (!(path = strdup(strchr(app, ':') + 1)))
			return no_memory(err);
		/* PATH:TAG, unless the whole text names something */
		if (access(path, F_OK) != 0 && (colon = strrchr(path, ':')))
			*colon = '\0';
		app = path;
	}
	if (stat(app, &st) == 0 && S_ISREG(st.st_mode))
		rc = file_digests(app, NULL, hex, err);
	else if (stat(app, &st) == 0 && S_ISDIR(st.st_mode))
		rc = tree_hash(app, record, hex, err);
	else
		rc = eif_fail(err, EIF_E_USAGE, "sbom: cannot read the application tree '%s'; "
			      "give a directory, a tar file or an image", app);
	free(path);
	return rc;
}

/* ---- the document ---- */

struct doc {
	struct json_buf b;
	const char *sep;
	struct json_buf relations; /* the relationships as written, in the order they were made */
};

static void str(struct json_buf *b, const char *s)
{
	json_buf_string(b, s, strlen(s));
}

/* SPDX ids allow letters, digits, '.' and '-': every other byte becomes '-'. */
static void spdx_id(struct json_buf *b, const char *name)
{
	json_buf_puts(b, "SPDXRef-Package-");
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			c = '-';
		json_buf_append(b, &c, 1);
	}
}

/* a and b are SPDX ids (spdx_id or fixed), which need no escape */
static void relate(struct doc *d, const char *a, const char *type, const char *b)
{
	json_buf_puts(&d->relations, ",\n    {\"spdxElementId\": \"");
	json_buf_puts(&d->relations, a);
	json_buf_puts(&d->relations, "\", \"relationshipType\": \"");
	json_buf_puts(&d->relations, type);
	json_buf_puts(&d->relations, "\", \"relatedSpdxElement\": \"");
	json_buf_puts(&d->relations, b);
	json_buf_puts(&d->relations, "\"}");
}

/* id is written as is: callers give ids made by spdx_id or fixed ones. */
static void package(struct doc *d, const char *id, const char *name, const char *version,
		    const char *sha256, const char *supplier, const char *comment)
{
	struct json_buf *b = &d->b;

	json_buf_puts(b, d->sep);
	json_buf_puts(b, "\n    {\"SPDXID\": \"");
	json_buf_puts(b, id);
	json_buf_puts(b, "\", \"name\": ");
	str(b, name);
	json_buf_puts(b, ", \"versionInfo\": ");
	str(b, version);
	json_buf_puts(b, ", \"downloadLocation\": \"NOASSERTION\", \"supplier\": ");
	str(b, supplier);
	json_buf_puts(b, ", \"filesAnalyzed\": false,");
	if (strcmp(sha256, "-") != 0) {
		json_buf_puts(b, " \"checksums\": [{\"algorithm\": \"SHA256\", \"checksumValue\": \"");
		json_buf_puts(b, sha256);
		json_buf_puts(b, "\"}],");
	}
	json_buf_puts(b, " \"licenseConcluded\": \"NOASSERTION\", \"licenseDeclared\": \"NOASSERTION\","
		      " \"copyrightText\": \"NOASSERTION\", \"comment\": ");
	str(b, comment);
	json_buf_puts(b, "}");
	d->sep = ",";
}

/* path: one of outputs[], plain ASCII that needs no escape. */
static void file_entry(struct doc *d, const char *id, const char *path, const char *sha1,
		       const char *sha256, const char *comment)
{
	json_buf_puts(&d->b, d->sep);
	json_buf_puts(&d->b, "\n    {\"SPDXID\": \"");
	json_buf_puts(&d->b, id);
	json_buf_puts(&d->b, "\", \"fileName\": \"./");
	json_buf_puts(&d->b, path);
	json_buf_puts(&d->b, "\", \"checksums\": [{\"algorithm\": \"SHA1\", \"checksumValue\": \"");
	json_buf_puts(&d->b, sha1);
	json_buf_puts(&d->b, "\"}, {\"algorithm\": \"SHA256\", \"checksumValue\": \"");
	json_buf_puts(&d->b, sha256);
	json_buf_puts(&d->b, "\"}], \"licenseConcluded\": \"NOASSERTION\", "
		      "\"copyrightText\": \"NOASSERTION\", \"comment\": ");
	str(&d->b, comment);
	json_buf_puts(&d->b, "}");
	d->sep = ",";
}

/* The next field of a lock line as sh's `read` splits it: blanks (space, tab) separate,
 * the last field keeps the rest of the line without its trailing blanks. */
static char *lock_field(char **p, bool last)
{
	char *s = *p, *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (last) {
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		*p = end;
		return s;
	}
	for (end = s; *end && *end != ' ' && *end != '\t'; end++)
		;
	*p = *end ? end + 1 : end;
	*end = '\0';
	return s;
}

/* How a package names the lock that pins it: the path from its last "configs/", else as given. */
static const char *lock_label(const char *lock_path)
{
	const char *label = lock_path;

	for (const char *p = lock_path; (p = strstr(p, "configs/")); p++)
		label = p;
	return label;
}

/* The packages of a lock file and their relationships: source, member and tool lines, and
 * deb lines (a target package fetched from its archive path, never installed: "NAME:ARCH").
 * *kernel_found: the first linux-source package's SPDX id is in kernel_id. */
static enum eif_status lock_packages(struct doc *d, char *lock, const char *lock_path,
				     struct json_buf *kernel_id, bool *kernel_found,
				     struct eif_error *err)
{
	struct json_buf id = { 0 }, source = { 0 }, name_buf = { 0 }, comment = { 0 };
	const char *label = lock_label(lock_path);
	enum eif_status rc = EIF_OK;
	unsigned line_no = 0;
	char *line = lock, *nl;

	/* like `while read`, a last line without its newline is not read */
	for (; rc == EIF_OK && (nl = strchr(line, '\n')); line = nl + 1) {
		char *p = line, *kind, *name, *version, *hash;

		*nl = '\0';
		line_no++;
		kind = lock_field(&p, false);
		name = lock_field(&p, false);
		version = lock_field(&p, false);
		hash = lock_field(&p, true);
		if (!*kernel_found && strcmp(kind, "source") == 0 &&
		    strncmp(name, "linux-source", 12) == 0) {
			spdx_id(kernel_id, name);
			*kernel_found = true;
		}
		if (strcmp(kind, "source") != 0 && strcmp(kind, "member") != 0 &&
		    strcmp(kind, "tool") != 0 && strcmp(kind, "deb") != 0)
			continue;
		comment.len = 0;
		if (strcmp(kind, "deb") == 0) {
			/* pool/.../NAME_VERSION_ARCH.deb */
			const char *file = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
			const char *under = strchr(file, '_'), *arch = strrchr(file, '_');
			size_t arch_len = arch ? strcspn(arch + 1, ".") : 0;

			if (!under || under == arch || arch_len == 0) {
				rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: deb '%s' is not "
					      "a Debian archive path (pool/.../NAME_VERSION_ARCH.deb)",
					      lock_path, line_no, name);
				break;
			}
			name_buf.len = 0;
			json_buf_append(&name_buf, file, (size_t)(under - file));
			json_buf_puts(&name_buf, ":");
			json_buf_append(&name_buf, arch + 1, arch_len);
			json_buf_append(&name_buf, "", 0);
			json_buf_append(&comment, arch + 1, arch_len);
			json_buf_puts(&comment, " Debian package pinned in ");
			json_buf_puts(&comment, label);
			json_buf_puts(&comment, " (sha256 of the .deb), fetched from the archive's ");
			json_buf_puts(&comment, name);
			json_buf_puts(&comment, " and unpacked into the build's output directory, "
				      "never installed");
			if (name_buf.failed)
				return no_memory(err);
			name = name_buf.data;
		} else if (strcmp(kind, "source") == 0) {
			json_buf_puts(&comment, "pinned Debian source package (sha256 of the .deb, from ");
			json_buf_puts(&comment, label);
			json_buf_puts(&comment, ")");
		} else if (strcmp(kind, "tool") == 0) {
			json_buf_puts(&comment, "toolchain package pinned in ");
			json_buf_puts(&comment, label);
			json_buf_puts(&comment, " (sha256 of the .deb as the archive lists it; - where "
				      "it no longer does)");
		} else {
			json_buf_puts(&comment, "file inside the pinned source package, verified "
				      "before unpacking");
		}
		json_buf_append(&comment, "", 0);
		id.len = 0;
		spdx_id(&id, name);
		json_buf_append(&id, "", 0);
		if (id.failed || comment.failed) {
			rc = no_memory(err);
			break;
		}
		if (strcmp(kind, "member") == 0 && !source.data) {
			rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: member '%s' "
				      "comes before any source line; put it after its "
				      "source package", lock_path, line_no, name);
			break;
		}
		package(d, id.data, name, version, hash, "Organization: Debian", comment.data);
		if (strcmp(kind, "member") == 0) {
			relate(d, id.data, "CONTAINED_BY", source.data);
		} else if (strcmp(kind, "source") == 0) {
			source.len = 0;
			spdx_id(&source, name);
			json_buf_append(&source, "", 0);
		} else {
			relate(d, id.data, "BUILD_TOOL_OF", "SPDXRef-File-enclave.eif");
		}
	}
	free(id.data);
	free(source.data);
	free(name_buf.data);
	free(comment.data);
	return rc;
}

struct output {
	const char *id, *path, *comment;
};

/* The outputs, KERNEL_OUTPUT being the architecture's kernel image (kernel_images[]). */
enum { KERNEL_OUTPUT = 1 };
static const struct output outputs[] = {
	{ "SPDXRef-File-kernel.config", "kernel/config", "the resolved kernel .config" },
	{ NULL, NULL, NULL },
	{ "SPDXRef-File-nsm.ko", "nsm.ko", "our NSM driver, built against the kernel tree" },
	{ "SPDXRef-File-init", "init", "our static musl PID 1" },
	{ "SPDXRef-File-system.cpio", "ramdisk/system.cpio", "ramdisk 0 (PCR1): dev/, init, nsm.ko" },
	{ "SPDXRef-File-user.cpio", "ramdisk/user.cpio", "ramdisk 1 (PCR2): rootfs/, cmd, env" },
	{ "SPDXRef-File-enclave.eif", "enclave.eif", "the enclave image" },
};
static const struct output kernel_images[] = {
	[EIF_ARCH_X86_64] = { "SPDXRef-File-bzImage", "bzImage", "the enclave kernel" },
	[EIF_ARCH_AARCH64] = { "SPDXRef-File-Image", "Image",
			       "the enclave kernel: the uncompressed arm64 Image" },
};

static const struct output *output_of(size_t i, enum eif_arch arch)
{
	return i == KERNEL_OUTPUT ? &kernel_images[arch] : &outputs[i];
}

/* The boot chain: what each output was made from (kernel_id: the kernel source package). */
static void chain_relations(struct doc *d, const char *kernel_id, enum eif_arch arch)
{
	enum { KERNEL_PACKAGE = -1, ENCLAVE_KIT = -2, APPLICATION = -3 };
	/* indexes of outputs[], or one of the packages above */
	static const int chain[][2] = {
		{ 0, ENCLAVE_KIT }, { 1, KERNEL_PACKAGE }, { 1, 0 }, { 2, ENCLAVE_KIT },
		{ 2, KERNEL_PACKAGE }, { 3, ENCLAVE_KIT }, { 4, 3 }, { 4, 2 }, { 5, APPLICATION },
		{ 6, 1 }, { 6, 4 }, { 6, 5 },
	};

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		int from = chain[i][1];

		relate(d, output_of((size_t)chain[i][0], arch)->id, "GENERATED_FROM",
		       from == KERNEL_PACKAGE ? kernel_id : from == ENCLAVE_KIT ?
		       "SPDXRef-Package-enclave-kit" : from == APPLICATION ?
		       "SPDXRef-Package-application" : output_of((size_t)from, arch)->id);
	}
}

static void write_relations(struct doc *d)
{
	json_buf_puts(&d->b, "\n  ],\n  \"relationships\": [\n    {\"spdxElementId\": "
		      "\"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
		      "\"relatedSpdxElement\": \"SPDXRef-File-enclave.eif\"}");
	json_buf_append(&d->b, d->relations.data ? d->relations.data : "", d->relations.len);
	json_buf_puts(&d->b, "\n  ]\n}\n");
}

enum eif_status eif_sbom_write(const struct eif_sbom_input *in, char **text, struct eif_error *err)
{
	enum { N = sizeof(outputs) / sizeof(outputs[0]), USER = 5, EIF = 6 };
	struct doc d = { .sep = "" };
	struct json_buf kernel_id = { 0 }, own = { 0 };
	char sha1[N][41], sha256[N][65], app[65], path[4096];
	unsigned char *lock[EIF_SBOM_LOCKS_MAX] = { NULL }, *record = NULL;
	size_t lock_len, record_len;
	const char *app_what;
	enum eif_status rc = EIF_OK;
	bool kernel_found = false;

	*text = NULL;
	if ((unsigned)in->arch >= sizeof(kernel_images) / sizeof(kernel_images[0]))
		return eif_fail(err, EIF_E_USAGE, "sbom: architecture %d is not x86_64 or aarch64",
				(int)in->arch);
	if (in->lock_count == 0 || in->lock_count > EIF_SBOM_LOCKS_MAX)
		return eif_fail(err, EIF_E_USAGE, "sbom: %zu lock files; give 1 to %d",
				in->lock_count, EIF_SBOM_LOCKS_MAX);
	for (size_t i = 0; rc == EIF_OK && i < N; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", in->out_dir, output_of(i, in->arch)->path);
		rc = stat(path, &st) != 0 || !S_ISREG(st.st_mode) ?
		     eif_fail(err, EIF_E_USAGE, "sbom: %s is missing; run make first", path) :
		     file_digests(path, sha1[i], sha256[i], err);
	}
	for (size_t i = 0; rc == EIF_OK && i < in->lock_count; i++)
		rc = eif_read_small_file(in->lock_paths[i], "lock file", 16u << 20, &lock[i],
					 &lock_len, err);
	if (rc == EIF_OK && in->record_path)
		rc = eif_read_small_file(in->record_path, "record", 1u << 30, &record, &record_len, err);
	if (rc == EIF_OK)
		rc = app_hash(in->app, record_of((char *)record, sha256[USER]), app, &app_what, err);
	if (rc != EIF_OK)
		goto out;
	json_buf_puts(&d.b, "{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n"
		      "  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n  \"name\": \"enclave-kit ");
	json_buf_puts(&d.b, in->version);
	json_buf_puts(&d.b, " enclave image\",\n  \"documentNamespace\": "
		      "\"https://spdx.org/spdxdocs/enclave-kit-");
	json_buf_puts(&d.b, sha256[EIF]);
	json_buf_puts(&d.b, "\",\n  \"creationInfo\": {\"created\": \"");
	json_buf_puts(&d.b, in->created);
	json_buf_puts(&d.b, "\", \"creators\": [\"Tool: enclave-kit-");
	json_buf_puts(&d.b, in->version);
	json_buf_puts(&d.b, "\"]},\n  \"documentDescribes\": [\"SPDXRef-File-enclave.eif\"],\n"
		      "  \"packages\": [");
	json_buf_puts(&own, "our own sources at git commit ");
	json_buf_puts(&own, in->commit);
	json_buf_puts(&own, in->dirty ? " (with uncommitted changes)" : "");
	json_buf_puts(&own, ": kernel/ configs/ nsm/ init/ eif/ cbor/");
	json_buf_append(&own, "", 0);
	if (own.failed) {
		rc = no_memory(err);
		goto out;
	}
	package(&d, "SPDXRef-Package-enclave-kit", "enclave-kit", in->commit, "-",
		"Organization: enclave-kit", own.data);
	package(&d, "SPDXRef-Package-application", "application", app, app, "NOASSERTION",
		app_what);
	for (size_t i = 0; rc == EIF_OK && i < in->lock_count; i++)
		rc = lock_packages(&d, (char *)lock[i], in->lock_paths[i], &kernel_id, &kernel_found,
				   err);
	if (rc != EIF_OK)
		goto out;
	if (!kernel_found)
		spdx_id(&kernel_id, "");
	json_buf_append(&kernel_id, "", 0);
	json_buf_puts(&d.b, "\n  ],\n  \"files\": [");
	d.sep = "";
	for (size_t i = 0; i < N; i++) {
		const struct output *o = output_of(i, in->arch);

		file_entry(&d, o->id, o->path, sha1[i], sha256[i], o->comment);
	}
	chain_relations(&d, kernel_id.data, in->arch);
	write_relations(&d);
	json_buf_append(&d.b, "", 0);
	if (d.b.failed || d.relations.failed || kernel_id.failed) {
		rc = no_memory(err);
		goto out;
	}
	*text = d.b.data;
	d.b.data = NULL;
out:
	free(d.b.data);
	free(d.relations.data);
	free(kernel_id.data);
	free(own.data);
	for (size_t i = 0; i < EIF_SBOM_LOCKS_MAX; i++)
		free(lock[i]);
	free(record);
	return rc;
}
