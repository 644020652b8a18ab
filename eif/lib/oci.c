/* Container images: OCI layouts and docker-archives, flattened in memory (see oci.h). */
#include <eif/oci.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "json.h"
#include "tar.h"
#include "util.h"

#define OCI_CHUNK (256u * 1024u)
#define OCI_INDEX_DEPTH 4

/* A byte range of an open file: a layout's blob file or a member of a docker-archive. */
struct blob {
	int fd;
	uint64_t offset, size;
};

struct layer {
	struct blob blob;
	char digest[72];  /* OCI: the descriptor's "sha256:..." (compressed); "" for docker */
	char diff_id[72]; /* the config's rootfs.diff_ids entry (uncompressed) */
};

struct oci_image {
	char where[300];     /* "oci:PATH[:TAG]" or "docker-archive:FILE" for messages */
	int dir_fd;          /* layout directory, or -1 */
	int archive_fd;      /* docker-archive file, or -1 */
	struct json_value config;
	char manifest_digest[72];
	struct layer *layers;
	size_t layer_count;
	int spool_fd;
	uint64_t spool_size;
	uint32_t spool_source; /* cpio source of oci_image_add_file, once registered */
	bool has_spool_source;
};

static enum eif_status no_memory(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "image: out of memory; free memory and retry");
}

/* ---- blobs and digests ---- */

/* "sha256:<64 lowercase hex>" only: a digest names a file, so nothing else may pass. */
static bool digest_valid(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return false;
	for (int i = 7; i < 71; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

static void digest_text(EVP_MD_CTX *ctx, char out[72])
{
	unsigned char md[32];
	unsigned n = 0;

	memcpy(out, "sha256:", 7);
	if (EVP_DigestFinal_ex(ctx, md, &n) != 1 || n != 32)
		memset(md, 0, sizeof(md)); /* cannot match a real digest: reported as a mismatch */
	eif_hex(md, 32, out + 7);
}

static enum eif_status read_range(const struct oci_image *img, const struct blob *b,
				  uint64_t at, void *buf, size_t len, const char *what,
				  struct eif_error *err)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(b->fd, (char *)buf + got, len - got, (off_t)(b->offset + at + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return eif_fail_errno(err, "%s: cannot read %s", img->where, what);
		if (n == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: %s ends early; the image is truncated, "
					"copy it again", img->where, what);
		got += (size_t)n;
	}
	return EIF_OK;
}

/* A whole small blob, checked against digest (if not NULL), as NUL-terminated text. */
static enum eif_status read_json_blob(const struct oci_image *img, const struct blob *b,
				      const char *digest, const char *what, struct json_value *out,
				      struct eif_error *err)
{
	EVP_MD_CTX *ctx;
	unsigned char *buf;
	char actual[72];
	enum eif_status rc;

	if (b->size > OCI_JSON_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: %s has %llu bytes, more than the %u accepted; "
				"the image is malformed or hostile", img->where, what,
				(unsigned long long)b->size, OCI_JSON_MAX);
	if (!(buf = malloc((size_t)b->size + 1)))
		return no_memory(err);
	rc = read_range(img, b, 0, buf, (size_t)b->size, what, err);
	if (rc == EIF_OK && digest) {
		if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, buf, (size_t)b->size) != 1) {
			EVP_MD_CTX_free(ctx);
			free(buf);
			return eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash %s", img->where, what);
		}
		digest_text(ctx, actual);
		EVP_MD_CTX_free(ctx);
		if (strcmp(actual, digest) != 0)
			rc = eif_fail(err, EIF_E_FORMAT, "%s: %s has digest %s, but its descriptor says "
				      "%s; the image is corrupt or was altered: copy it again",
				      img->where, what, actual, digest);
	}
	if (rc == EIF_OK) {
		buf[b->size] = '\0';
		rc = json_parse(buf, (size_t)b->size, what, out, err);
		if (rc != EIF_OK)
			eif_error_prefix(err, "%s", img->where);
	}
	free(buf);
	return rc;
}

/* A layout's blob file for descriptor digest and size. */
static enum eif_status layout_blob(const struct oci_image *img, const char *digest, uint64_t size,
				   struct blob *b, struct eif_error *err)
{
	char path[96];
	struct stat st;
	int fd;

	if (!digest_valid(digest))
		return eif_fail(err, EIF_E_FORMAT, "%s: descriptor digest '%.80s' is not sha256:<64 "
				"lowercase hex>; only sha256 blobs are supported", img->where, digest);
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	fd = openat(img->dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return eif_fail_errno(err, "%s: cannot open blob %s; the layout is incomplete, copy "
				      "the image again", img->where, path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
		close(fd);
		return eif_fail(err, EIF_E_FORMAT, "%s: blob %s is not a regular file of the %llu "
				"bytes its descriptor says; the image is corrupt, copy it again",
				img->where, path, (unsigned long long)size);
	}
	*b = (struct blob){ fd, 0, size };
	return EIF_OK;
}

static void blob_close(const struct oci_image *img, struct blob *b)
{
	if (b->fd >= 0 && b->fd != img->archive_fd)
		close(b->fd);
	b->fd = -1;
}

/* ---- JSON helpers ---- */

static const char *json_string(const struct json_value *obj, const char *key)
{
	const struct json_value *v = obj && obj->type == JSON_OBJECT ? json_object_get(obj, key) : NULL;

	return v && v->type == JSON_STRING && strlen(v->text) == v->len ? v->text : NULL;
}

static const struct json_value *json_member(const struct json_value *obj, const char *key,
					    enum json_type type)
{
	const struct json_value *v = obj && obj->type == JSON_OBJECT ? json_object_get(obj, key) : NULL;

