/* libeif: read, build and measure AWS Nitro Enclave image files (EIF v4).
 * The library never prints or exits: every function that can fail returns an
 * enum eif_status and fills a struct eif_error with a message that names the
 * thing, the cause and the next step. */
#ifndef EIF_EIF_H
#define EIF_EIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eif_status {
	EIF_OK = 0,
	EIF_E_USAGE,     /* a caller-supplied argument is invalid */
	EIF_E_IO,        /* a system call failed (errno text is in the message) */
	EIF_E_FORMAT,    /* input is not a well-formed EIF / JSON / PEM */
	EIF_E_LIMIT,     /* a size or count limit of the format was exceeded */
	EIF_E_NOMEM,     /* memory allocation failed */
	EIF_E_CRYPTO,    /* OpenSSL reported an error */
	EIF_E_UNSIGNED,  /* a signature was required but the EIF has none */
	EIF_E_SIGNATURE, /* the signature or its certificate does not verify */
};

struct eif_error {
	enum eif_status code;
	char msg[1024];
};

/* Format constants (docs/eif-format.md#the-header, #section-headers-and-types). */
#define EIF_MAGIC "\x2e\x65\x69\x66"
#define EIF_VERSION_CURRENT 4
#define EIF_HEADER_SIZE 548
#define EIF_CRC_OFFSET 544
#define EIF_SECTION_HEADER_SIZE 12
#define EIF_MAX_SECTIONS 32
#define EIF_FLAG_ARM64 0x0001
#define EIF_DEFAULT_MEM 0x40000000ULL
#define EIF_DEFAULT_CPUS 2
#define EIF_SIGNATURE_MAX_SIZE 32768
#define EIF_METADATA_FILE_MAX 4096
#define EIF_PCR_SIZE 48 /* SHA-384 */
#define EIF_PCR_HEX_SIZE (2 * EIF_PCR_SIZE + 1)

enum eif_section_type {
	EIF_SECTION_INVALID = 0,
	EIF_SECTION_KERNEL = 1,
	EIF_SECTION_CMDLINE = 2,
	EIF_SECTION_RAMDISK = 3,
	EIF_SECTION_SIGNATURE = 4,
	EIF_SECTION_METADATA = 5,
};

/* The 548-byte header, decoded (integers in host order). */
struct eif_header {
	unsigned char magic[4];
	uint16_t version;
	uint16_t flags;
	uint64_t default_mem;
	uint64_t default_cpus;
	uint16_t reserved;
	uint16_t num_sections;
	uint64_t section_offsets[EIF_MAX_SECTIONS]; /* file offset of each section header */
	uint64_t section_sizes[EIF_MAX_SECTIONS];   /* data size of each section */
	uint32_t unused;
	uint32_t crc32;
};

void eif_header_encode(const struct eif_header *header, unsigned char out[EIF_HEADER_SIZE]);
void eif_header_decode(const unsigned char in[EIF_HEADER_SIZE], struct eif_header *header);
/* The header fields no PCR covers and no reader needs, against what AWS's format defines:
 * version 2..4, flags bits 1-15 clear, default_mem and default_cpus non-zero, reserved and
 * unused 0. EIF_E_FORMAT names the first field that no AWS tool would write. */
enum eif_status eif_header_check(const struct eif_header *h, struct eif_error *err);
void eif_section_header_encode(uint16_t type, uint64_t size,
			       unsigned char out[EIF_SECTION_HEADER_SIZE]);
/* "kernel", "cmdline", "ramdisk", "signature", "metadata", or "invalid" for anything else. */
const char *eif_section_type_name(unsigned type);

/* PCRs of an image (SHA-384). pcr8 is valid only when has_pcr8. */
struct eif_measurements {
	unsigned char pcr0[EIF_PCR_SIZE];
	unsigned char pcr1[EIF_PCR_SIZE];
	unsigned char pcr2[EIF_PCR_SIZE];
	unsigned char pcr8[EIF_PCR_SIZE];
	int has_pcr8;
};

/* Label AWS tools print as "HashAlgorithm" (eif_build 0.3.1 / nitro-cli <= 1.4: sha2 0.9). */
#define EIF_HASH_ALGORITHM_LABEL "Sha384 { ... }"

