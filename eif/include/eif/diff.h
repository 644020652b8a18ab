/* diff: what differs between two EIFs, in the terms a user controls, and which PCRs each
 * difference moves (eif diff).
 *
 * The comparison streams: sections are hashed and compared in chunks, ramdisks are mapped
 * (not read into memory) and walked with the strict cpio reader, the kernel payload is
 * decompressed chunk by chunk. Memory grows with the number of ramdisk entries and config
 * options, never with the size of a section. Inputs are read with eif_read_file() first,
 * so a malformed EIF fails with the reader's error. */
#ifndef EIF_DIFF_H
#define EIF_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

/* PCRs a difference moves. */
enum {
	EIF_DIFF_PCR0 = 1,
	EIF_DIFF_PCR1 = 2,
	EIF_DIFF_PCR2 = 4,
	EIF_DIFF_PCR8 = 8,
};

/* One section role on both sides: sections are paired by role (the kernel with the kernel,
 * ramdisk N with ramdisk N), not by position. */
struct eif_diff_section {
	const char *kind;	/* "kernel", "cmdline", "metadata", "ramdisk", "signature" */
	unsigned ramdisk;	/* ramdisk number (0 = system) when kind is "ramdisk" */
	int index_a, index_b;	/* section index in each file, -1 when that file lacks it */
	uint64_t size_a, size_b;
	char sha256_a[65], sha256_b[65];
	int same;
	unsigned pcrs;		/* EIF_DIFF_PCR* moved when the data differ */
};

/* One difference. Text form: "AREA SUBJECT: WHAT A -> B". */
struct eif_diff_change {
	char *area;	/* "header", "kernel", "config", "cmdline", "metadata", "ramdisk 1", ... */
	char *subject;	/* header field, path, metadata key, option, or "" */
	char *what;	/* "added", "removed", or the attribute that changed ("mode", ...) */
	char *a, *b;	/* the values, NULL on the side that lacks the thing */
	int has_offset;
	uint64_t offset; /* first differing byte (inside the file / payload) */
	unsigned pcrs;	/* EIF_DIFF_PCR* this difference moves */
};

struct eif_diff {
	const char *path_a, *path_b;
	struct eif_diff_section sections[2 * EIF_MAX_SECTIONS];
	unsigned section_count;
	struct eif_diff_change *changes;
	size_t change_count, change_cap;
	struct eif_header headers[2];	/* A, B */
	struct eif_measurements pcrs_a, pcrs_b;
	int nomem;	/* a change could not be recorded: the result is incomplete */
};

struct eif_diff_options {
	/* Kernel configs to compare when the kernels embed none (IKCONFIG); both or neither. */
	const char *config_a, *config_b;
};

/* Compare two EIFs. EIF_OK with the differences in *diff (none when the files are
 * identical), or an error naming the file that cannot be read. */
enum eif_status eif_diff_files(const char *path_a, const char *path_b,
			       const struct eif_diff_options *options, struct eif_diff *diff,
			       struct eif_error *err);
/* 1 when nothing differs. */
int eif_diff_identical(const struct eif_diff *diff);
void eif_diff_free(struct eif_diff *diff);

/* Reports, malloc'd and ending in a newline, or NULL when out of memory. The text ends with
 * the line "identical" or "different"; the JSON is one object. */
char *eif_diff_text(const struct eif_diff *diff);
char *eif_diff_json(const struct eif_diff *diff);

/* ---- between the diff_*.c files ------------------------------------------------------ */

/* Record a change; strings are copied (a, b may be NULL). On allocation failure diff->nomem
 * is set. Returns the change or NULL. */
struct eif_diff_change *eif_diff_add(struct eif_diff *diff, unsigned pcrs, const char *area,
				     const char *subject, const char *what, const char *a,
				     const char *b);
/* eif_diff_add with the values printf-formatted as "A\x1fB": the text before the first
 * 0x1f byte is A, the rest B; an empty side is absent (NULL). */
struct eif_diff_change *eif_diff_addf(struct eif_diff *diff, unsigned pcrs, const char *area,
				      const char *subject, const char *what, const char *fmt,
				      ...) __attribute__((format(printf, 6, 7)));

/* Both sides of a section, open for reading. */
struct eif_diff_side {
	const char *path;
	int fd;
	uint64_t offset;	/* of the section data in the file */
	uint64_t size;
};

/* Ramdisks: the entries of both cpio archives (diff_cpio.c). */
enum eif_status eif_diff_ramdisks(struct eif_diff *diff, const char *area, unsigned pcrs,
				  const struct eif_diff_side *a, const struct eif_diff_side *b,
				  struct eif_error *err);
/* Kernels: setup header, banner, decompressed payload, config (diff_kernel.c). */
enum eif_status eif_diff_kernels(struct eif_diff *diff, unsigned pcrs,
				 const struct eif_diff_side *a, const struct eif_diff_side *b,
				 const struct eif_diff_options *options, struct eif_error *err);
/* Two kernel config texts (.config / defconfig lines): options set, unset or changed. */
enum eif_status eif_diff_configs(struct eif_diff *diff, unsigned pcrs, const char *text_a,
				 size_t len_a, const char *text_b, size_t len_b,
				 struct eif_error *err);

/* First differing byte of two ranges read from the files in chunks; *offset = UINT64_MAX when
 * one range is a prefix of the other and both are the same length (no difference). */
enum eif_status eif_diff_first_difference(const struct eif_diff_side *a,
					  const struct eif_diff_side *b, uint64_t *offset,
					  struct eif_error *err);
/* pread loop: exactly len bytes at offset of the side's file. */
enum eif_status eif_diff_pread(const struct eif_diff_side *s, uint64_t offset, void *buf,
			       size_t len, struct eif_error *err);

#endif