	return v && v->type == type ? v : NULL;
}

static bool json_u64(const struct json_value *obj, const char *key, uint64_t *out)
{
	const struct json_value *v = json_member(obj, key, JSON_NUMBER);
	char *end;

	if (!v || v->text[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(v->text, &end, 10);
	return errno == 0 && *end == '\0' && end != v->text;
}

/* ---- selecting the manifest ---- */

static const char *oci_arch_name(const char *arch)
{
	if (strcmp(arch, "x86_64") == 0 || strcmp(arch, "amd64") == 0)
		return "amd64";
	if (strcmp(arch, "aarch64") == 0 || strcmp(arch, "arm64") == 0)
		return "arm64";
	return arch;
}

static bool is_index_type(const char *media)
{
	return media && (strcmp(media, "application/vnd.oci.image.index.v1+json") == 0 ||
			 strcmp(media, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* Append ", item" to list (a fixed buffer), keeping it NUL-terminated. */
static void list_append(char *list, size_t size, const char *item)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", item);
}

/* In index, the descriptor whose platform is linux/arch. */
static enum eif_status select_platform(const struct oci_image *img, const struct json_value *index,
				       const char *arch, const struct json_value **out,
				       struct eif_error *err)
{
	const struct json_value *manifests = json_member(index, "manifests", JSON_ARRAY);
	char offered[512] = "";

	for (size_t i = 0; manifests && i < manifests->count; i++) {
		const struct json_value *platform = json_member(&manifests->items[i], "platform",
								JSON_OBJECT);
		const char *a = json_string(platform, "architecture"), *os = json_string(platform, "os");
		char item[128];

		if (a && os && strcmp(os, "linux") == 0 && strcmp(a, arch) == 0) {
			*out = &manifests->items[i];
			return EIF_OK;
		}
		snprintf(item, sizeof(item), "%s/%s", os ? os : "?", a ? a : "?");
		list_append(offered, sizeof(offered), item);
	}
	return eif_fail(err, EIF_E_USAGE, "%s: the image index has no linux/%s manifest (it offers "
			"%s); build or copy the image for %s, or give the matching ARCH",
			img->where, arch, offered[0] ? offered : "none", arch);
}

/* In index.json, the descriptor named tag (or the only one when tag is NULL). */
static enum eif_status select_tag(const struct oci_image *img, const struct json_value *index,
				  const char *tag, const struct json_value **out,
				  struct eif_error *err)
{
	const struct json_value *manifests = json_member(index, "manifests", JSON_ARRAY);
	char names[512] = "";
	size_t found = 0;

	for (size_t i = 0; manifests && i < manifests->count; i++) {
		const struct json_value *ann = json_member(&manifests->items[i], "annotations",
							   JSON_OBJECT);
		const char *name = json_string(ann, "org.opencontainers.image.ref.name");

		list_append(names, sizeof(names), name ? name : "(untagged)");
		if (tag ? name && strcmp(name, tag) == 0 : true) {
			*out = &manifests->items[i];
			found++;
		}
	}
	if (found == 1)
		return EIF_OK;
	if (!manifests || manifests->count == 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: index.json lists no manifest; the layout is "
				"empty", img->where);
	if (tag && found == 0)
		return eif_fail(err, EIF_E_USAGE, "%s: no manifest is tagged '%s' (tags: %s); give "
				"one of them", img->where, tag, names);
	return eif_fail(err, EIF_E_USAGE, "%s: index.json lists %zu manifests%s (tags: %s); "
			"name one as oci:PATH:TAG", img->where, tag ? found : manifests->count,
			tag ? " with that tag" : "", names);
}

static enum eif_status descriptor_blob(const struct oci_image *img, const struct json_value *desc,
				       const char *what, struct blob *b, const char **digest,
				       struct eif_error *err)
{
	uint64_t size;

	*digest = json_string(desc, "digest");
	if (!*digest || !json_u64(desc, "size", &size))
		return eif_fail(err, EIF_E_FORMAT, "%s: the %s descriptor lacks a digest or size; "
				"the image is malformed", img->where, what);
	return layout_blob(img, *digest, size, b, err);
}

static enum eif_status open_layout(struct oci_image *img, const char *path, const char *tag,
				   const char *arch, struct json_value *manifest,
				   struct eif_error *err)
{
	struct json_value index = { 0 }, next = { 0 };
	const struct json_value *desc = NULL;
	struct blob b = { -1, 0, 0 };
	struct stat st;
	const char *digest;
	enum eif_status rc;
	char what[96];
	int fd;

	img->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (img->dir_fd < 0)
		return eif_fail_errno(err, "%s: cannot open the layout directory '%s'", img->where, path);
	fd = openat(img->dir_fd, "index.json", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return eif_fail(err, EIF_E_USAGE, "%s: '%s' has no index.json, so it is not an OCI "
				"image layout; make one with 'skopeo copy ... oci:%s' or 'umoci init'",
				img->where, path, path);
	}
	b = (struct blob){ fd, 0, (uint64_t)st.st_size };
	rc = read_json_blob(img, &b, NULL, "index.json", &index, err);
	close(fd);
	if (rc == EIF_OK)
		rc = select_tag(img, &index, tag, &desc, err);
	/* A chosen descriptor may be an index itself: follow it by platform, a few levels deep. */
	for (int depth = 0; rc == EIF_OK; depth++) {
		const char *media = json_string(desc, "mediaType");
		bool is_index = is_index_type(media);

		snprintf(what, sizeof(what), "%s", is_index ? "image index" : "manifest");
		if ((rc = descriptor_blob(img, desc, what, &b, &digest, err)) != EIF_OK)
			break;
		rc = read_json_blob(img, &b, digest, what, &next, err);
		blob_close(img, &b);
		if (rc != EIF_OK)
			break;
		/* digest lives in index, freed next */
		snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest);
		json_free(&index);
		json_move(&index, &next);
		if (!is_index && !json_member(&index, "manifests", JSON_ARRAY)) {
			json_move(manifest, &index);
			break;
		}
		if (depth == OCI_INDEX_DEPTH) {
			rc = eif_fail(err, EIF_E_LIMIT, "%s: image indexes nest more than %d deep; the "
				      "image is malformed", img->where, OCI_INDEX_DEPTH);
			break;
		}
		rc = select_platform(img, &index, oci_arch_name(arch), &desc, err);
	}
	json_free(&index);
	json_free(&next);
	return rc;
}

/* ---- docker-archive ---- */

struct archive_member {
	char *name;
	struct blob blob;
};

static long long fd_read(void *ctx, void *buf, size_t len, struct eif_error *err)
{
	int fd = *(int *)ctx;
	long long n = eif_read_full(fd, buf, len);

	if (n < 0)
		eif_fail_errno(err, "docker-archive: read failed");
	return n;
}

/* Name of a member without a leading "./". */
static const char *member_name(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	return name;
}

/* Index the regular members of the outer tar (their data stays in the file). */
static enum eif_status index_archive(struct oci_image *img, struct archive_member **members,
				     size_t *count, struct eif_error *err)
{
	struct tar_reader *r = tar_reader_new(fd_read, &img->archive_fd, img->where, err);
	const struct tar_member *m;
	size_t cap = 0;
	enum eif_status rc;
	uint64_t at = 0;

	if (!r)
		return EIF_E_NOMEM;
	while ((rc = tar_next(r, &m, err)) == EIF_OK && m) {
		struct archive_member *grown;

		if (m->type != TAR_REGULAR)
			continue;
		at = tar_data_offset(r);
		if (*count == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > 65536 || !(grown = realloc(*members, cap * sizeof(*grown)))) {
				rc = cap > 65536 ? eif_fail(err, EIF_E_LIMIT, "%s: more than 32768 "
							    "files; not a docker-archive", img->where)
						 : no_memory(err);
				break;
			}
			*members = grown;
		}
		if (!((*members)[*count].name = strdup(member_name(m->name)))) {
			rc = no_memory(err);
			break;
		}
		(*members)[(*count)++].blob = (struct blob){ img->archive_fd, at, m->size };
	}
	tar_reader_free(r);
	return rc;
}

static const struct blob *find_member(const struct archive_member *members, size_t count,
				      const char *name)
{
	name = member_name(name);
	for (size_t i = 0; i < count; i++)
		if (strcmp(members[i].name, name) == 0)
			return &members[i].blob;
	return NULL;
}

/* The sha256 a docker-archive config is named by: "<hex>.json" or "blobs/sha256/<hex>". */
static bool config_digest_from_name(const char *name, char out[72])
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base ? base + 1 : name;
	n = strlen(base);
	if (n == 69 && strcmp(base + 64, ".json") == 0)
		n = 64;
	if (n != 64)
		return false;
	snprintf(out, 72, "sha256:%.64s", base);
	return digest_valid(out);
}

/* Read the config blob b (checked against digest), check it fits the enclave, and set up
 * layer_count layers with their diff_ids; the caller fills in each layer's blob. */
static enum eif_status load_config(struct oci_image *img, const struct blob *b, const char *digest,
				   const char *arch, size_t layer_count, struct eif_error *err)
{
	const struct json_value *diff_ids;
	const char *config_arch;
	enum eif_status rc;

	if ((rc = read_json_blob(img, b, digest, "config", &img->config, err)) != EIF_OK)
		return rc;
	config_arch = json_string(&img->config, "architecture");
	if (config_arch && strcmp(config_arch, oci_arch_name(arch)) != 0)
		return eif_fail(err, EIF_E_USAGE, "%s: the image is built for %s, the enclave is %s; "
				"build the image for linux/%s", img->where, config_arch,
				oci_arch_name(arch), oci_arch_name(arch));
	diff_ids = json_member(json_member(&img->config, "rootfs", JSON_OBJECT), "diff_ids",
			       JSON_ARRAY);
	if (!diff_ids || diff_ids->count != layer_count)
		return eif_fail(err, EIF_E_FORMAT, "%s: the config's rootfs.diff_ids does not list "
				"one digest per layer; the image is malformed", img->where);
	if (layer_count > OCI_LAYERS_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: %zu layers, more than the %u accepted; squash "
				"the image (e.g. buildah commit --squash)", img->where, layer_count,
				OCI_LAYERS_MAX);
	if (!(img->layers = calloc(layer_count ? layer_count : 1, sizeof(*img->layers))))
		return no_memory(err);
	for (size_t i = 0; i < layer_count; i++) {
		const struct json_value *d = &diff_ids->items[i];

		img->layers[i].blob.fd = -1;
		img->layer_count++;
		if (d->type != JSON_STRING || !digest_valid(d->text))
			return eif_fail(err, EIF_E_FORMAT, "%s: rootfs.diff_ids[%zu] is not a sha256 "
					"digest; the image is malformed", img->where, i);
		snprintf(img->layers[i].diff_id, sizeof(img->layers[i].diff_id), "%s", d->text);
	}
	return EIF_OK;
}

static enum eif_status layout_config_and_layers(struct oci_image *img, const char *arch,
						const struct json_value *manifest,
						struct eif_error *err)
{
	const struct json_value *config = json_member(manifest, "config", JSON_OBJECT);
	const struct json_value *layers = json_member(manifest, "layers", JSON_ARRAY);
	struct blob b = { -1, 0, 0 };
	const char *digest;
	enum eif_status rc;

	if (!config || !layers)
		return eif_fail(err, EIF_E_FORMAT, "%s: the manifest lacks config or layers; the "
				"image is malformed", img->where);
	if (layers->count > OCI_LAYERS_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: %zu layers, more than the %u accepted; squash "
				"the image (e.g. buildah commit --squash)", img->where, layers->count,
				OCI_LAYERS_MAX);
	if ((rc = descriptor_blob(img, config, "config", &b, &digest, err)) != EIF_OK)
		return rc;
	rc = load_config(img, &b, digest, arch, layers->count, err);
	blob_close(img, &b);
	for (size_t i = 0; rc == EIF_OK && i < layers->count; i++) {
		char what[32];

		snprintf(what, sizeof(what), "layer %zu", i + 1);
		rc = descriptor_blob(img, &layers->items[i], what, &img->layers[i].blob, &digest, err);
		if (rc == EIF_OK)
			snprintf(img->layers[i].digest, sizeof(img->layers[i].digest), "%s", digest);
	}
	return rc;
}

/* "name:tag" matches "tag" and "name:tag". */
static bool repo_tag_matches(const char *repo_tag, const char *tag)
{
	size_t n = strlen(repo_tag), t = strlen(tag);

	return strcmp(repo_tag, tag) == 0 ||
	       (n > t && repo_tag[n - t - 1] == ':' && strcmp(repo_tag + n - t, tag) == 0);
}

static enum eif_status open_docker_archive(struct oci_image *img, const char *path, const char *tag,
					   const char *arch, struct eif_error *err)
{
	struct archive_member *members = NULL;
	struct json_value list = { 0 };
	const struct json_value *chosen = NULL, *config = NULL, *layers = NULL;
	const struct blob *b = NULL;
	char tags[512] = "";
	size_t count = 0, found = 0;
	enum eif_status rc;

	img->archive_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->archive_fd < 0)
		return eif_fail_errno(err, "%s: cannot open '%s'", img->where, path);
	rc = index_archive(img, &members, &count, err);
	if (rc == EIF_OK && !(b = find_member(members, count, "manifest.json")))
		rc = eif_fail(err, EIF_E_USAGE, "%s: '%s' has no manifest.json, so it is not a "
			      "docker-archive; make one with 'docker save' or 'skopeo copy ... "
			      "docker-archive:FILE'", img->where, path);
	if (rc == EIF_OK)
		rc = read_json_blob(img, b, NULL, "manifest.json", &list, err);
	for (size_t i = 0; rc == EIF_OK && list.type == JSON_ARRAY && i < list.count; i++) {
		const struct json_value *repo_tags = json_member(&list.items[i], "RepoTags", JSON_ARRAY);
		bool match = !tag;

		for (size_t t = 0; repo_tags && t < repo_tags->count; t++) {
			const char *v = repo_tags->items[t].type == JSON_STRING ?
					repo_tags->items[t].text : "?";
			list_append(tags, sizeof(tags), v);
			match |= tag && repo_tag_matches(v, tag);
		}
		if (match) {
			chosen = &list.items[i];
			found++;
		}
	}
	if (rc == EIF_OK && found != 1)
		rc = eif_fail(err, EIF_E_USAGE, "%s: manifest.json has %zu images%s (tags: %s); %s",
			      img->where, found, tag ? " with that tag" : "", tags[0] ? tags : "none",
			      tag ? "give one of the tags" : "name one as docker-archive:FILE:TAG");
	if (rc == EIF_OK) {
		config = json_member(chosen, "Config", JSON_STRING);
		layers = json_member(chosen, "Layers", JSON_ARRAY);
		if (!config || !layers)
			rc = eif_fail(err, EIF_E_FORMAT, "%s: manifest.json lacks Config or Layers; "
				      "the archive is malformed", img->where);
		else if (layers->count > OCI_LAYERS_MAX)
			rc = eif_fail(err, EIF_E_LIMIT, "%s: %zu layers, more than the %u accepted; "
				      "squash the image (e.g. buildah commit --squash)", img->where,
				      layers->count, OCI_LAYERS_MAX);
		else if (!config_digest_from_name(config->text, img->manifest_digest))
			rc = eif_fail(err, EIF_E_FORMAT, "%s: config '%.200s' is not named by its "
				      "sha256, so it cannot be checked; re-save the image", img->where,
				      config->text);
		else if (!(b = find_member(members, count, config->text)))
			rc = eif_fail(err, EIF_E_FORMAT, "%s: manifest.json names config '%.200s', "
				      "which the archive does not hold; it is incomplete", img->where,
				      config->text);
	}
	/* A docker image is named by its config's digest: that is the one checked here. */
	if (rc == EIF_OK)
		rc = load_config(img, b, img->manifest_digest, arch, layers->count, err);
	for (size_t i = 0; rc == EIF_OK && i < layers->count; i++) {
		const struct json_value *name = &layers->items[i];

		if (name->type != JSON_STRING || !(b = find_member(members, count, name->text)))
			rc = eif_fail(err, EIF_E_FORMAT, "%s: manifest.json names layer '%.200s', "
				      "which the archive does not hold; it is incomplete", img->where,
				      name->type == JSON_STRING ? name->text : "?");
		else
			img->layers[i].blob = *b;
	}
	json_free(&list);
	for (size_t i = 0; i < count; i++)
		free(members[i].name);
	free(members);
	return rc;
}

/* An unlinked file for file data, in $TMPDIR or /tmp. */
static enum eif_status open_spool(struct oci_image *img, struct eif_error *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/eif-image.XXXXXX", dir);
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0)
		return eif_fail_errno(err, "%s: cannot make a spool file in '%s'; set TMPDIR to a "
				      "writable directory", img->where, dir);
	img->spool_fd = fd;
	return EIF_OK;
}

