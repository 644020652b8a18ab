/* sign_eif: add or replace the signature section of an existing EIF (eif sign).
 * Unlike AWS's sign-eif, section_sizes is rewritten along with the offsets, so the header
 * table always matches the sections (upstream issue #54). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <eif/eif.h>
#include "json.h"
#include <eif/sign.h>
#include "util.h"

#define COPY_CHUNK (1u << 20)

/* One section of the output: either copied from the input or the new signature. */
struct out_section {
	uint16_t type;
	uint64_t size;
	uint64_t source_offset;	/* of the data in the input; unused for the signature */
	int is_new_signature;
};

static int same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ino == b->st_ino;
}

static enum eif_status copy_data(int fd, const char *path, uint64_t offset, uint64_t size,
				 struct eif_outfile *out, unsigned char *buf, uint32_t *crc,
				 struct eif_error *err)
{
	if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
		return eif_fail_errno(err, "EIF '%s': cannot seek to offset %llu", path,
				      (unsigned long long)offset);
	while (size > 0) {
		size_t want = size < COPY_CHUNK ? (size_t)size : COPY_CHUNK;
		long long got = eif_read_full(fd, buf, want);
		if (got < 0)
			return eif_fail_errno(err, "EIF '%s': read failed", path);
		if ((size_t)got != want)
			return eif_fail(err, EIF_E_IO, "EIF '%s': file shrank while being signed; "
					"sign it again when nothing writes it", path);
		*crc = eif_crc32(*crc, buf, want);
		enum eif_status rc = eif_outfile_write(out, buf, want, err);
		if (rc != EIF_OK)
			return rc;
		size -= want;
	}
	return EIF_OK;
}

/* Lays out the output sections: same order as the input, the signature replaced where it was
 * or appended at the end; fills the header's table. */
static enum eif_status plan_sections(const struct eif_info *info, size_t signature_len,
				     const char *path, struct out_section *plan, unsigned *count,
				     struct eif_header *header, struct eif_error *err)
{
	unsigned n = 0;
	int replaced = 0;
	uint64_t offset = EIF_HEADER_SIZE;

	for (unsigned i = 0; i < info->section_count; i++) {
		const struct eif_section_info *s = &info->sections[i];
		struct out_section *p = &plan[n++];
		p->type = s->type;
		if (s->type == EIF_SECTION_SIGNATURE) {
			p->size = signature_len;
			p->is_new_signature = 1;
			replaced = 1;
		} else {
			p->size = s->size;
			p->source_offset = s->offset + EIF_SECTION_HEADER_SIZE;
			p->is_new_signature = 0;
		}
	}
	if (!replaced) {
		if (n == EIF_MAX_SECTIONS)
			return eif_fail(err, EIF_E_LIMIT, "EIF '%s': already has %d sections, no room "
					"for a signature; rebuild it with fewer ramdisks", path,
					EIF_MAX_SECTIONS);
		plan[n++] = (struct out_section){ EIF_SECTION_SIGNATURE, signature_len, 0, 1 };
	}
	*header = info->header;
	memset(header->section_offsets, 0, sizeof(header->section_offsets));
	memset(header->section_sizes, 0, sizeof(header->section_sizes));
	header->num_sections = (uint16_t)n;
	for (unsigned i = 0; i < n; i++) {
		header->section_offsets[i] = offset;
		header->section_sizes[i] = plan[i].size;
		if (!eif_add_u64(offset, EIF_SECTION_HEADER_SIZE, &offset) ||
		    !eif_add_u64(offset, plan[i].size, &offset))
			return eif_fail(err, EIF_E_LIMIT, "EIF '%s': signed file would exceed 2^64 "
					"bytes", path);
	}
	header->crc32 = 0;
	*count = n;
	return EIF_OK;
}

static enum eif_status write_signed(const char *in_path, int fd, const struct eif_info *info,
				    const unsigned char *signature, size_t signature_len,
				    struct eif_outfile *out, struct eif_error *err)
{
	struct out_section plan[EIF_MAX_SECTIONS];
	struct eif_header header;
	unsigned char hdr[EIF_HEADER_SIZE], sh[EIF_SECTION_HEADER_SIZE];
	unsigned count = 0;
	enum eif_status rc;

