/* Internal helpers of the eif library (errors, atomic output, sizes, byte order).
 * Library-only: the tool (eif/tool/) cannot include this header; the few helpers it needs
 * are declared in the public <eif/eif.h>. */
#ifndef EIF_UTIL_H
#define EIF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

/* Fill *err (if not NULL) and return code, so callers can `return eif_fail(...)`. */
enum eif_status eif_fail(struct eif_error *err, enum eif_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like eif_fail(EIF_E_IO, ...) with ": <strerror(errno)>" appended. */
enum eif_status eif_fail_errno(struct eif_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Overflow-safe arithmetic: return false (and leave *out unspecified) on overflow. */
static inline bool eif_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}
static inline bool eif_add_size(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}
static inline bool eif_mul_size(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}
/* True when [offset, offset+len) lies inside [0, limit). */
static inline bool eif_range_ok(uint64_t offset, uint64_t len, uint64_t limit)
{
	return offset <= limit && len <= limit - offset;
}

/* Room for need elements of elem bytes in the malloc'd array (NULL: none yet) whose
 * capacity is *cap elements: the capacity doubles from 16 until need fits, every size
 * overflow-checked. Returns the array, maybe moved (*cap updated), or NULL when out of
 * memory or too large; the old array is then still valid and still the caller's. */
void *eif_array_grow(void *array, size_t *cap, size_t need, size_t elem);

/* Big-endian loads and stores. */
static inline uint16_t eif_be16(const unsigned char *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t eif_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t eif_be64(const unsigned char *p)
{
	return (uint64_t)eif_be32(p) << 32 | eif_be32(p + 4);
}
static inline void eif_put_be16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}
static inline void eif_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}
static inline void eif_put_be64(unsigned char *p, uint64_t v)
{
	eif_put_be32(p, (uint32_t)(v >> 32));
	eif_put_be32(p + 4, (uint32_t)v);
}

/* CRC-32/ISO-HDLC (zlib's crc32) continued from crc over any length; start with 0. */
uint32_t eif_crc32(uint32_t crc, const void *data, size_t len);

/* Value of one hex digit (either case), or -1. */
static inline int eif_hex_value(unsigned c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return -1;
}

/* Exactly n hex digits (either case, n <= 8) at p into *out: 0, or -1 if one is not a digit. */
static inline int eif_parse_hex(const unsigned char *p, int n, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < n; i++) {
		int d = eif_hex_value(p[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}


/* read()/write() loops that retry on EINTR and short counts.
 * eif_read_full returns the number of bytes read (< len only at EOF) or -1. */
long long eif_read_full(int fd, void *buf, size_t len);
/* Exactly len bytes at offset of fd, the file named path in messages: a read error or an
 * end of file before them (the file shrank while being read) is an error. */
enum eif_status eif_pread_full(int fd, const char *path, uint64_t offset, void *buf, size_t len,
			       struct eif_error *err);
int eif_write_full(int fd, const void *buf, size_t len);

/* Open path read-only, refusing at once anything but a regular file: the open does not
 * block (O_NONBLOCK, cleared again after the check), so a FIFO or a device named by mistake
 * gives an error instead of a hang. what names the file in messages ("kernel"), hint is the
 * next step after "not a regular file; " ("give a file path"). Sets *fd and *st on EIF_OK;
 * *fd is -1 otherwise. */
struct stat;
enum eif_status eif_open_regular(const char *path, const char *what, const char *hint, int *fd,
				 struct stat *st, struct eif_error *err);


/* Memory handed out from 64 KiB blocks and freed all at once (names, tree nodes). */
struct eif_arena {
	struct eif_arena_block *blocks;
};
/* n bytes aligned to align (a power of two up to 16), or NULL when out of memory. */
void *eif_arena_alloc(struct eif_arena *arena, size_t n, size_t align);
void eif_arena_free(struct eif_arena *arena);

/* Atomic output: the final path holds either its old content or the complete
 * new file. open creates a temporary file next to path; commit fsyncs, renames
 * it over path and fsyncs the directory; abort (safe to call after commit or
 * twice) closes and unlinks the temporary file. */
struct eif_outfile {
	int fd;
	char *path;
	char *tmp_path;
	unsigned long long written;
	unsigned long long flushed; /* bytes handed to writeback so far */
	/* Direct mode (eif_outfile_direct): writes gather in stage and go to the disk with
	 * O_DIRECT in aligned blocks starting at file offset stage_at. */
	unsigned char *stage;
	size_t staged;
	unsigned long long stage_at;
	struct outfile_writer *writer; /* direct mode: the thread that writes full stages */
};
enum eif_status eif_outfile_open(struct eif_outfile *out, const char *path, struct eif_error *err);
/* Send what follows straight to the disk (O_DIRECT), bypassing the page cache: for outputs
 * of hundreds of MiB, copying into the page cache costs as much CPU as a hash pass, and it
 * evicts what the build still reads. Call right after open, before any write. Where the
 * file system refuses O_DIRECT, or an aligned write is refused later, the file quietly goes
 * on with ordinary writes; the bytes are the same either way. A later pwrite or the commit
 * ends direct mode. */
void eif_outfile_direct(struct eif_outfile *out);
/* Direct mode lets the caller fill the stage in place rather than copy into it: space gives
 * where the next *cap (>= 1) bytes of the file go (NULL outside direct mode); filled then
 * counts len <= *cap of them as written. Until the stage comes round again, other threads
 * may read them: before refilling it, the outfile calls the wait given to share_stages with
 * the last fence filled into it. The caller must have finished those readers (and cleared
 * the wait) before pwrite, commit or abort end direct mode and free the stages. */
unsigned char *eif_outfile_space(struct eif_outfile *out, size_t *cap);
enum eif_status eif_outfile_filled(struct eif_outfile *out, size_t len, unsigned long long fence,
				   struct eif_error *err);
void eif_outfile_share_stages(struct eif_outfile *out,
			      void (*wait)(void *ctx, unsigned long long fence), void *ctx);
enum eif_status eif_outfile_write(struct eif_outfile *out, const void *buf, size_t len,
				  struct eif_error *err);
enum eif_status eif_outfile_pwrite(struct eif_outfile *out, const void *buf, size_t len,
				   unsigned long long offset, struct eif_error *err);
enum eif_status eif_outfile_commit(struct eif_outfile *out, struct eif_error *err);
void eif_outfile_abort(struct eif_outfile *out);

#endif