enum eif_status oci_image_open(enum oci_format format, const char *path, const char *tag,
			       const char *arch, struct oci_image **out, struct eif_error *err)
{
	struct oci_image *img = calloc(1, sizeof(*img));
	struct json_value manifest = { 0 };
	enum eif_status rc;

	*out = NULL;
	if (!img)
		return no_memory(err);
	img->dir_fd = img->archive_fd = img->spool_fd = -1;
	snprintf(img->where, sizeof(img->where), "%s:%s%s%s",
		 format == OCI_LAYOUT ? "oci" : "docker-archive", path, tag ? ":" : "", tag ? tag : "");
	if (format == OCI_LAYOUT) {
		rc = open_layout(img, path, tag, arch, &manifest, err);
		if (rc == EIF_OK)
			rc = layout_config_and_layers(img, arch, &manifest, err);
	} else {
		rc = open_docker_archive(img, path, tag, arch, err);
	}
	if (rc == EIF_OK)
		rc = open_spool(img, err);
	json_free(&manifest);
	if (rc != EIF_OK) {
		oci_image_free(img);
		return rc;
	}
	*out = img;
	return EIF_OK;
}

void oci_image_free(struct oci_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->layer_count; i++)
		blob_close(img, &img->layers[i].blob);
	free(img->layers);
	json_free(&img->config);
	if (img->dir_fd >= 0)
		close(img->dir_fd);
	if (img->archive_fd >= 0)
		close(img->archive_fd);
	if (img->spool_fd >= 0)
		close(img->spool_fd);
	free(img);
}

