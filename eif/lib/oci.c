/* Container images, part 1: opening one. Blobs and their digests, the JSON helpers, choosing
 * the manifest of an OCI image layout (index.json, nested indexes by platform), its config and
 * layer descriptors, the spool file, and /cmd and /env from the image config. The
 * docker-archive input is oci_docker.c, layer streams oci_layer.c, the merged tree and
 * flattening oci_tree.c; what they share is oci_internal.h. The selection, digest and limit
 * rules are the contract in oci.h; /cmd and /env are docs/boot-contract.md#cmd-and-env. */
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

#include "json.h"
#include "oci_internal.h"
#include "util.h"

#define OCI_INDEX_DEPTH 4

enum eif_status oci_no_memory(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "image: out of memory; free memory and retry");
}

/* ---- blobs and digests ---- */

/* "sha256:<64 lowercase hex>" only: a digest names a file, so nothing else may pass. */
bool oci_digest_valid(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
		return false;
	for (int i = 7; i < 71; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

void oci_digest_text(EVP_MD_CTX *ctx, char out[72])
{
	unsigned char md[32];
	unsigned n = 0;

	memcpy(out, "sha256:", 7);
	if (EVP_DigestFinal_ex(ctx, md, &n) != 1 || n != 32)
		memset(md, 0, sizeof(md)); /* cannot match a real digest: reported as a mismatch */
	eif_hex(md, 32, out + 7);
}

enum eif_status oci_read_range(const struct oci_image *img, const struct blob *b,
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
enum eif_status oci_read_json_blob(const struct oci_image *img, const struct blob *b,
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
		return oci_no_memory(err);
	rc = oci_read_range(img, b, 0, buf, (size_t)b->size, what, err);
	if (rc == EIF_OK && digest) {
		if (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
		    EVP_DigestUpdate(ctx, buf, (size_t)b->size) != 1) {
			EVP_MD_CTX_free(ctx);
			free(buf);
			return eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash %s", img->where, what);
		}
		oci_digest_text(ctx, actual);
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

	if (!oci_digest_valid(digest))
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

const struct json_value *oci_json_member(const struct json_value *obj, const char *key,
					 enum json_type type)
{
	const struct json_value *v = obj && obj->type == JSON_OBJECT ? json_object_get(obj, key) : NULL;

	return v && v->type == type ? v : NULL;
}

static bool json_u64(const struct json_value *obj, const char *key, uint64_t *out)
{
	const struct json_value *v = oci_json_member(obj, key, JSON_NUMBER);

	return v && eif_parse_digits(v->text, v->len, 10, UINT64_MAX, out);
}

/* ---- selecting the manifest ---- */

static const char *oci_arch_name(const char *arch)
{
	enum eif_arch a;

	return eif_arch_parse(arch, &a) == 0 ? eif_arch_docker_name(a) : arch;
}

static bool is_index_type(const char *media)
{
	return media && (strcmp(media, "application/vnd.oci.image.index.v1+json") == 0 ||
			 strcmp(media, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* Append ", item" to list (a fixed buffer), keeping it NUL-terminated. */
void oci_list_append(char *list, size_t size, const char *item)
{
	size_t used = strlen(list);

	snprintf(list + used, size - used, "%s%s", used ? ", " : "", item);
}

/* In index, the descriptor whose platform is linux/arch. */
static enum eif_status select_platform(const struct oci_image *img, const struct json_value *index,
				       const char *arch, const struct json_value **out,
				       struct eif_error *err)
{
	const struct json_value *manifests = oci_json_member(index, "manifests", JSON_ARRAY);
	char offered[512] = "";

	for (size_t i = 0; manifests && i < manifests->count; i++) {
		const struct json_value *platform = oci_json_member(&manifests->items[i], "platform",
								    JSON_OBJECT);
		const char *a = json_string(platform, "architecture"), *os = json_string(platform, "os");
		char item[128];

		if (a && os && strcmp(os, "linux") == 0 && strcmp(a, arch) == 0) {
			*out = &manifests->items[i];
			return EIF_OK;
		}
		snprintf(item, sizeof(item), "%s/%s", os ? os : "?", a ? a : "?");
		oci_list_append(offered, sizeof(offered), item);
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
	const struct json_value *manifests = oci_json_member(index, "manifests", JSON_ARRAY);
	char names[512] = "";
	size_t found = 0;

	for (size_t i = 0; manifests && i < manifests->count; i++) {
		const struct json_value *ann = oci_json_member(&manifests->items[i], "annotations",
							       JSON_OBJECT);
		const char *name = json_string(ann, "org.opencontainers.image.ref.name");

		oci_list_append(names, sizeof(names), name ? name : "(untagged)");
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
	rc = oci_read_json_blob(img, &b, NULL, "index.json", &index, err);
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
		rc = oci_read_json_blob(img, &b, digest, what, &next, err);
		blob_close(img, &b);
		if (rc != EIF_OK)
			break;
		/* digest lives in index, freed next */
		snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest);
		json_free(&index);
		json_move(&index, &next);
		if (!is_index && !oci_json_member(&index, "manifests", JSON_ARRAY)) {
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

/* Read the config blob b (checked against digest), check it fits the enclave, and set up
 * layer_count layers with their diff_ids; the caller fills in each layer's blob. */
enum eif_status oci_load_config(struct oci_image *img, const struct blob *b, const char *digest,
				const char *arch, size_t layer_count, struct eif_error *err)
{
	const struct json_value *diff_ids;
	const char *config_arch;
	enum eif_status rc;

	if ((rc = oci_read_json_blob(img, b, digest, "config", &img->config, err)) != EIF_OK)
		return rc;
	config_arch = json_string(&img->config, "architecture");
	if (config_arch && strcmp(config_arch, oci_arch_name(arch)) != 0)
		return eif_fail(err, EIF_E_USAGE, "%s: the image is built for %s, the enclave is %s; "
				"build the image for linux/%s", img->where, config_arch,
				oci_arch_name(arch), oci_arch_name(arch));
	diff_ids = oci_json_member(oci_json_member(&img->config, "rootfs", JSON_OBJECT), "diff_ids",
				   JSON_ARRAY);
	if (!diff_ids || diff_ids->count != layer_count)
		return eif_fail(err, EIF_E_FORMAT, "%s: the config's rootfs.diff_ids does not list "
				"one digest per layer; the image is malformed", img->where);
	if (layer_count > OCI_LAYERS_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: %zu layers, more than the %u accepted; squash "
				"the image (e.g. buildah commit --squash)", img->where, layer_count,
				OCI_LAYERS_MAX);
	if (!(img->layers = calloc(layer_count ? layer_count : 1, sizeof(*img->layers))))
		return oci_no_memory(err);
	for (size_t i = 0; i < layer_count; i++) {
		const struct json_value *d = &diff_ids->items[i];

		img->layers[i].blob.fd = -1;
		img->layer_count++;
		if (d->type != JSON_STRING || !oci_digest_valid(d->text))
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
	const struct json_value *config = oci_json_member(manifest, "config", JSON_OBJECT);
	const struct json_value *layers = oci_json_member(manifest, "layers", JSON_ARRAY);
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
	rc = oci_load_config(img, &b, digest, arch, layers->count, err);
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
		return oci_no_memory(err);
	img->dir_fd = img->archive_fd = img->spool_fd = -1;
	snprintf(img->where, sizeof(img->where), "%s:%s%s%s",
		 format == OCI_LAYOUT ? "oci" : "docker-archive", path, tag ? ":" : "", tag ? tag : "");
	if (format == OCI_LAYOUT) {
		rc = open_layout(img, path, tag, arch, &manifest, err);
		if (rc == EIF_OK)
			rc = layout_config_and_layers(img, arch, &manifest, err);
	} else {
		rc = oci_open_docker_archive(img, path, tag, arch, err);
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
	const struct json_value *config = oci_json_member(&img->config, "config", JSON_OBJECT);
	struct json_buf cmd = { 0 }, env = { 0 };
	enum eif_status rc;

	memset(launch, 0, sizeof(*launch));
	rc = append_lines(img, &cmd, oci_json_member(config, "Entrypoint", JSON_ARRAY), "Entrypoint",
			  &launch->cmd_args, err);
	if (rc == EIF_OK)
		rc = append_lines(img, &cmd, oci_json_member(config, "Cmd", JSON_ARRAY), "Cmd",
				  &launch->cmd_args, err);
	if (rc == EIF_OK)
		rc = append_lines(img, &env, oci_json_member(config, "Env", JSON_ARRAY), "Env",
				  &launch->env_vars, err);
	json_buf_append(&cmd, "", 0);
	json_buf_append(&env, "", 0);
	if (rc == EIF_OK && (cmd.failed || env.failed))
		rc = oci_no_memory(err);
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
		oci_list_append(launch->ignored, sizeof(launch->ignored), item);
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
		return oci_no_memory(err);
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
