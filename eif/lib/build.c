/* build: write an EIF v4 as eif_build does (docs/eif-format.md#writing-an-eif), in one pass over the
 * inputs. The caller's thread reads, CRCs and writes; measure.c hashes on two threads. The
 * header is written last (its CRC covers everything after it, combined with crc32_combine),
 * so a signature section sized only after PCR0 is known still needs no second pass. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <openssl/evp.h>

#include <eif/eif.h>
#include "json.h"
#include "measure.h"
#include <eif/sign.h>
#include "util.h"

/* eif_build 0.3.1's defaults for metadata the caller leaves NULL. */
#define DEFAULT_VERSION "1.0"
#define DEFAULT_BUILD_TOOL "eif_build"
#define DEFAULT_BUILD_TOOL_VERSION "0.3.1"
#define DEFAULT_IMG_OS "OS"
#define DEFAULT_IMG_KERNEL "kernel"

/* Images at least this large go to the disk with O_DIRECT (see eif_outfile_direct): below
 * it the page cache costs little, and the image is often read again at once. */
#define BUILD_DIRECT_MIN (64u << 20)

struct input {
	const char *path;
	const char *what; /* "kernel", "ramdisk" */
	int fd;
	uint64_t size;
};

struct builder {
	const struct eif_build_options *opt;
	struct eif_error *err;
	struct eif_outfile out;
	int writing;
	int in_place;            /* sections are read into the output's direct stages */
	uint32_t crc;            /* CRC of everything after the header */
	uint64_t crc_len;        /* bytes covered by crc */
	struct eif_measure *measure;
	struct eif_header header;
	unsigned sections;
	uint64_t offset;         /* where the next section header goes */
	EVP_MD_CTX *md;          /* with section_written: the sha256 of the section's data */
};

static enum eif_status open_input(struct input *in, const char *what, const char *path,
				  struct eif_error *err)
{
	struct stat st;
	enum eif_status rc;

	in->path = path;
	in->what = what;
	rc = eif_open_regular(path, what, "give a file path", &in->fd, &st, err);
	if (rc != EIF_OK)
		return rc;
	in->size = (uint64_t)st.st_size;
	posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return EIF_OK;
}

/* CRC and write bytes that belong to the file after the header. */
static enum eif_status emit(struct builder *b, const void *data, size_t len)
{
	if (!b->writing)
		return EIF_OK;
	b->crc = eif_crc32(b->crc, data, len);
	b->crc_len += len;
	return eif_outfile_write(&b->out, data, len, b->err);
}

/* Record a section in the header table and emit its 12-byte header. */
static enum eif_status begin_section(struct builder *b, uint16_t type, uint64_t size)
{
	unsigned char sh[EIF_SECTION_HEADER_SIZE];
	uint64_t next;

	if (b->sections >= EIF_MAX_SECTIONS)
		return eif_fail(b->err, EIF_E_LIMIT, "output: more than %d sections; "
				"use fewer ramdisks", EIF_MAX_SECTIONS);
	if (!eif_add_u64(b->offset, EIF_SECTION_HEADER_SIZE, &next) ||
	    !eif_add_u64(next, size, &next))
		return eif_fail(b->err, EIF_E_LIMIT, "output: %s section of %llu bytes makes the "
				"file larger than 2^64 bytes", eif_section_type_name(type),
				(unsigned long long)size);
	if (b->md && !EVP_DigestInit_ex(b->md, EVP_sha256(), NULL))
		return eif_fail(b->err, EIF_E_CRYPTO, "output: cannot start SHA-256");
	b->header.section_offsets[b->sections] = b->offset;
	b->header.section_sizes[b->sections] = size;
	b->sections++;
	b->offset = next;
	eif_section_header_encode(type, size, sh);
	return emit(b, sh, sizeof(sh));
}

/* Where the next chunk of section data goes, at most *cap bytes: in direct mode the output's
 * stage at the chunk's own file offset, so the data is read once, into the memory the disk
 * and the hashing threads take it from; otherwise a measuring buffer. */
static unsigned char *chunk_buffer(struct builder *b, size_t *cap)
{
	return b->in_place ? eif_outfile_space(&b->out, cap) : eif_measure_acquire(b->measure, cap);
}