const char *oci_image_digest(const struct oci_image *img)
{
	return img->manifest_digest;
}

size_t oci_image_layer_count(const struct oci_image *img)
{
	return img->layer_count;
}

const char *oci_image_layer_digest(const struct oci_image *img, size_t i)
{
	return img->layers[i].digest;
}

const char *oci_image_layer_diff_id(const struct oci_image *img, size_t i)
{
	return img->layers[i].diff_id;
}

/* ---- layer streams: raw, gzip or zstd, hashed as they are read ---- */

enum compression { PLAIN, GZIP, ZSTD };

struct layer_stream {
	const struct oci_image *img;
	const struct layer *layer;
	char where[360];         /* "oci:PATH layer 2" */
	enum compression kind;
	uint64_t read_at;        /* compressed bytes consumed from the blob */
	uint64_t expanded;       /* decompressed bytes produced */
	uint64_t *image_expanded; /* all layers so far */
	unsigned char *in;
	size_t in_len, in_pos;
	bool in_eof, stream_end;
	size_t zstd_pending;     /* ZSTD_decompressStream's last hint: 0 at a frame's end */
	z_stream z;
	bool z_ready;
	ZSTD_DStream *zstd;
	EVP_MD_CTX *blob_hash, *diff_hash;
};

static enum eif_status fill_input(struct layer_stream *s, struct eif_error *err)
{
	uint64_t left = s->layer->blob.size - s->read_at;
	size_t n = left < OCI_CHUNK ? (size_t)left : OCI_CHUNK;
	enum eif_status rc;

	s->in_pos = 0;
	s->in_len = n;
	if (n == 0) {
		s->in_eof = true;
		return EIF_OK;
	}
	rc = read_range(s->img, &s->layer->blob, s->read_at, s->in, n, s->where, err);
	if (rc != EIF_OK)
		return rc;
	if (EVP_DigestUpdate(s->blob_hash, s->in, n) != 1)
		return eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash the layer", s->where);
	s->read_at += n;
	return EIF_OK;
}

static enum eif_status check_expansion(struct layer_stream *s, size_t produced,
				       struct eif_error *err)
{
	s->expanded += produced;
	*s->image_expanded += produced;
	if (s->expanded > OCI_BOMB_FREE && s->expanded / OCI_BOMB_RATIO > s->read_at)
		return eif_fail(err, EIF_E_LIMIT, "%s: %llu compressed bytes expand to more than "
				"%llu, over the %u:1 ratio accepted past %llu MiB; this looks like a "
				"decompression bomb, rebuild the layer", s->where,
				(unsigned long long)s->read_at, (unsigned long long)s->expanded,
				OCI_BOMB_RATIO, OCI_BOMB_FREE >> 20);
	if (*s->image_expanded > OCI_EXPANDED_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: the layers expand to more than the %llu GiB "
				"accepted for an enclave image; make the image smaller", s->where,
				OCI_EXPANDED_MAX >> 30);
	return EIF_OK;
}