/* ---- building (eif build, eif pcr from parts) ---------------------------------------- */

enum eif_arch { EIF_ARCH_X86_64 = 0, EIF_ARCH_AARCH64 = 1 };
/* The one table of enclave architectures: name is "x86_64" or "aarch64" (or Docker's "amd64",
 * "arm64"); 0 with *arch set, -1 for another name. Then our name, Docker's (the OCI platform's
 * architecture) and the ELF e_machine of its programs. */
int eif_arch_parse(const char *name, enum eif_arch *arch);
const char *eif_arch_name(enum eif_arch arch);
const char *eif_arch_docker_name(enum eif_arch arch);
uint16_t eif_arch_elf_machine(enum eif_arch arch);

struct eif_build_options {
	const char *kernel_path;          /* required */
	const char *cmdline;              /* required; bytes without NUL */
	size_t cmdline_len;
	const char *const *ramdisk_paths; /* 1..29 (28 when signing); first = bootstrap */
	size_t ramdisk_count;
	/* NULL: only compute the measurements (no file, no metadata, no signature section). */
	const char *output_path;
	enum eif_arch arch;
	/* Metadata (docs/eif-format.md#metadata-section); NULL picks eif_build's default:
	 * name = kernel file name, version = name if given (eif_build stores --name as the
	 * version) else "1.0", build_tool = "eif_build", build_tool_version = "0.3.1",
	 * img_os = "OS", img_kernel = "kernel". build_time is required (callers derive it
	 * from SOURCE_DATE_EPOCH). Unlike eif_build, a given version really sets ImageVersion;
	 * without one the bytes are eif_build's. */
	const char *name, *version, *build_time, *build_tool, *build_tool_version;
	const char *img_os, *img_kernel;
	const char *metadata_path;        /* custom metadata JSON file (<= 4096 bytes) or NULL */
	/* Signing: both or neither. The key may be a PKCS#11 URI (pkcs11:...), used through
	 * pkcs11_module (NULL: see eif_signer_open in sign.h). */
	const char *signing_certificate_path, *private_key_path, *pkcs11_module;
	/* Optional (eif build --record): called for every section once it is written, in file
	 * order, with the sha256 of its data (NULL for metadata and signature sections). */
	enum eif_status (*section_written)(void *ctx, unsigned index, uint16_t type, uint64_t size,
					   const unsigned char *sha256, struct eif_error *err);
	void *section_ctx;
};

/* Write the EIF (atomically) and return its measurements (PCR8 when signed). */
enum eif_status eif_build(const struct eif_build_options *options, struct eif_measurements *pcrs,
			  struct eif_error *err);

/* RFC 3339 in chrono's to_rfc3339 form ("1970-01-01T00:00:00+00:00") for seconds since the
 * epoch; EIF_E_USAGE if the year falls outside 0..9999. */
enum eif_status eif_rfc3339(long long seconds, char out[32], struct eif_error *err);

/* Measurements as eif_build prints them: a pretty JSON object with HashAlgorithm, PCR0,
 * PCR1, PCR2 and PCR8 when has_pcr8. Returns a malloc'd NUL-terminated string ending in
 * a newline, or NULL when out of memory. */
char *eif_measurements_json(const struct eif_measurements *pcrs);

/* ---- reading (eif describe, eif pcr FILE, eif verify, eif sign) ----------------------- */

struct eif_section_info {
	uint16_t type;
	uint16_t flags;
	uint64_t offset; /* of the 12-byte section header */
	uint64_t size;   /* of the data, which starts at offset + 12 */
};

/* Largest metadata section the reader loads (nitro-cli's DockerInfo makes it a few KiB). */
#define EIF_METADATA_SECTION_MAX (1u << 20)
/* Largest cmdline section the reader loads (a larger one is only measured). */
#define EIF_CMDLINE_SECTION_MAX (1u << 20)