/* The chunk from chunk_buffer now holds len bytes: CRC, write, SHA-256 and measure them. */
static enum eif_status chunk_done(struct builder *b, unsigned char *buf, size_t len, unsigned feed)
{
	enum eif_status rc = EIF_OK;

	if (b->md && !EVP_DigestUpdate(b->md, buf, len))
		rc = eif_fail(b->err, EIF_E_CRYPTO, "output: SHA-256 failed");
	if (b->in_place) {
		unsigned long long ticket = eif_measure_submit_from(b->measure, buf, len, feed);
		b->crc = eif_crc32(b->crc, buf, len);
		b->crc_len += len;
		return rc != EIF_OK ? rc : eif_outfile_filled(&b->out, len, ticket, b->err);
	}
	if (rc == EIF_OK)
		rc = emit(b, buf, len);
	eif_measure_submit(b->measure, len, feed);
	return rc;
}

/* Copy a memory section (cmdline) through the measuring buffers. */
static enum eif_status stream_memory(struct builder *b, const char *data, size_t len, unsigned feed)
{
	enum eif_status rc;

	while (len > 0) {
		size_t cap;
		unsigned char *buf = chunk_buffer(b, &cap);
		size_t n = len < cap ? len : cap;
		memcpy(buf, data, n);
		rc = chunk_done(b, buf, n, feed);
		if (rc != EIF_OK)
			return rc;
		data += n;
		len -= n;
	}
	return EIF_OK;
}

/* Copy a file section, checking that it has exactly the size its header announced. */
static enum eif_status stream_file(struct builder *b, struct input *in, unsigned feed)
{
	uint64_t left = in->size;
	unsigned char probe;
	long long got;
	enum eif_status rc;

	while (left > 0) {
		size_t cap;
		unsigned char *buf = chunk_buffer(b, &cap);
		size_t want = left < cap ? (size_t)left : cap;
		got = eif_read_full(in->fd, buf, want);
		if (got < 0)
			return eif_fail_errno(b->err, "%s '%s': read failed", in->what, in->path);
		if ((size_t)got != want)
			return eif_fail(b->err, EIF_E_IO, "%s '%s': file shrank while being read; "
					"build again once nothing writes it", in->what, in->path);
		rc = chunk_done(b, buf, want, feed);
		if (rc != EIF_OK)
			return rc;
		left -= want;
	}
	got = eif_read_full(in->fd, &probe, 1);
	if (got < 0)
		return eif_fail_errno(b->err, "%s '%s': read failed", in->what, in->path);
	if (got != 0)
		return eif_fail(b->err, EIF_E_IO, "%s '%s': file grew while being read; "
				"build again once nothing writes it", in->what, in->path);
	return EIF_OK;
}

/* The section just written to the caller's section_written (hashed: its data went through md). */
static enum eif_status end_section(struct builder *b, uint16_t type, bool hashed)
{
	unsigned char sum[32];
	unsigned index = b->sections - 1;

	if (!b->opt->section_written || !b->writing)
		return EIF_OK;
	if (hashed && !EVP_DigestFinal_ex(b->md, sum, NULL))
		return eif_fail(b->err, EIF_E_CRYPTO, "output: SHA-256 failed");
	return b->opt->section_written(b->opt->section_ctx, index, type,
				       b->header.section_sizes[index], hashed ? sum : NULL, b->err);
}

/* Rust's Path::file_name: the last component, ignoring trailing slashes, into buf. */
static const char *base_name(const char *path, char *buf, size_t size)
{
	size_t n = strlen(path), start;

	while (n > 1 && path[n - 1] == '/')
		n--;
	start = n;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (n - start >= size)
		n = start + size - 1;
	memcpy(buf, path + start, n - start);
	buf[n - start] = '\0';
	return buf;
}

static enum eif_status check_text(const char *what, const char *s, struct eif_error *err)
{
	if (!json_utf8_valid(s, strlen(s)))
		return eif_fail(err, EIF_E_USAGE, "%s: not valid UTF-8; metadata is JSON text, "
				"so give UTF-8", what);
	return EIF_OK;
}