	rc = plan_sections(info, signature_len, in_path, plan, &count, &header, err);
	if (rc != EIF_OK)
		return rc;
	unsigned char *buf = malloc(COPY_CHUNK);
	if (!buf)
		return eif_fail(err, EIF_E_NOMEM, "eif sign: out of memory for the copy buffer");
	/* the CRC runs over header[0:544] then every section header and data, in file order */
	eif_header_encode(&header, hdr);
	uint32_t crc = eif_crc32(0, hdr, EIF_CRC_OFFSET);
	rc = eif_outfile_write(out, hdr, sizeof(hdr), err);
	for (unsigned i = 0; i < count && rc == EIF_OK; i++) {
		eif_section_header_encode(plan[i].type, plan[i].size, sh);
		crc = eif_crc32(crc, sh, sizeof(sh));
		rc = eif_outfile_write(out, sh, sizeof(sh), err);
		if (rc != EIF_OK)
			break;
		if (plan[i].is_new_signature) {
			crc = eif_crc32(crc, signature, signature_len);
			rc = eif_outfile_write(out, signature, signature_len, err);
		} else {
			rc = copy_data(fd, in_path, plan[i].source_offset, plan[i].size, out, buf,
				       &crc, err);
		}
	}
	free(buf);
	if (rc != EIF_OK)
		return rc;
	header.crc32 = crc;
	eif_header_encode(&header, hdr);
	return eif_outfile_pwrite(out, hdr, sizeof(hdr), 0, err);
}

/* Opens the EIF to sign once (a FIFO or device is refused at once) and reads it through that
 * descriptor; refuses it when damaged: a signature would vouch for broken bytes. On EIF_OK the
 * caller owns *fd and info; otherwise *fd is closed and -1. */
static enum eif_status open_signable(const char *path, int *fd, struct stat *st,
				     struct eif_info *info, struct eif_error *err)
{
	enum eif_status rc = eif_open_regular(path, "EIF", "give an .eif file", fd, st, err);

	if (rc != EIF_OK)
		return rc;
	rc = eif_read_fd(*fd, path, info, err);
	if (rc == EIF_OK && !info->crc_ok) {
		rc = eif_fail(err, EIF_E_FORMAT, "EIF '%s': CRC mismatch (header 0x%08x, computed "
			      "0x%08x): the file is damaged; rebuild it instead of signing it",
			      path, info->header.crc32, info->crc_computed);
		eif_info_free(info);
	}
	if (rc != EIF_OK) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

enum eif_status eif_sign_file(const char *in_path, const char *out_path,
			      const struct eif_signer *signer, struct eif_measurements *pcrs,
			      struct eif_error *err)
{
	struct eif_info info;
	struct eif_outfile out = { .fd = -1 };
	struct stat before, after;
	unsigned char *signature = NULL;
	size_t signature_len;
	enum eif_status rc;
	int fd;

