/* Container images, part 2: the docker-archive input (`docker save`, `skopeo copy ...
 * docker-archive:FILE`). The outer tar is indexed once, its manifest.json picks the image by
 * RepoTags, the config is checked against the sha256 it is named by, and each layer's blob is a
 * byte range of the archive file, later checked against the config's rootfs.diff_ids as it
 * streams (oci_layer.c). The selection and digest rules are the contract in oci.h; the tree it
 * feeds ends up in the user ramdisk of docs/boot-contract.md#the-user-ramdisk. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "oci_internal.h"
#include "tar.h"
#include "util.h"

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
		if (*count == 65536) {
			rc = eif_fail(err, EIF_E_LIMIT, "%s: more than 65536 files; not a "
				      "docker-archive", img->where);
			break;
		}
		if (!(grown = eif_array_grow(*members, &cap, *count + 1, sizeof(*grown)))) {
			rc = oci_no_memory(err);
			break;
		}
		*members = grown;
		if (!((*members)[*count].name = strdup(member_name(m->name)))) {
			rc = oci_no_memory(err);
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
	return oci_digest_valid(out);
}

/* "name:tag" matches "tag" and "name:tag". */
static bool repo_tag_matches(const char *repo_tag, const char *tag)
{
	size_t n = strlen(repo_tag), t = strlen(tag);

	return strcmp(repo_tag, tag) == 0 ||
	       (n > t && repo_tag[n - t - 1] == ':' && strcmp(repo_tag + n - t, tag) == 0);
}

enum eif_status oci_open_docker_archive(struct oci_image *img, const char *path, const char *tag,
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
		rc = oci_read_json_blob(img, b, NULL, "manifest.json", &list, err);
	for (size_t i = 0; rc == EIF_OK && list.type == JSON_ARRAY && i < list.count; i++) {
		const struct json_value *repo_tags = oci_json_member(&list.items[i], "RepoTags", JSON_ARRAY);
		bool match = !tag;

		for (size_t t = 0; repo_tags && t < repo_tags->count; t++) {
			const char *v = repo_tags->items[t].type == JSON_STRING ?
					repo_tags->items[t].text : "?";
			oci_list_append(tags, sizeof(tags), v);
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
		config = oci_json_member(chosen, "Config", JSON_STRING);
		layers = oci_json_member(chosen, "Layers", JSON_ARRAY);
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
		rc = oci_load_config(img, b, img->manifest_digest, arch, layers->count, err);
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
