/* libeif: read, build and measure AWS Nitro Enclave image files (EIF v4).
 * The library never prints or exits: every function that can fail returns an
 * enum eif_status and fills a struct eif_error with a message that names the
 * thing, the cause and the next step. */
#ifndef EIF_EIF_H
#define EIF_EIF_H

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

/* Format constants (spec section 3 and 4). */
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

#endif