/* The read function the tar reader pulls decompressed bytes through. */
static long long layer_read(void *ctx, void *buf, size_t len, struct eif_error *err)
{
	struct layer_stream *s = ctx;
	size_t produced = 0;

	while (produced == 0 && !s->stream_end) {
		if (s->in_pos == s->in_len && !s->in_eof && fill_input(s, err) != EIF_OK)
			return -1;
		if (s->kind == PLAIN) {
			size_t n = s->in_len - s->in_pos < len ? s->in_len - s->in_pos : len;
			memcpy(buf, s->in + s->in_pos, n);
			s->in_pos += n;
			produced = n;
			s->stream_end = s->in_eof;
		} else if (s->kind == GZIP) {
			int zrc;

			if (s->in_eof && s->in_pos == s->in_len) {
				eif_fail(err, EIF_E_FORMAT, "%s: the gzip stream ends early; the layer "
					 "is truncated, copy the image again", s->where);
				return -1;
			}
			s->z.next_in = s->in + s->in_pos;
			s->z.avail_in = (uInt)(s->in_len - s->in_pos);
			s->z.next_out = buf;
			s->z.avail_out = (uInt)(len < OCI_CHUNK ? len : OCI_CHUNK);
			zrc = inflate(&s->z, Z_NO_FLUSH);
			produced = (size_t)((unsigned char *)s->z.next_out - (unsigned char *)buf);
			s->in_pos = s->in_len - s->z.avail_in;
			if (zrc == Z_STREAM_END) {
				/* Another gzip member may follow (pigz, concatenated streams). */
				if (s->in_pos == s->in_len && !s->in_eof && fill_input(s, err) != EIF_OK)
					return -1;
				if (s->in_pos == s->in_len)
					s->stream_end = true;
				else
					inflateReset(&s->z);
			} else if (zrc != Z_OK && zrc != Z_BUF_ERROR) {
				eif_fail(err, EIF_E_FORMAT, "%s: gzip data is corrupt at compressed byte "
					 "%llu (%s); copy the image again", s->where,
					 (unsigned long long)(s->read_at - (s->in_len - s->in_pos)),
					 s->z.msg ? s->z.msg : "inflate failed");
				return -1;
			}
		} else {
			ZSTD_inBuffer in = { s->in, s->in_len, s->in_pos };
			ZSTD_outBuffer out = { buf, len, 0 };
			size_t zrc;

			if (s->in_eof && s->in_pos == s->in_len) {
				if (s->zstd_pending) {
					eif_fail(err, EIF_E_FORMAT, "%s: the zstd stream ends early; the "
						 "layer is truncated, copy the image again", s->where);
					return -1;
				}
				s->stream_end = true;
				break;
			}
			zrc = ZSTD_decompressStream(s->zstd, &out, &in);
			if (ZSTD_isError(zrc)) {
				eif_fail(err, EIF_E_FORMAT, "%s: zstd data is corrupt (%s); copy the image "
					 "again", s->where, ZSTD_getErrorName(zrc));
				return -1;
			}
			s->in_pos = in.pos;
			s->zstd_pending = zrc;
			produced = out.pos;
		}
	}
	/* The manifest pins an OCI layer by its blob digest; the diff_id is the only check of a
	 * docker-archive layer, and only there is the decompressed stream hashed too. */
	if (produced && !s->layer->digest[0] && EVP_DigestUpdate(s->diff_hash, buf, produced) != 1) {
		eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash the layer", s->where);
		return -1;
	}
	if (check_expansion(s, produced, err) != EIF_OK)
		return -1;
	return (long long)produced;
}

static enum eif_status stream_open(struct layer_stream *s, struct eif_error *err)
{
	static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
	static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	enum eif_status rc;

	if (!(s->in = malloc(OCI_CHUNK)) || !(s->blob_hash = EVP_MD_CTX_new()) ||
	    !(s->diff_hash = EVP_MD_CTX_new()))
		return no_memory(err);
	if (EVP_DigestInit_ex(s->blob_hash, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(s->diff_hash, EVP_sha256(), NULL) != 1)
		return eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash the layer", s->where);
	if ((rc = fill_input(s, err)) != EIF_OK)
		return rc;
	if (s->in_len >= 2 && memcmp(s->in, gzip_magic, 2) == 0) {
		s->kind = GZIP;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return no_memory(err);
		s->z_ready = true;
	} else if (s->in_len >= 4 && memcmp(s->in, zstd_magic, 4) == 0) {
		s->kind = ZSTD;
		if (!(s->zstd = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(s->zstd)))
			return no_memory(err);
		/* Refuse frames that need a window beyond 128 MiB: a hostile frame cannot make us
		 * allocate more. */
		ZSTD_DCtx_setParameter(s->zstd, ZSTD_d_windowLogMax, 27);
	}
	return EIF_OK;
}

static void stream_close(struct layer_stream *s)
{
	if (s->z_ready)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zstd);
	EVP_MD_CTX_free(s->blob_hash);
	EVP_MD_CTX_free(s->diff_hash);
	free(s->in);
}

/* After the tar's end: read what is left (padding) and compare both digests. */
static enum eif_status stream_finish(struct layer_stream *s, struct eif_error *err)
{
	unsigned char *scratch = malloc(OCI_CHUNK);
	char blob[72], diff[72];
	long long n;

	if (!scratch)
		return no_memory(err);
	while ((n = layer_read(s, scratch, OCI_CHUNK, err)) > 0)
		;
	free(scratch);
	if (n < 0)
		return err ? err->code : EIF_E_FORMAT;
	digest_text(s->blob_hash, blob);
	digest_text(s->diff_hash, diff);
	if (s->layer->digest[0] && strcmp(blob, s->layer->digest) != 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: blob has digest %s, but the manifest says %s; "
				"the image is corrupt or was altered: copy it again", s->where, blob,
				s->layer->digest);
	if (!s->layer->digest[0] && strcmp(diff, s->layer->diff_id) != 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: the uncompressed layer has digest %s, but the "
				"config's diff_id says %s; the image is corrupt or was altered: copy "
				"it again", s->where, diff, s->layer->diff_id);
	return EIF_OK;
}

/* ---- the merged tree ---- */

struct inode {
	uint32_t mode, uid, gid, rdev_major, rdev_minor;
	uint32_t names;      /* tree names pointing here (hard links) */
	uint64_t size, data_offset;
	const char *target;  /* symlink */
	size_t link_group;   /* cpio group, once emitted */
};

struct node {
	struct node *parent, *child, *next, *prev; /* children: a doubly linked list */
	struct node *hash_next;
	const char *name;
	size_t name_len;
	struct inode *inode;
	uint32_t layer;      /* the layer that last set this name */
};

struct tree {
	struct oci_image *img;
	struct node root;
	struct inode root_inode;
	struct node **buckets;
	size_t bucket_count, node_count, entries_seen;
	struct eif_arena pool; /* nodes, inodes, names: never freed one by one */
	uint32_t layer;
	char where[360];    /* "oci:PATH layer 2" */
	/* A member's name and a hard link's target split into components (on the heap: the
	 * library may run on a small thread stack). */
	const char **parts, **link_parts;
	size_t *lens, *link_lens;
};

static void *pool_alloc(struct tree *t, size_t n)
{
	return eif_arena_alloc(&t->pool, n, 16);
}

static size_t hash_key(const struct node *parent, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	return (size_t)(h ^ h >> 29);
}

static struct node **bucket_of(struct tree *t, const struct node *parent, const char *name,
			       size_t len)
{
	return &t->buckets[hash_key(parent, name, len) & (t->bucket_count - 1)];
}

