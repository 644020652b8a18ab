/* reader: parse, check and measure an EIF from a file or memory (see eif.h). Hostile input
 * is expected: every offset and length is checked against the file size before use, with
 * overflow-safe arithmetic, and nothing is allocated from an unchecked size. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <eif/eif.h>
#include "measure.h"
#include <eif/sign.h>
#include "util.h"

struct source {
	const char *name; /* for messages */
	int fd;           /* -1 for memory */
	const unsigned char *mem;
	uint64_t size;
};

static enum eif_status read_at(const struct source *src, uint64_t offset, void *buf, size_t len,
			       struct eif_error *err)
{
	if (!eif_range_ok(offset, len, src->size))
		return eif_fail(err, EIF_E_FORMAT, "'%s': read of %zu bytes at offset %llu runs "
				"past the end of the %llu-byte file; the file is truncated or "
				"corrupt", src->name, len, (unsigned long long)offset,
				(unsigned long long)src->size);
	if (!src->mem)
		return eif_pread_full(src->fd, src->name, offset, buf, len, err);
	memcpy(buf, src->mem + offset, len);
	return EIF_OK;
}

static enum eif_status corrupt(struct eif_error *err, const struct source *src, const char *fmt,
			       ...) __attribute__((format(printf, 3, 4)));