/* The metadata section: serde_json of EifIdentityInfo (docs/eif-format.md#metadata-section). */
static enum eif_status encode_metadata(const struct eif_build_options *o, struct json_buf *out,
				       struct eif_error *err)
{
	char kernel_name[4096];
	const char *name = o->name ? o->name : base_name(o->kernel_path, kernel_name,
							   sizeof(kernel_name));
	const struct {
		const char *key, *value;
	} fields[] = {
		{ "BuildTime", o->build_time },
		{ "BuildTool", o->build_tool ? o->build_tool : DEFAULT_BUILD_TOOL },
		{ "BuildToolVersion", o->build_tool_version ? o->build_tool_version
							     : DEFAULT_BUILD_TOOL_VERSION },
		{ "OperatingSystem", o->img_os ? o->img_os : DEFAULT_IMG_OS },
		{ "KernelVersion", o->img_kernel ? o->img_kernel : DEFAULT_IMG_KERNEL },
	};
	/* eif_build stores --name as ImageVersion (it reads the name argument twice); keep
	 * its bytes unless a version is really given. */
	const char *version = o->version ? o->version : o->name ? o->name : DEFAULT_VERSION;
	struct json_value custom = { 0 };
	enum eif_status rc;

	if ((rc = check_text("image name", name, err)) || (rc = check_text("version", version, err)))
		return rc;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((rc = check_text(fields[i].key, fields[i].value, err)))
			return rc;
	if (o->metadata_path) {
		unsigned char *text;
		size_t len;
		rc = eif_read_small_file(o->metadata_path, "metadata file", EIF_METADATA_FILE_MAX,
					 &text, &len, err);
		if (rc != EIF_OK)
			return rc;
		char what[600];
		snprintf(what, sizeof(what), "metadata file '%.500s'", o->metadata_path);
		rc = json_parse(text, len, what, &custom, err);
		free(text);
		if (rc != EIF_OK)
			return rc;
	}
	json_buf_puts(out, "{\"ImageName\":");
	json_buf_string(out, name, strlen(name));
	json_buf_puts(out, ",\"ImageVersion\":");
	json_buf_string(out, version, strlen(version));
	json_buf_puts(out, ",\"BuildMetadata\":{");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (i)
			json_buf_puts(out, ",");
		json_buf_string(out, fields[i].key, strlen(fields[i].key));
		json_buf_puts(out, ":");
		json_buf_string(out, fields[i].value, strlen(fields[i].value));
	}
	json_buf_puts(out, "},\"DockerInfo\":null,\"CustomMetadata\":");
	json_write(out, &custom, -1);
	json_buf_puts(out, "}");
	json_free(&custom);
	if (out->failed)
		return eif_fail(err, EIF_E_NOMEM, "metadata: out of memory");
	return EIF_OK;
}

static enum eif_status check_options(const struct eif_build_options *o, struct eif_error *err)
{
	size_t max_ramdisks = EIF_MAX_SECTIONS - 3;

	if (!o->kernel_path)
		return eif_fail(err, EIF_E_USAGE, "no kernel given; pass --kernel FILE");
	if (!o->cmdline)
		return eif_fail(err, EIF_E_USAGE, "no kernel command line given; pass --cmdline TEXT");
	if (memchr(o->cmdline, '\0', o->cmdline_len))
		return eif_fail(err, EIF_E_USAGE, "kernel command line: contains a NUL byte; "
				"remove it");
	if (o->ramdisk_count == 0)
		return eif_fail(err, EIF_E_USAGE, "no ramdisk given; pass --ramdisk FILE "
				"(repeat it for more)");
	if ((o->signing_certificate_path == NULL) != (o->private_key_path == NULL))
		return eif_fail(err, EIF_E_USAGE, "signing needs both a certificate and a private "
				"key; pass --signing-certificate and --private-key together");
	if (o->output_path && o->signing_certificate_path)
		max_ramdisks--;
	if (o->ramdisk_count > max_ramdisks)
		return eif_fail(err, EIF_E_LIMIT, "%zu ramdisks: an EIF holds at most %zu here "
				"(%d sections in all); pack them into fewer cpio archives",
				o->ramdisk_count, max_ramdisks, EIF_MAX_SECTIONS);
	if (o->arch != EIF_ARCH_X86_64 && o->arch != EIF_ARCH_AARCH64)
		return eif_fail(err, EIF_E_USAGE, "architecture %d: unknown; use x86_64 or aarch64",
				(int)o->arch);
	if (o->output_path && !o->build_time)
		return eif_fail(err, EIF_E_USAGE, "no build time given; pass --build-time or set "
				"SOURCE_DATE_EPOCH");
	return EIF_OK;
}

