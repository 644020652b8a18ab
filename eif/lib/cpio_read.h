/* Strict newc (070701) / crc (070702) cpio reader over a buffer in memory.
 *
 * Reads what the kernel's initramfs unpacker reads, and refuses everything the kernel would
 * skip, misread or treat as a compressed archive, so a caller can account for every byte:
 *   - a buffer holds one or more archives back to back; each starts at a 4-aligned offset
 *     with the magic 070701 or 070702 and ends with a TRAILER!!! entry; after a trailer only
 *     NUL bytes or the next archive may follow;
 *   - the 13 header fields are exactly 8 hex digits; the name size counts the NUL, which must
 *     be the name's only NUL; the name and the body each end with NUL padding to a multiple
 *     of 4 (offsets counted from the start of the buffer, as the kernel counts them);
 *   - the file type is one of regular, directory, symlink, char, block, FIFO, socket; only
 *     regular files and symlinks carry a body; a symlink target holds no NUL;
 *   - 070702 bodies must match their checksum (sum of the body bytes, modulo 2^32).
 * cpio_read_next() reports hard links as they are stored (same ino, nlink >= 2, the body on
 * one member) and allocates nothing; cpio_read_links() then says what each name holds at
 * boot, as the kernel links them. Nothing prints. */
#ifndef EIF_CPIO_READ_H
#define EIF_CPIO_READ_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

#define CPIO_READ_HEADER_SIZE 110u
/* PATH_MAX including the NUL: longer names and link targets are skipped by the kernel. */
#define CPIO_READ_PATH_MAX 4096u

struct cpio_read_entry {
	unsigned archive;		/* 0 for the first archive in the buffer, then 1, ... */
	uint64_t offset;		/* of the header in the buffer */
	uint64_t length;		/* header, name, body and their padding */
	int crc_format;			/* magic 070702 */
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize;
	uint32_t dev_major, dev_minor, rdev_major, rdev_minor, check;
	const char *name;		/* NUL-terminated, inside the buffer */
	size_t name_len;		/* without the NUL */
	const unsigned char *body;	/* filesize bytes inside the buffer */
	uint64_t body_offset;
};

/* Bytes of the buffer that are structure rather than entry content. */
struct cpio_read_totals {
	uint64_t archives;
	uint64_t entries;		/* without trailers */
	uint64_t entry_bytes;		/* sum of the entries' lengths */
	uint64_t trailer_bytes;		/* trailer entries with their padding */
	uint64_t gap_bytes;		/* NULs after trailers (between and after archives) */
};

struct cpio_reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	unsigned archive;
	int in_archive;		/* between a magic and its trailer */
	int failed;
	struct cpio_read_totals totals;
};

void cpio_reader_init(struct cpio_reader *r, const void *buf, size_t len);

/* The next entry (trailers are consumed, not returned). Returns EIF_OK with *entry filled
 * and *end 0, or EIF_OK with *end 1 once the whole buffer has been read, or EIF_E_FORMAT with
 * a message naming the offset, the field and what is wrong. After a failure every call fails. */
enum eif_status cpio_read_next(struct cpio_reader *r, struct cpio_read_entry *entry, int *end,
			       struct eif_error *err);

/* What one entry's name is at boot, once the kernel's unpacker has linked it. Indexes are
 * into the array given to cpio_read_links(). */
struct cpio_boot_view {
	size_t inode;		/* the entry that created the inode this name ends up on: itself,
				 * unless it is a later member of a hard-link group */
	size_t data_from;	/* the entry whose body the name holds at boot */
	size_t attrs_from;	/* the entry whose mode, owner, mtime and device number it keeps */
	size_t names;		/* names the inode has in its archive (1 when not linked) */
	const unsigned char *body;	/* the bytes the name holds at boot (file, symlink) */
	uint32_t size;
	uint32_t mode, uid, gid, mtime, rdev_major, rdev_minor;
};

/* The boot view of each of count entries, read in order from one buffer by
 * cpio_read_next(), into views[0..count). Hard links follow the kernel's rules (the comment
 * on the definition cites them). EIF_E_NOMEM is the only failure. */
enum eif_status cpio_read_links(const struct cpio_read_entry *entries, size_t count,
				struct cpio_boot_view *views, struct eif_error *err);

/* "file", "directory", "symlink", "char device", "block device", "fifo", "socket", or
 * NULL for a mode whose type newc cannot carry. */
const char *cpio_read_type_name(uint32_t mode);

#endif
