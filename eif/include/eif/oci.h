/* Container images without Docker: read an OCI image layout or a docker-archive tar, check
 * every blob against its digest, and flatten the layers into cpio entries in memory.
 *
 * Selection: an OCI layout's index.json names manifests; TAG picks the one whose
 * org.opencontainers.image.ref.name is TAG, no TAG the only one. An image index (also
 * nested, Docker's manifest list too) picks the linux manifest for the architecture.
 * A docker-archive's manifest.json picks by RepoTags the same way.
 *
 * Digests: index.json is the root of trust of a layout; every blob it reaches (nested
 * index, manifest, config) is read whole and compared with its descriptor's sha256 and
 * size before it is parsed. A docker-archive names its config by its sha256, and the
 * config lists each layer's uncompressed sha256 (rootfs.diff_ids). Layers are streamed
 * once: an OCI layer's blob digest (what the manifest pins), a docker-archive layer's
 * diff_id, is compared at the end of the layer, before anything of the image reaches the
 * archive; on a mismatch nothing is written.
 *
 * Layers (plain tar, gzip or zstd, told by their first bytes) apply in order with the
 * image-spec rules: ".wh.NAME" deletes NAME of lower layers, ".wh..wh..opq" empties its
 * directory of lower layers' entries, hard links may name files of this or lower layers,
 * a later entry replaces an earlier one (a directory over a directory keeps the children).
 * Modes (with setuid, setgid, sticky), numeric owners, symlinks, device nodes and FIFOs
 * are kept as entries; nothing is created on disk except one unlinked spool file.
 *
 * Memory: the tree's metadata (about 150 bytes plus the name per entry ever seen) stays in
 * memory, file data goes to the spool file (in $TMPDIR, else /tmp), so memory does not
 * grow with file sizes; the spool needs the decompressed size of all regular files.
 *
 * Limits, each a clear error: index, manifest, config and manifest.json at most
 * OCI_JSON_MAX bytes; at most OCI_LAYERS_MAX layers and OCI_ENTRIES_MAX entries; a layer
 * stream may not expand more than OCI_BOMB_RATIO times its compressed size once past
 * OCI_BOMB_FREE bytes, and all layers together at most OCI_EXPANDED_MAX bytes. */
#ifndef EIF_OCI_H
#define EIF_OCI_H

#include <stddef.h>
#include <stdint.h>

#include <eif/cpio.h>
#include <eif/eif.h>

#define OCI_JSON_MAX (4u * 1024u * 1024u)
#define OCI_LAYERS_MAX 128u
#define OCI_ENTRIES_MAX (4u * 1024u * 1024u)
#define OCI_BOMB_RATIO 256u
#define OCI_BOMB_FREE (64ull * 1024u * 1024u)
#define OCI_EXPANDED_MAX (16ull * 1024u * 1024u * 1024u)

enum oci_format { OCI_LAYOUT, OCI_DOCKER_ARCHIVE };

struct oci_image;

/* Open and check the index, manifest and config of an image. path is the layout directory
 * or the docker-archive file; tag may be NULL; arch is the enclave's (x86_64 or aarch64,
 * also amd64 or arm64). */
enum eif_status oci_image_open(enum oci_format format, const char *path, const char *tag,
			       const char *arch, struct oci_image **image, struct eif_error *err);
/* Called for every entry the image adds, with its name (relative to the prefix) and the
 * layer (1 = the first) that last set it: what provenance traces entries back to. */
typedef void (*oci_entry_fn)(void *ctx, const char *name, size_t layer);
/* Apply the layers and add the result to archive under prefix (like --dir's PREFIX). The
 * archive reads file data from the image when written: free the image after cpio_write.
 * on_entry may be NULL. */
enum eif_status oci_image_flatten(struct oci_image *image, struct cpio_archive *archive,
				  const char *prefix, oci_entry_fn on_entry, void *ctx,
				  struct eif_error *err);
void oci_image_free(struct oci_image *image);

/* "sha256:..." of the manifest that was selected (of the config for a docker-archive, which
 * names the image there). */
const char *oci_image_digest(const struct oci_image *image);
size_t oci_image_layer_count(const struct oci_image *image);
/* Layer i (0 = the first): its blob digest ("" in a docker-archive) and its diff_id. */
const char *oci_image_layer_digest(const struct oci_image *image, size_t i);
const char *oci_image_layer_diff_id(const struct oci_image *image, size_t i);

/* The Nitro init contract's /cmd (Entrypoint then Cmd, one argument a line) and /env (Env,
 * one KEY=value a line), as nitro-cli derives them from the config. */
struct oci_launch {
	char *cmd, *env;         /* file contents, malloc'd */
	size_t cmd_args, env_vars;
	char ignored[512];       /* config fields the contract cannot honour, e.g. "User '1000'" */
};
enum eif_status oci_image_launch(const struct oci_image *image, struct oci_launch *launch,
				 struct eif_error *err);
void oci_launch_free(struct oci_launch *launch);

/* Add name (at the archive root) holding len bytes of data, spooled by the image. */
enum eif_status oci_image_add_file(struct oci_image *image, struct cpio_archive *archive,
				   const char *name, const char *data, size_t len,
				   struct eif_error *err);

#endif