static struct node *find_child(struct tree *t, const struct node *parent, const char *name,
			       size_t len)
{
	for (struct node *n = *bucket_of(t, parent, name, len); n; n = n->hash_next)
		if (n->parent == parent && n->name_len == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

static bool grow_buckets(struct tree *t)
{
	size_t count = t->bucket_count ? t->bucket_count * 2 : 4096;
	struct node **old = t->buckets, **fresh = calloc(count, sizeof(*fresh));
	size_t old_count = t->bucket_count;

	if (!fresh)
		return false;
	t->buckets = fresh;
	t->bucket_count = count;
	for (size_t i = 0; i < old_count; i++) {
		for (struct node *n = old[i], *next; n; n = next) {
			struct node **b = bucket_of(t, n->parent, n->name, n->name_len);
			next = n->hash_next;
			n->hash_next = *b;
			*b = n;
		}
	}
	free(old);
	return true;
}

/* Unhook n and everything below it; their inodes lose a name. */
static void remove_subtree(struct tree *t, struct node *n)
{
	struct node *top = n, *parent = n->parent;

	if (n->prev)
		n->prev->next = n->next;
	else
		parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	/* Walk the subtree (the links inside it stay valid while it is walked). */
	while (n) {
		struct node **b = bucket_of(t, n->parent, n->name, n->name_len);

		while (*b != n)
			b = &(*b)->hash_next;
		*b = n->hash_next;
		n->inode->names--;
		t->node_count--;
		if (n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
}

static struct node *add_child(struct tree *t, struct node *parent, const char *name, size_t len,
			      struct inode *inode)
{
	struct node *n;
	struct node **b;
	char *copy;

	if (t->node_count >= t->bucket_count && !grow_buckets(t))
		return NULL;
	if (!(n = pool_alloc(t, sizeof(*n))) || !(copy = pool_alloc(t, len + 1)))
		return NULL;
	memcpy(copy, name, len);
	copy[len] = '\0';
	*n = (struct node){ .parent = parent, .name = copy, .name_len = len, .inode = inode,
			    .layer = t->layer, .next = parent->child };
	if (parent->child)
		parent->child->prev = n;
	parent->child = n;
	b = bucket_of(t, parent, name, len);
	n->hash_next = *b;
	*b = n;
	inode->names++;
	t->node_count++;
	return n;
}

static struct inode *new_inode(struct tree *t, uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct inode *i = pool_alloc(t, sizeof(*i));

	if (i)
		*i = (struct inode){ .mode = mode, .uid = uid, .gid = gid };
	return i;
}

/* Split a member name into components, refusing absolute names and "..": an image's
 * entries stay below its root. Returns the number of components (0: the root itself). */
static enum eif_status split_name(struct tree *t, const char *name, uint64_t at, const char *what,
				  const char **parts, size_t *lens, size_t max, size_t *count,
				  struct eif_error *err)
{
	const char *p = name;

	*count = 0;
	if (name[0] == '/')
		return eif_fail(err, EIF_E_FORMAT, "%s: %s '%.200s' (tar byte %llu) is an absolute "
				"path; a layer holds relative names, so it is hostile or broken",
				t->where, what, name, (unsigned long long)at);
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return eif_fail(err, EIF_E_FORMAT, "%s: %s '%.200s' (tar byte %llu) has a '..' "
					"component and could leave the image root; the layer is hostile "
					"or broken", t->where, what, name, (unsigned long long)at);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (*count == max)
				return eif_fail(err, EIF_E_LIMIT, "%s: %s '%.200s' is nested too deep",
						t->where, what, name);
			parts[*count] = p;
			lens[(*count)++] = n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return EIF_OK;
}

#define MAX_DEPTH (CPIO_NAME_MAX / 2 + 1)

/* The directory that holds parts[0..count-1], implied directories (0755, root) made on the
 * way as an unpacker would; a non-directory on the way is refused (following a symlink
 * could leave the root). */
static enum eif_status parent_dir(struct tree *t, const char *name, const char **parts,
				  const size_t *lens, size_t count, bool create, struct node **out,
				  struct eif_error *err)
{
	struct node *dir = &t->root;

	*out = NULL;
	for (size_t i = 0; i + 1 < count; i++) {
		struct node *next = find_child(t, dir, parts[i], lens[i]);

		if (!next) {
			struct inode *ino;
			if (!create)
				return EIF_OK;
			if (!(ino = new_inode(t, S_IFDIR | 0755, 0, 0)) ||
			    !(next = add_child(t, dir, parts[i], lens[i], ino)))
				return no_memory(err);
		} else if (!S_ISDIR(next->inode->mode)) {
			return eif_fail(err, EIF_E_FORMAT, "%s: '%.200s' lies below '%.*s', which is "
					"not a directory in the image; the layer is hostile or broken",
					t->where, name, (int)(parts[i] + lens[i] - name), name);
		}
		dir = next;
	}
	*out = dir;
	return EIF_OK;
}

static enum eif_status apply_whiteout(struct tree *t, const struct tar_member *m,
				      const char **parts, size_t *lens, size_t count,
				      struct eif_error *err)
{
	const char *base = parts[count - 1] + 4;
	size_t base_len = lens[count - 1] - 4;
	struct node *dir, *victim;
	enum eif_status rc;

	if ((rc = parent_dir(t, m->name, parts, lens, count, false, &dir, err)) != EIF_OK || !dir)
		return rc; /* nothing below a missing directory to delete */
	if (base_len == 8 && memcmp(base, ".wh..opq", 8) == 0) {
		/* Opaque: drop what lower layers put in dir, keep this layer's entries. */
		for (struct node *c = dir->child, *next; c; c = next) {
			next = c->next;
			if (c->layer < t->layer)
				remove_subtree(t, c);
		}
		return EIF_OK;
	}
	if (base_len == 0 || (base_len == 1 && base[0] == '.') ||
	    (base_len == 2 && base[0] == '.' && base[1] == '.'))
		return eif_fail(err, EIF_E_FORMAT, "%s: whiteout '%.200s' (tar byte %llu) names no "
				"entry inside the tree; the layer is hostile or broken", t->where,
				m->name, (unsigned long long)m->offset);
	if (base_len > 4 && memcmp(base, ".wh.", 4) == 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: '%.200s' is an AUFS metadata entry, which "
				"OCI layers do not use; rebuild the layer", t->where, m->name);
	victim = find_child(t, dir, base, base_len);
	if (victim && victim->layer < t->layer) /* a whiteout hides lower layers only */
		remove_subtree(t, victim);
	return EIF_OK;
}

/* Copy the member's data into the spool. */
static enum eif_status spool_member(struct tree *t, struct tar_reader *r, struct inode *ino,
				    unsigned char *buf, struct eif_error *err)
{
	struct oci_image *img = t->img;
	uint64_t total = 0;
	enum eif_status rc;
	size_t got;

	ino->data_offset = img->spool_size;
	while ((rc = tar_read_data(r, buf, OCI_CHUNK, &got, err)) == EIF_OK && got) {
		if (eif_write_full(img->spool_fd, buf, got) != 0)
			return eif_fail_errno(err, "%s: cannot write the spool file (set TMPDIR to a "
					      "directory with room for the image's files)", t->where);
		total += got;
	}
	img->spool_size += total;
	ino->size = total;
	return rc;
}

static uint32_t type_bits(enum tar_type type)
{
	switch (type) {
	case TAR_DIRECTORY: return S_IFDIR;
	case TAR_SYMLINK: return S_IFLNK;
	case TAR_CHAR: return S_IFCHR;
	case TAR_BLOCK_DEV: return S_IFBLK;
	case TAR_FIFO: return S_IFIFO;
	default: return S_IFREG;
	}
}

static enum eif_status apply_member(struct tree *t, struct tar_reader *r,
				    const struct tar_member *m, unsigned char *buf,
				    struct eif_error *err)
{
	const char **parts = t->parts, **lparts = t->link_parts;
	size_t *lens = t->lens, *llens = t->link_lens, count, lcount;
	struct node *dir, *old, *n;
	struct inode *ino;
	enum eif_status rc;

	if (++t->entries_seen > OCI_ENTRIES_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: more than %u entries in the image's layers; "
				"the image is hostile or far too large for an enclave", t->where,
				OCI_ENTRIES_MAX);
	if (strlen(m->name) > CPIO_NAME_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: member name of %zu bytes (tar byte %llu) is "
				"longer than the %u the kernel unpacker accepts; the layer is hostile "
				"or broken", t->where, strlen(m->name), (unsigned long long)m->offset,
				CPIO_NAME_MAX);
	if (m->size >= 0x100000000ull)
		return eif_fail(err, EIF_E_LIMIT, "%s: member '%.200s' (tar byte %llu) declares %llu "
				"bytes, but newc stores at most 4 GiB - 1 per file; leave it out of "
				"the image", t->where, m->name, (unsigned long long)m->offset,
				(unsigned long long)m->size);
	if ((rc = split_name(t, m->name, m->offset, "member", parts, lens, MAX_DEPTH, &count,
			     err)) != EIF_OK)
		return rc;
	if (count == 0) {
		if (m->type != TAR_DIRECTORY)
			return eif_fail(err, EIF_E_FORMAT, "%s: member '%.200s' names the image root "
					"but is not a directory; the layer is broken", t->where, m->name);
		return EIF_OK; /* the root's own mode is not used, as for a directory APP */
	}
	if (lens[count - 1] >= 4 && memcmp(parts[count - 1], ".wh.", 4) == 0)
		return apply_whiteout(t, m, parts, lens, count, err);
	if ((rc = parent_dir(t, m->name, parts, lens, count, true, &dir, err)) != EIF_OK)
		return rc;
	old = find_child(t, dir, parts[count - 1], lens[count - 1]);
	if (m->type == TAR_HARDLINK) {
		struct node *target = &t->root;

		if ((rc = split_name(t, m->linkname, m->offset, "hard link target", lparts, llens,
				     MAX_DEPTH, &lcount, err)) != EIF_OK)
			return rc;
		for (size_t i = 0; i < lcount && target; i++)
			target = S_ISDIR(target->inode->mode) ?
				 find_child(t, target, lparts[i], llens[i]) : NULL;
		if (!target || lcount == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: hard link '%.200s' (tar byte %llu) "
					"points to '%.200s', which is not present yet; the layer is "
					"hostile or broken", t->where, m->name,
					(unsigned long long)m->offset, m->linkname);
		if (S_ISDIR(target->inode->mode))
			return eif_fail(err, EIF_E_FORMAT, "%s: hard link '%.200s' points to the "
					"directory '%.200s'; the layer is hostile or broken", t->where,
					m->name, m->linkname);
		if (target == old)
			return EIF_OK;
		ino = target->inode;
		if (old)
			remove_subtree(t, old);
		return add_child(t, dir, parts[count - 1], lens[count - 1], ino) ? EIF_OK
										 : no_memory(err);
	}
	if (old && m->type == TAR_DIRECTORY && S_ISDIR(old->inode->mode)) {
		/* A directory over a directory: new metadata, children kept. */
		old->inode->mode = S_IFDIR | m->mode;
		old->inode->uid = m->uid;
		old->inode->gid = m->gid;
		old->layer = t->layer;
		return EIF_OK;
	}
	if (old)
		remove_subtree(t, old);
	if (!(ino = new_inode(t, type_bits(m->type) | m->mode, m->uid, m->gid)))
		return no_memory(err);
	if (m->type == TAR_SYMLINK) {
		size_t len = strlen(m->linkname);
		char *target;

		if (len > CPIO_NAME_MAX || len == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: symlink '%.200s' has a target of %zu "
					"bytes; the kernel unpacker takes 1 to %u", t->where, m->name,
					len, CPIO_NAME_MAX);
		if (!(target = pool_alloc(t, len + 1)))
			return no_memory(err);
		memcpy(target, m->linkname, len + 1);
		ino->target = target;
	} else if (m->type == TAR_CHAR || m->type == TAR_BLOCK_DEV) {
		ino->rdev_major = m->dev_major;
		ino->rdev_minor = m->dev_minor;
	}
	if (!(n = add_child(t, dir, parts[count - 1], lens[count - 1], ino)))
		return no_memory(err);
	return m->type == TAR_REGULAR ? spool_member(t, r, ino, buf, err) : EIF_OK;
}

static enum eif_status apply_layer(struct tree *t, size_t index, uint64_t *expanded,
				   struct eif_error *err)
{
	const struct layer *l = &t->img->layers[index];
	struct layer_stream s = { .img = t->img, .layer = l, .image_expanded = expanded };
	struct tar_reader *r = NULL;
	const struct tar_member *m;
	unsigned char *buf = malloc(OCI_CHUNK);
	enum eif_status rc;

	snprintf(s.where, sizeof(s.where), "%s layer %zu", t->img->where, index + 1);
	snprintf(t->where, sizeof(t->where), "%s", s.where);
	t->layer = (uint32_t)index + 1;
	rc = buf ? stream_open(&s, err) : no_memory(err);
	if (rc == EIF_OK && !(r = tar_reader_new(layer_read, &s, s.where, err)))
		rc = EIF_E_NOMEM;
	while (rc == EIF_OK && (rc = tar_next(r, &m, err)) == EIF_OK && m)
		rc = apply_member(t, r, m, buf, err);
	if (rc == EIF_OK)
		rc = stream_finish(&s, err);
	tar_reader_free(r);
	stream_close(&s);
	free(buf);
	return rc;
}

/* Every name of the tree into the archive. */
static enum eif_status emit_tree(struct tree *t, struct cpio_archive *archive, uint32_t source,
				 oci_entry_fn on_entry, void *ctx, struct eif_error *err)
{
	char *path = malloc(CPIO_NAME_MAX + 2);
	struct node *n = t->root.child;
	size_t len = 0;
	enum eif_status rc = EIF_OK;

	if (!path)
		return no_memory(err);
	while (n && rc == EIF_OK) {
		struct inode *ino = n->inode;
		struct cpio_node c;

		if (len + (len ? 1 : 0) + n->name_len > CPIO_NAME_MAX) {
			rc = eif_fail(err, EIF_E_LIMIT, "%s: a path below '%.200s' is longer than the "
				      "%u bytes the kernel unpacker accepts", t->img->where, path,
				      CPIO_NAME_MAX);
			break;
		}
		if (len)
			path[len++] = '/';
		memcpy(path + len, n->name, n->name_len);
		len += n->name_len;
		path[len] = '\0';
		if (S_ISREG(ino->mode) && ino->names > 1 && !ino->link_group &&
		    !(ino->link_group = cpio_add_link_group(archive, ino->names))) {
			rc = no_memory(err);
			break;
		}
		c = (struct cpio_node){
			.name = path, .mode = ino->mode, .uid = ino->uid, .gid = ino->gid,
			.rdev_major = ino->rdev_major, .rdev_minor = ino->rdev_minor,
			.target = ino->target, .size = ino->size, .data_offset = ino->data_offset,
			.link_group = S_ISREG(ino->mode) ? ino->link_group : 0,
		};
		if ((rc = cpio_add_node(archive, source, &c, err)) != EIF_OK)
			break;
		if (on_entry)
			on_entry(ctx, path, n->layer);
		if (n->child) {
			n = n->child;
			continue;
		}
		/* Up until a sibling is left, trimming the path as the walk climbs. */
		for (;;) {
			len -= n->name_len;
			if (len)
				len--;
			path[len] = '\0';
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == &t->root) {
				n = NULL;
				break;
			}
		}
	}
	free(path);
	return rc;
}

static void tree_free(struct tree *t)
{
	eif_arena_free(&t->pool);
	free(t->buckets);
	free(t->parts);
	free(t->link_parts);
	free(t->lens);
	free(t->link_lens);
}

enum eif_status oci_image_flatten(struct oci_image *img, struct cpio_archive *archive,
				  const char *prefix, oci_entry_fn on_entry, void *ctx,
				  struct eif_error *err)
{
	struct tree t = { .img = img };
	uint64_t expanded = 0;
	uint32_t source;
	enum eif_status rc = EIF_OK;

	t.root_inode.mode = S_IFDIR | 0755;
	t.root.inode = &t.root_inode;
	t.parts = malloc(MAX_DEPTH * sizeof(*t.parts));
	t.link_parts = malloc(MAX_DEPTH * sizeof(*t.link_parts));
	t.lens = malloc(MAX_DEPTH * sizeof(*t.lens));
	t.link_lens = malloc(MAX_DEPTH * sizeof(*t.link_lens));
	if (!t.parts || !t.link_parts || !t.lens || !t.link_lens || !grow_buckets(&t)) {
		tree_free(&t);
		return no_memory(err);
	}
	for (size_t i = 0; i < img->layer_count && rc == EIF_OK; i++)
		rc = apply_layer(&t, i, &expanded, err);
	if (rc == EIF_OK)
		rc = cpio_add_source(archive, img->where, prefix, img->spool_fd, &source, err);
	if (rc == EIF_OK)
		rc = emit_tree(&t, archive, source, on_entry, ctx, err);
	tree_free(&t);
	return rc;
}

/* ---- /cmd and /env from the config ---- */

/* Append each string of array (one a line) to text; *count gets how many. */
static enum eif_status append_lines(const struct oci_image *img, struct json_buf *text,
				    const struct json_value *array, const char *field,
				    size_t *count, struct eif_error *err)
{
	for (size_t i = 0; array && i < array->count; i++) {
		const struct json_value *v = &array->items[i];

		if (v->type != JSON_STRING || strlen(v->text) != v->len || memchr(v->text, '\n', v->len))
			return eif_fail(err, EIF_E_FORMAT, "%s: config %s[%zu] is not a string "
					"without newlines, which /cmd and /env cannot carry; give "
					"CMD and ENV", img->where, field, i);
		json_buf_append(text, v->text, v->len);
		json_buf_append(text, "\n", 1);
		(*count)++;
	}
	return EIF_OK;
}

enum eif_status oci_image_launch(const struct oci_image *img, struct oci_launch *launch,
				 struct eif_error *err)
{
	static const char *const unsupported[] = { "WorkingDir", "User", "ExposedPorts", "Volumes",
						   "Healthcheck", "StopSignal" };
	const struct json_value *config = json_member(&img->config, "config", JSON_OBJECT);
	struct json_buf cmd = { 0 }, env = { 0 };
	enum eif_status rc;

	memset(launch, 0, sizeof(*launch));
	rc = append_lines(img, &cmd, json_member(config, "Entrypoint", JSON_ARRAY), "Entrypoint",
			  &launch->cmd_args, err);
	if (rc == EIF_OK)
		rc = append_lines(img, &cmd, json_member(config, "Cmd", JSON_ARRAY), "Cmd",
				  &launch->cmd_args, err);
	if (rc == EIF_OK)
		rc = append_lines(img, &env, json_member(config, "Env", JSON_ARRAY), "Env",
				  &launch->env_vars, err);
	json_buf_append(&cmd, "", 0);
	json_buf_append(&env, "", 0);
	if (rc == EIF_OK && (cmd.failed || env.failed))
		rc = no_memory(err);
	for (size_t i = 0; rc == EIF_OK && i < sizeof(unsupported) / sizeof(*unsupported); i++) {
		const struct json_value *v = config && config->type == JSON_OBJECT ?
					     json_object_get(config, unsupported[i]) : NULL;
		char item[128];

		if (!v || v->type == JSON_NULL || (v->type == JSON_STRING && v->len == 0) ||
		    ((v->type == JSON_OBJECT || v->type == JSON_ARRAY) && v->count == 0))
			continue;
		if (v->type == JSON_STRING)
			snprintf(item, sizeof(item), "%s '%.64s'", unsupported[i], v->text);
		else
			snprintf(item, sizeof(item), "%s", unsupported[i]);
		list_append(launch->ignored, sizeof(launch->ignored), item);
	}
	if (rc == EIF_OK && launch->cmd_args == 0)
		rc = eif_fail(err, EIF_E_USAGE, "%s: the image config has no Entrypoint or Cmd; say "
			      "what the enclave runs with CMD", img->where);
	if (rc != EIF_OK) {
		free(cmd.data);
		free(env.data);
		return rc;
	}
	launch->cmd = cmd.data ? cmd.data : strdup("");
	launch->env = env.data ? env.data : strdup("");
	if (!launch->cmd || !launch->env) {
		oci_launch_free(launch);
		return no_memory(err);
	}
	return EIF_OK;
}

void oci_launch_free(struct oci_launch *launch)
{
	free(launch->cmd);
	free(launch->env);
	launch->cmd = launch->env = NULL;
}

enum eif_status oci_image_add_file(struct oci_image *img, struct cpio_archive *archive,
				   const char *name, const char *data, size_t len,
				   struct eif_error *err)
{
	struct cpio_node node = { .name = name, .mode = S_IFREG | 0644, .size = len,
				  .data_offset = img->spool_size };
	enum eif_status rc;

	if (!img->has_spool_source) {
		if ((rc = cpio_add_source(archive, img->where, "", img->spool_fd, &img->spool_source,
					  err)) != EIF_OK)
			return rc;
		img->has_spool_source = true;
	}
	if (eif_write_full(img->spool_fd, data, len) != 0)
		return eif_fail_errno(err, "%s: cannot write the spool file", img->where);
	img->spool_size += len;
	return cpio_add_node(archive, img->spool_source, &node, err);
}
