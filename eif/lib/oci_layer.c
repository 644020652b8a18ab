/* Container images, part 3: one layer's byte stream. A layer blob (plain tar, gzip or zstd,
 * told by its first bytes) is decompressed as the tar reader asks for bytes, and hashed twice
 * on the way: the compressed bytes against the OCI manifest's digest, the decompressed ones
 * against the config's diff_id (docker-archive). The decompression-bomb limits (OCI_BOMB_RATIO,
 * OCI_BOMB_FREE, OCI_EXPANDED_MAX) and the digest rules are the contract in oci.h. */
#include <stdlib.h>
#include <string.h>

#include "oci_internal.h"
#include "util.h"

/* ---- layer streams: raw, gzip or zstd, hashed as they are read ---- */

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
	rc = oci_read_range(s->img, &s->layer->blob, s->read_at, s->in, n, s->where, err);
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
long long oci_layer_stream_read(void *ctx, void *buf, size_t len, struct eif_error *err)
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

enum eif_status oci_layer_stream_open(struct layer_stream *s, struct eif_error *err)
{
	static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
	static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
	enum eif_status rc;

	if (!(s->in = malloc(OCI_CHUNK)) || !(s->blob_hash = EVP_MD_CTX_new()) ||
	    !(s->diff_hash = EVP_MD_CTX_new()))
		return oci_no_memory(err);
	if (EVP_DigestInit_ex(s->blob_hash, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(s->diff_hash, EVP_sha256(), NULL) != 1)
		return eif_fail(err, EIF_E_CRYPTO, "%s: cannot hash the layer", s->where);
	if ((rc = fill_input(s, err)) != EIF_OK)
		return rc;
	if (s->in_len >= 2 && memcmp(s->in, gzip_magic, 2) == 0) {
		s->kind = GZIP;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK)
			return oci_no_memory(err);
		s->z_ready = true;
	} else if (s->in_len >= 4 && memcmp(s->in, zstd_magic, 4) == 0) {
		s->kind = ZSTD;
		if (!(s->zstd = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(s->zstd)))
			return oci_no_memory(err);
		/* Refuse frames that need a window beyond 128 MiB: a hostile frame cannot make us
		 * allocate more. */
		ZSTD_DCtx_setParameter(s->zstd, ZSTD_d_windowLogMax, 27);
	}
	return EIF_OK;
}

void oci_layer_stream_close(struct layer_stream *s)
{
	if (s->z_ready)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zstd);
	EVP_MD_CTX_free(s->blob_hash);
	EVP_MD_CTX_free(s->diff_hash);
	free(s->in);
}

/* After the tar's end: read what is left (padding) and compare both digests. */
enum eif_status oci_layer_stream_finish(struct layer_stream *s, struct eif_error *err)
{
	unsigned char *scratch = malloc(OCI_CHUNK);
	char blob[72], diff[72];
	long long n;

	if (!scratch)
		return oci_no_memory(err);
	while ((n = oci_layer_stream_read(s, scratch, OCI_CHUNK, err)) > 0)
		;
	free(scratch);
	if (n < 0)
		return err ? err->code : EIF_E_FORMAT;
	oci_digest_text(s->blob_hash, blob);
	oci_digest_text(s->diff_hash, diff);
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
