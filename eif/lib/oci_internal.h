/* Container images: what oci.c (blobs, JSON, the OCI layout, /cmd and /env), oci_docker.c (the
 * docker-archive input), oci_layer.c (layer streams) and oci_tree.c (the merged tree) share and
 * nothing else sees. The public contract, with the selection, digest and limit rules, is oci.h. */
#ifndef EIF_OCI_INTERNAL_H
#define EIF_OCI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "json.h"
#include <eif/oci.h>

#define OCI_CHUNK (256u * 1024u)

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

/* ---- oci.c ---- */

enum eif_status oci_no_memory(struct eif_error *err);
/* "sha256:<64 lowercase hex>" only. */
bool oci_digest_valid(const char *d);
/* The digest of ctx as "sha256:<hex>" (all zeros if hashing failed: it then matches nothing). */
void oci_digest_text(EVP_MD_CTX *ctx, char out[72]);
/* len bytes at offset at of blob b, for what (in messages). */
enum eif_status oci_read_range(const struct oci_image *img, const struct blob *b,
			       uint64_t at, void *buf, size_t len, const char *what,
			       struct eif_error *err);
/* A whole small blob, checked against digest (if not NULL), parsed as JSON. */
enum eif_status oci_read_json_blob(const struct oci_image *img, const struct blob *b,
				   const char *digest, const char *what, struct json_value *out,
				   struct eif_error *err);
/* Member key of obj if it has that type, else NULL (also when obj is not an object). */
const struct json_value *oci_json_member(const struct json_value *obj, const char *key,
					 enum json_type type);
/* Append ", item" to list (a fixed buffer), keeping it NUL-terminated. */
void oci_list_append(char *list, size_t size, const char *item);
/* Read the config blob b (checked against digest), check its architecture, set up layer_count
 * layers with their diff_ids; the caller fills in each layer's blob. */
enum eif_status oci_load_config(struct oci_image *img, const struct blob *b, const char *digest,
				const char *arch, size_t layer_count, struct eif_error *err);

/* ---- oci_docker.c ---- */

enum eif_status oci_open_docker_archive(struct oci_image *img, const char *path, const char *tag,
					const char *arch, struct eif_error *err);

/* ---- oci_layer.c: one layer, decompressed and hashed as the tar reader reads it ---- */

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

/* s->img, s->layer, s->where and s->image_expanded set, the rest zero: allocate, hash, sniff. */
enum eif_status oci_layer_stream_open(struct layer_stream *s, struct eif_error *err);
/* A tar_read_fn over the decompressed layer (ctx is the struct layer_stream). */
long long oci_layer_stream_read(void *ctx, void *buf, size_t len, struct eif_error *err);
/* After the tar's end: read what is left and compare both digests. */
enum eif_status oci_layer_stream_finish(struct layer_stream *s, struct eif_error *err);
void oci_layer_stream_close(struct layer_stream *s);

#endif