/* The output's wait before it refills a stage the hashing threads read (chunk_done). */
static void wait_for_hashing(void *measure, unsigned long long ticket)
{
	eif_measure_wait(measure, ticket);
}

/* Everything after opening the inputs; b->measure and b->out are cleaned up by the caller. */
static enum eif_status build_sections(struct builder *b, struct input *kernel,
				      struct input *ramdisks, const struct json_buf *metadata,
				      struct eif_signer *signer, struct eif_measurements *pcrs)
{
	const struct eif_build_options *o = b->opt;
	unsigned char hdr[EIF_HEADER_SIZE];
	enum eif_status rc;

	unsigned long long total = kernel->size + o->cmdline_len;
	for (size_t i = 0; i < o->ramdisk_count; i++)
		total += ramdisks[i].size;
	if (b->writing) {
		if (total >= BUILD_DIRECT_MIN)
			eif_outfile_direct(&b->out);
		memset(hdr, 0, sizeof(hdr));
		rc = eif_outfile_write(&b->out, hdr, sizeof(hdr), b->err);
		if (rc != EIF_OK)
			return rc;
	}
	b->offset = EIF_HEADER_SIZE;
	size_t room;
	b->in_place = b->writing && eif_outfile_space(&b->out, &room) != NULL;
	rc = b->in_place ? eif_measure_start_borrowing(&b->measure, total, b->err)
			 : eif_measure_start(&b->measure, total, b->err);
	if (rc != EIF_OK)
		return rc;
	if (b->in_place)
		eif_outfile_share_stages(&b->out, wait_for_hashing, b->measure);
	if ((rc = begin_section(b, EIF_SECTION_KERNEL, kernel->size)) ||
	    (rc = stream_file(b, kernel, EIF_FEED_PCR0)) ||
	    (rc = end_section(b, EIF_SECTION_KERNEL, true)))
		return rc;
	if ((rc = begin_section(b, EIF_SECTION_CMDLINE, o->cmdline_len)) ||
	    (rc = stream_memory(b, o->cmdline, o->cmdline_len, EIF_FEED_PCR0)) ||
	    (rc = end_section(b, EIF_SECTION_CMDLINE, true)))
		return rc;
	if (b->writing) {
		if ((rc = begin_section(b, EIF_SECTION_METADATA, metadata->len)) ||
		    (rc = emit(b, metadata->data, metadata->len)) ||
		    (rc = end_section(b, EIF_SECTION_METADATA, false)))
			return rc;
	}
	for (size_t i = 0; i < o->ramdisk_count; i++) {
		unsigned feed = i == 0 ? EIF_FEED_PCR0 : EIF_FEED_PCR0 | EIF_FEED_PCR2;
		if ((rc = begin_section(b, EIF_SECTION_RAMDISK, ramdisks[i].size)) ||
		    (rc = stream_file(b, &ramdisks[i], feed)) ||
		    (rc = end_section(b, EIF_SECTION_RAMDISK, true)))
			return rc;
		/* PCR1 = PCR0's hash state right here: copy it instead of hashing twice. */
		if (i == 0)
			eif_measure_submit_from(b->measure, NULL, 0, EIF_FEED_PCR1_SNAPSHOT);
	}
	if (b->in_place)
		eif_outfile_share_stages(&b->out, NULL, NULL); /* the hashing ends here */
	rc = eif_measure_finish(b->measure, pcrs, b->err);
	b->measure = NULL;
	if (rc != EIF_OK)
		return rc;
	if (signer) {
		eif_signer_pcr8(signer, pcrs->pcr8);
		pcrs->has_pcr8 = 1;
	}
	if (!b->writing)
		return EIF_OK;
	if (signer) {
		unsigned char *section;
		size_t len;
		rc = eif_signature_section_build(signer, pcrs->pcr0, &section, &len, b->err);
		if (rc != EIF_OK)
			return rc;
		rc = begin_section(b, EIF_SECTION_SIGNATURE, len);
		if (rc == EIF_OK)
			rc = emit(b, section, len);
		if (rc == EIF_OK)
			rc = end_section(b, EIF_SECTION_SIGNATURE, false);
		free(section);
		if (rc != EIF_OK)
			return rc;
	}
	memcpy(b->header.magic, EIF_MAGIC, 4);
	b->header.version = EIF_VERSION_CURRENT;
	b->header.flags = o->arch == EIF_ARCH_AARCH64 ? EIF_FLAG_ARM64 : 0;
	b->header.default_mem = EIF_DEFAULT_MEM;
	b->header.default_cpus = EIF_DEFAULT_CPUS;
	b->header.num_sections = (uint16_t)b->sections;
	eif_header_encode(&b->header, hdr);
	uint32_t head_crc = eif_crc32(0, hdr, EIF_CRC_OFFSET);
	b->header.crc32 = (uint32_t)crc32_combine(head_crc, b->crc, (z_off_t)b->crc_len);
	eif_put_be32(hdr + EIF_CRC_OFFSET, b->header.crc32);
	rc = eif_outfile_pwrite(&b->out, hdr, sizeof(hdr), 0, b->err);
	if (rc != EIF_OK)
		return rc;
	return eif_outfile_commit(&b->out, b->err);
}