struct eif_info {
	struct eif_header header;
	uint64_t file_size;
	unsigned section_count;
	struct eif_section_info sections[EIF_MAX_SECTIONS];
	unsigned ramdisk_count;
	uint32_t crc_computed; /* over file[0:544] || file[548:EOF] */
	int crc_ok;            /* crc_computed == header.crc32 */
	/* PCR0/1/2 recomputed from the data; PCR8 from the signature's certificate. */
	struct eif_measurements pcrs;
	unsigned char *cmdline; /* cmdline section bytes + NUL, or NULL when over 1 MiB */
	size_t cmdline_len;
	unsigned char *metadata; /* metadata section bytes + NUL, or NULL (v2/v3) */
	size_t metadata_len;
	unsigned char *signature; /* signature section bytes, or NULL when unsigned */
	size_t signature_len;
	/* Set when a signature section exists but PCR8 could not be computed from it. */
	int signature_corrupt;
	char signature_error[sizeof(((struct eif_error *)0)->msg)];
};

/* Parse and measure an EIF. Every offset and length is checked against the file size;
 * the section table must agree with the sections found walking the file from offset 548,
 * with no gaps and no trailing bytes; exactly one kernel and cmdline, at least one
 * ramdisk, at most one metadata (required for v4) and signature section. A CRC mismatch
 * is not an error: it is reported in crc_ok. */
enum eif_status eif_read_file(const char *path, struct eif_info *info, struct eif_error *err);
/* The same for an EIF already open as fd (pread only, the offset is left alone), so that a
 * caller that reads the file again reads the same file; path names it in messages. */
enum eif_status eif_read_fd(int fd, const char *path, struct eif_info *info,
			    struct eif_error *err);
enum eif_status eif_read_memory(const unsigned char *data, size_t len, struct eif_info *info,
				struct eif_error *err);
void eif_info_free(struct eif_info *info);

/* The JSON nitro-cli describe-eif prints for this image (pretty, keys in its order, with a
 * final newline), malloc'd. Fails like nitro-cli when the metadata does not deserialize,
 * when CustomMetadata is neither null nor an object (it cannot be flattened), or when the
 * signature is corrupt or does not verify under its certificate. */
enum eif_status eif_describe(const struct eif_info *info, char **json, struct eif_error *err);

/* ---- measuring single inputs (eif pcr --input) ---------------------------------------- */

/* extend(SHA-384 of the file) = {"PCR": ...} of nitro-cli pcr --input. */
enum eif_status eif_pcr_of_file(const char *path, unsigned char pcr[EIF_PCR_SIZE],
				struct eif_error *err);

/* ---- small helpers the eif tool shares with the library -------------------------------- */

/* Put "context: " in front of an existing message (keeps the code); returns err->code. */
enum eif_status eif_error_prefix(struct eif_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void eif_hex(const unsigned char *in, size_t n, char *out);
/* The inverse: exactly 2n hex digits (either case) into n bytes; 0, or -1 if text is not. */
int eif_unhex(const char *text, unsigned char *out, size_t n);
/* Read a whole regular file of at most max bytes into a malloc'd buffer
 * (NUL-terminated for convenience; *len excludes the NUL). what names the file
 * in messages, e.g. "metadata file". */
enum eif_status eif_read_small_file(const char *path, const char *what, size_t max,
				    unsigned char **data, size_t *len, struct eif_error *err);
/* n digits in base (2..10) at s and nothing else (no sign, blank or prefix), the value at most
 * max: true and *out, else false. The one number parser of list files, manifests, tar headers
 * and the command line. */
bool eif_parse_digits(const char *s, size_t n, unsigned base, uint64_t max, uint64_t *out);
/* "UID:GID", each 0..4294967295 in decimal digits: 0, or -1 when s is not that. */
int eif_parse_owner(const char *s, uint32_t *uid, uint32_t *gid);
/* SOURCE_DATE_EPOCH, the one default timestamp of eif cpio (every mtime) and eif build
 * (BuildTime), read by one rule: unset or empty means 0; otherwise decimal digits only (no
 * sign, blank or fraction) from 0 to 4294967295, the range of newc's 32-bit mtime (up to the
 * year 2106). Anything else is EIF_E_USAGE, naming the value. */
enum eif_status eif_source_date_epoch(uint32_t *seconds, struct eif_error *err);
/* Write len bytes to path atomically: path holds either its old content or all of data
 * (temporary file next to it, fsync, rename, fsync of the directory). */
enum eif_status eif_write_file_atomic(const char *path, const void *data, size_t len,
				      struct eif_error *err);

#endif