static enum eif_status corrupt(struct eif_error *err, const struct source *src, const char *fmt,
			       ...)
{
	char what[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return eif_fail(err, EIF_E_FORMAT, "'%s': %s; the file is not a valid EIF (rebuild it or "
			"fetch it again)", src->name, what);
}

/* Walk the sections from offset 548 and check them against the header table. */
static enum eif_status walk_sections(const struct source *src, struct eif_info *info,
				     struct eif_error *err)
{
	uint64_t offset = EIF_HEADER_SIZE;
	unsigned counts[6] = { 0 };
	int ramdisk_seen = 0;
	enum eif_status rc;

	while (offset < src->size) {
		unsigned char sh[EIF_SECTION_HEADER_SIZE];
		struct eif_section_info *s;
		uint64_t data, end;

		if (src->size - offset < EIF_SECTION_HEADER_SIZE)
			return corrupt(err, src, "%llu stray bytes at offset %llu after the last "
				       "section", (unsigned long long)(src->size - offset),
				       (unsigned long long)offset);
		if (info->section_count == EIF_MAX_SECTIONS)
			return corrupt(err, src, "more than %d sections (section header at offset "
				       "%llu)", EIF_MAX_SECTIONS, (unsigned long long)offset);
		rc = read_at(src, offset, sh, sizeof(sh), err);
		if (rc != EIF_OK)
			return rc;
		s = &info->sections[info->section_count];
		s->type = eif_be16(sh);
		s->flags = eif_be16(sh + 2);
		s->size = eif_be64(sh + 4);
		s->offset = offset;
		data = offset + EIF_SECTION_HEADER_SIZE;
		if (s->type < EIF_SECTION_KERNEL || s->type > EIF_SECTION_METADATA)
			return corrupt(err, src, "section %u at offset %llu has invalid type %u",
				       info->section_count, (unsigned long long)offset, s->type);
		if (s->flags != 0)
			return corrupt(err, src, "%s section %u at offset %llu has flags 0x%04x "
				       "(must be 0)", eif_section_type_name(s->type),
				       info->section_count, (unsigned long long)offset, s->flags);
		if (!eif_range_ok(data, s->size, src->size))
			return corrupt(err, src, "%s section %u at offset %llu claims %llu bytes but "
				       "only %llu remain", eif_section_type_name(s->type),
				       info->section_count, (unsigned long long)offset,
				       (unsigned long long)s->size,
				       (unsigned long long)(src->size - data));
		end = data + s->size;
		if (s->type == EIF_SECTION_RAMDISK)
			ramdisk_seen = 1;
		else if (ramdisk_seen && s->type == EIF_SECTION_KERNEL)
			return corrupt(err, src, "kernel section %u at offset %llu comes after a "
				       "ramdisk", info->section_count, (unsigned long long)offset);
		counts[s->type]++;
		info->section_count++;
		offset = end;
	}
	const struct eif_header *h = &info->header;
	if (h->num_sections != info->section_count)
		return corrupt(err, src, "header says %u sections but the file holds %u",
			       h->num_sections, info->section_count);
	for (unsigned i = 0; i < EIF_MAX_SECTIONS; i++) {
		uint64_t want_offset = i < info->section_count ? info->sections[i].offset : 0;
		uint64_t want_size = i < info->section_count ? info->sections[i].size : 0;
		if (h->section_offsets[i] != want_offset)
			return corrupt(err, src, "section table entry %u has offset %llu, the "
				       "section is at %llu", i,
				       (unsigned long long)h->section_offsets[i],
				       (unsigned long long)want_offset);
		if (h->section_sizes[i] != want_size)
			return corrupt(err, src, "section table entry %u has size %llu, the "
				       "section holds %llu bytes", i,
				       (unsigned long long)h->section_sizes[i],
				       (unsigned long long)want_size);
	}
	if (counts[EIF_SECTION_KERNEL] != 1 || counts[EIF_SECTION_CMDLINE] != 1)
		return corrupt(err, src, "%u kernel and %u cmdline sections (exactly one each "
			       "needed)", counts[EIF_SECTION_KERNEL], counts[EIF_SECTION_CMDLINE]);
	if (counts[EIF_SECTION_RAMDISK] == 0)
		return corrupt(err, src, "no ramdisk section");
	if (counts[EIF_SECTION_METADATA] > 1 || counts[EIF_SECTION_SIGNATURE] > 1)
		return corrupt(err, src, "%u metadata and %u signature sections (at most one each)",
			       counts[EIF_SECTION_METADATA], counts[EIF_SECTION_SIGNATURE]);
	if (h->version >= 4 && counts[EIF_SECTION_METADATA] == 0)
		return corrupt(err, src, "version %u image without a metadata section", h->version);
	info->ramdisk_count = counts[EIF_SECTION_RAMDISK];
	return EIF_OK;
}

/* Load a small section (metadata, signature) into a NUL-terminated malloc'd buffer. */
static enum eif_status load_section(const struct source *src, const struct eif_section_info *s,
				    size_t max, unsigned char **out, size_t *len,
				    struct eif_error *err)
{
	unsigned char *buf;
	enum eif_status rc;

	if (s->size > max)
		return corrupt(err, src, "%s section at offset %llu is %llu bytes, more than the "
			       "%zu allowed", eif_section_type_name(s->type),
			       (unsigned long long)s->offset, (unsigned long long)s->size, max);
	buf = malloc((size_t)s->size + 1);
	if (!buf)
		return eif_fail(err, EIF_E_NOMEM, "'%s': out of memory", src->name);
	rc = read_at(src, s->offset + EIF_SECTION_HEADER_SIZE, buf, (size_t)s->size, err);
	if (rc != EIF_OK) {
		free(buf);
		return rc;
	}
	buf[s->size] = '\0';
	*out = buf;
	*len = (size_t)s->size;
	return EIF_OK;
}

/* One pass over the file: CRC of everything after the CRC field, PCRs of the measured data. */
static enum eif_status measure_sections(const struct source *src, struct eif_info *info,
					const unsigned char header[EIF_HEADER_SIZE],
					struct eif_error *err)
{
	struct eif_measure *m = NULL;
	uint32_t crc = eif_crc32(0, header, EIF_CRC_OFFSET);
	unsigned ramdisk_index = 0;
	unsigned long long total = 0;
	int snapshot_pcr1 = 1, ramdisk_seen = 0;
	enum eif_status rc;

	/* PCR1 is a prefix of PCR0 unless a cmdline follows the first ramdisk. */
	for (unsigned i = 0; i < info->section_count; i++) {
		const struct eif_section_info *s = &info->sections[i];
		if (s->type == EIF_SECTION_RAMDISK)
			ramdisk_seen = 1;
		if (ramdisk_seen && s->type == EIF_SECTION_CMDLINE)
			snapshot_pcr1 = 0;
		total += s->size;
	}
	rc = eif_measure_start(&m, total, err);
	if (rc != EIF_OK)
		return rc;
	for (unsigned i = 0; i < info->section_count; i++) {
		const struct eif_section_info *s = &info->sections[i];
		unsigned feed = eif_section_feed(s->type, ramdisk_index, snapshot_pcr1);
		uint64_t pos = s->offset, end = s->offset + EIF_SECTION_HEADER_SIZE + s->size;
		size_t header_left = EIF_SECTION_HEADER_SIZE;

		while (pos < end) {
			size_t cap;
			unsigned char *buf = eif_measure_acquire(m, &cap);
			size_t n = end - pos < cap ? (size_t)(end - pos) : cap;
			rc = read_at(src, pos, buf, n, err);
			if (rc != EIF_OK) {
				eif_measure_abort(m);
				return rc;
			}
			crc = eif_crc32(crc, buf, n);
			/* The 12-byte section header is CRC'd, never measured. */
			size_t skip = header_left < n ? header_left : n;
			if (skip)
				memmove(buf, buf + skip, n - skip);
			header_left -= skip;
			eif_measure_submit(m, feed ? n - skip : 0, feed);
			pos += n;
		}
		if (s->type == EIF_SECTION_RAMDISK) {
			if (ramdisk_index == 0 && snapshot_pcr1) {
				size_t cap;
				eif_measure_acquire(m, &cap);
				eif_measure_submit(m, 0, EIF_FEED_PCR1_SNAPSHOT);
			}
			ramdisk_index++;
		}
	}
	rc = eif_measure_finish(m, &info->pcrs, err);
	info->crc_computed = crc;
	info->crc_ok = info->crc_computed == info->header.crc32;
	return rc;
}

static enum eif_status read_source(const struct source *src, struct eif_info *info,
				   struct eif_error *err)
{
	unsigned char header[EIF_HEADER_SIZE];
	enum eif_status rc;

	memset(info, 0, sizeof(*info));
	info->file_size = src->size;
	if (src->size < EIF_HEADER_SIZE)
		return corrupt(err, src, "%llu bytes is shorter than the %d-byte EIF header",
			       (unsigned long long)src->size, EIF_HEADER_SIZE);
	rc = read_at(src, 0, header, sizeof(header), err);
	if (rc != EIF_OK)
		return rc;
	eif_header_decode(header, &info->header);
	if (memcmp(info->header.magic, EIF_MAGIC, 4) != 0)
		return corrupt(err, src, "no '.eif' magic at offset 0");
	if (info->header.num_sections > EIF_MAX_SECTIONS)
		return corrupt(err, src, "header claims %u sections, more than %d",
			       info->header.num_sections, EIF_MAX_SECTIONS);
	rc = walk_sections(src, info, err);
	if (rc != EIF_OK)
		return rc;
	for (unsigned i = 0; i < info->section_count; i++) {
		const struct eif_section_info *s = &info->sections[i];
		if (s->type == EIF_SECTION_CMDLINE && s->size <= EIF_CMDLINE_SECTION_MAX)
			rc = load_section(src, s, EIF_CMDLINE_SECTION_MAX, &info->cmdline,
					  &info->cmdline_len, err);
		else if (s->type == EIF_SECTION_METADATA)
			rc = load_section(src, s, EIF_METADATA_SECTION_MAX, &info->metadata,
					  &info->metadata_len, err);
		else if (s->type == EIF_SECTION_SIGNATURE)
			rc = load_section(src, s, EIF_SIGNATURE_MAX_SIZE, &info->signature,
					  &info->signature_len, err);
		if (rc != EIF_OK)
			return rc;
	}
	rc = measure_sections(src, info, header, err);
	if (rc != EIF_OK)
		return rc;
	if (info->signature) {
		struct eif_cert_info cert;
		struct eif_error sig_err;
		if (eif_signature_cert_info(info->signature, info->signature_len, &cert,
					    &sig_err) == EIF_OK) {
			memcpy(info->pcrs.pcr8, cert.pcr8, EIF_PCR_SIZE);
			info->pcrs.has_pcr8 = 1;
			eif_cert_info_free(&cert);
		} else {
			info->signature_corrupt = 1;
			snprintf(info->signature_error, sizeof(info->signature_error), "%s",
				 sig_err.msg);
		}
	}
	return EIF_OK;
}

enum eif_status eif_read_memory(const unsigned char *data, size_t len, struct eif_info *info,
				struct eif_error *err)
{
	struct source src = { "memory", -1, data, len };
	enum eif_status rc = read_source(&src, info, err);

	if (rc != EIF_OK)
		eif_info_free(info);
	return rc;
}

enum eif_status eif_read_fd(int fd, const char *path, struct eif_info *info,
			    struct eif_error *err)
{
	struct source src = { path, fd, NULL, 0 };
	struct stat st;
	enum eif_status rc;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) != 0) {
		rc = eif_fail_errno(err, "EIF '%s': cannot stat it", path);
	} else if (!S_ISREG(st.st_mode)) {
		rc = eif_fail(err, EIF_E_USAGE, "EIF '%s': not a regular file; give an .eif file",
			      path);
	} else {
		src.size = (uint64_t)st.st_size;
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		rc = read_source(&src, info, err);
	}
	if (rc != EIF_OK)
		eif_info_free(info);
	return rc;
}

enum eif_status eif_read_file(const char *path, struct eif_info *info, struct eif_error *err)
{
	struct stat st;
	enum eif_status rc;
	int fd;

	memset(info, 0, sizeof(*info));
	rc = eif_open_regular(path, "EIF", "give an .eif file", &fd, &st, err);
	if (rc != EIF_OK)
		return rc;
	rc = eif_read_fd(fd, path, info, err);
	close(fd);
	return rc;
}

void eif_info_free(struct eif_info *info)
{
	free(info->cmdline);
	free(info->metadata);
	free(info->signature);
	info->cmdline = NULL;
	info->metadata = NULL;
	info->signature = NULL;
}