enum eif_status eif_build(const struct eif_build_options *o, struct eif_measurements *pcrs,
			  struct eif_error *err)
{
	struct builder b;
	struct input kernel = { .fd = -1 };
	struct input *ramdisks = NULL;
	struct json_buf metadata = { 0 };
	struct eif_signer *signer = NULL;
	enum eif_status rc;

	memset(pcrs, 0, sizeof(*pcrs));
	memset(&b, 0, sizeof(b));
	b.opt = o;
	b.err = err;
	b.out.fd = -1;
	b.writing = o->output_path != NULL;
	rc = check_options(o, err);
	if (rc != EIF_OK)
		return rc;
	if (b.writing) {
		rc = encode_metadata(o, &metadata, err);
		if (rc != EIF_OK)
			goto out;
	}
	if (o->signing_certificate_path) {
		rc = eif_signer_open(&signer, o->signing_certificate_path, o->private_key_path,
				     o->pkcs11_module, err);
		if (rc != EIF_OK)
			goto out;
	}
	ramdisks = calloc(o->ramdisk_count, sizeof(*ramdisks));
	if (!ramdisks) {
		rc = eif_fail(err, EIF_E_NOMEM, "out of memory for %zu ramdisks", o->ramdisk_count);
		goto out;
	}
	for (size_t i = 0; i < o->ramdisk_count; i++)
		ramdisks[i].fd = -1;
	rc = open_input(&kernel, "kernel", o->kernel_path, err);
	for (size_t i = 0; rc == EIF_OK && i < o->ramdisk_count; i++)
		rc = open_input(&ramdisks[i], "ramdisk", o->ramdisk_paths[i], err);
	if (rc != EIF_OK)
		goto out;
	if (b.writing) {
		rc = eif_outfile_open(&b.out, o->output_path, err);
		if (rc != EIF_OK)
			goto out;
	}
	if (o->section_written && b.writing && !(b.md = EVP_MD_CTX_new())) {
		rc = eif_fail(err, EIF_E_NOMEM, "out of memory for SHA-256");
		goto out;
	}
	rc = build_sections(&b, &kernel, ramdisks, &metadata, signer, pcrs);
out:
	EVP_MD_CTX_free(b.md);
	if (b.writing)
		eif_outfile_share_stages(&b.out, NULL, NULL);
	eif_measure_abort(b.measure); /* before the output frees the stages it may read */
	if (b.writing)
		eif_outfile_abort(&b.out); /* no-op after a successful commit */
	if (kernel.fd >= 0)
		close(kernel.fd);
	for (size_t i = 0; ramdisks && i < o->ramdisk_count; i++)
		if (ramdisks[i].fd >= 0)
			close(ramdisks[i].fd);
	free(ramdisks);
	free(metadata.data);
	eif_signer_free(signer);
	if (rc != EIF_OK)
		memset(pcrs, 0, sizeof(*pcrs));
	return rc;
}