	/* One descriptor for reading, measuring and copying: a rename between two opens by
	 * name could otherwise mix two files' bytes in the result. */
	rc = open_signable(in_path, &fd, &before, &info, err);
	if (rc != EIF_OK)
		return rc;
	rc = eif_signature_section_build(signer, info.pcrs.pcr0, &signature, &signature_len, err);
	if (rc != EIF_OK)
		goto out;
	/* check our own output before it can replace anything */
	if (eif_signature_verify(signature, signature_len, info.pcrs.pcr0, err) !=
	    EIF_SIGNATURE_VALID) {
		rc = eif_error_prefix(err, "eif sign: the new signature does not verify");
		goto out;
	}
	rc = eif_outfile_open(&out, out_path ? out_path : in_path, err);
	if (rc != EIF_OK)
		goto out;
	/* signing in place keeps the file's permissions, as editing it would */
	if (!out_path && fchmod(out.fd, before.st_mode & 07777) != 0) {
		rc = eif_fail_errno(err, "EIF '%s': cannot keep its permissions", in_path);
		goto out;
	}
	rc = write_signed(in_path, fd, &info, signature, signature_len, &out, err);
	if (rc != EIF_OK)
		goto out;
	if (fstat(fd, &after) != 0 || !same_file_state(&before, &after) ||
	    (uint64_t)after.st_size != info.file_size) {
		rc = eif_fail(err, EIF_E_IO, "EIF '%s': changed while being signed; sign it again "
			      "when nothing writes it", in_path);
		goto out;
	}
	rc = eif_outfile_commit(&out, err);
	if (rc == EIF_OK) {
		*pcrs = info.pcrs;
		eif_signer_pcr8(signer, pcrs->pcr8);
		pcrs->has_pcr8 = 1;
	}
out:
	eif_outfile_abort(&out);
	free(signature);
	eif_info_free(&info);
	close(fd);
	return rc;
}

/* 1 when path exists and is the file st describes. */
static int same_file(const struct stat *st, const char *path)
{
	struct stat other;

	return path && stat(path, &other) == 0 && other.st_dev == st->st_dev &&
	       other.st_ino == st->st_ino;
}

/* The summary an air-gapped signer can show its operator before signing. */
static char *tbs_summary_json(const struct eif_tbs *t)
{
	struct json_value root;
	char *text = NULL;

	json_init_object(&root);
	if (!json_add_hex(&root, "PCR0", t->pcr0, EIF_PCR_SIZE) &&
	    !json_add_hex(&root, "PCR8", t->pcr8, EIF_PCR_SIZE) &&
	    !json_add_text(&root, "Algorithm", t->algorithm) &&
	    !json_add_text(&root, "Curve", t->curve) &&
	    !json_add_text(&root, "DigestAlgorithm", t->digest_name) &&
	    !json_add_hex(&root, "Digest", t->digest, t->digest_len) &&
	    !json_add_u64(&root, "SigStructureSize", t->tbs_len))
		text = eif_json_text(&root);
	json_free(&root);
	return text;
}

enum eif_status eif_sign_export(const char *eif_path, const struct eif_signer *signer,
				const char *tbs_path, const char *digest_path,
				struct eif_tbs *out, struct eif_error *err)
{
	struct eif_info info;
	struct eif_outfile files[3] = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 } };
	char *json = NULL, *json_path = NULL;
	struct stat st;
	enum eif_status rc;
	int fd;

	memset(out, 0, sizeof(*out));
	rc = open_signable(eif_path, &fd, &st, &info, err);
	if (rc != EIF_OK)
		return rc;
	close(fd);
	if (same_file(&st, tbs_path) || same_file(&st, digest_path)) {
		eif_info_free(&info);
		return eif_fail(err, EIF_E_USAGE, "EIF '%s': --tbs-out and --digest-out must name "
				"other files; the EIF stays as it is until --signature", eif_path);
	}
	rc = eif_signer_tbs(signer, info.pcrs.pcr0, out, err);
	eif_info_free(&info);
	if (rc != EIF_OK)
		return rc;
	json = tbs_summary_json(out);
	if (!json || asprintf(&json_path, "%s.json", tbs_path) < 0) {
		json_path = NULL;
		rc = eif_fail(err, EIF_E_NOMEM, "eif sign: out of memory for the summary");
		goto out;
	}
	/* all three or none: open every temporary file before committing any */
	const struct {
		const char *path;
		const void *data;
		size_t len;
	} outputs[3] = {
		{ tbs_path, out->tbs, out->tbs_len },
		{ json_path, json, strlen(json) },
		{ digest_path, out->digest, out->digest_len },
	};
	for (int i = 0; i < 3 && rc == EIF_OK; i++)
		if (outputs[i].path) {
			rc = eif_outfile_open(&files[i], outputs[i].path, err);
			if (rc == EIF_OK)
				rc = eif_outfile_write(&files[i], outputs[i].data, outputs[i].len,
						       err);
		}
	for (int i = 0; i < 3 && rc == EIF_OK; i++)
		if (outputs[i].path)
			rc = eif_outfile_commit(&files[i], err);
out:
	for (int i = 0; i < 3; i++)
		eif_outfile_abort(&files[i]);
	free(json);
	free(json_path);
	if (rc != EIF_OK)
		eif_tbs_free(out);
	return rc;
}
