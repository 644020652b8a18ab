/* Streaming tar reader: ustar, pax extended headers (path, linkpath, size, uid, gid) and GNU
 * long names ('L', 'K'); numbers in octal or GNU base-256. Every header checksum is checked;
 * a member that ends before its declared size, a header that is not a tar header, or an
 * extended record larger than TAR_EXTENDED_MAX is an error, never a crash. Nothing is
 * written anywhere: the caller pulls members and their data. */
#ifndef EIF_TAR_H
#define EIF_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

#define TAR_BLOCK 512u
/* Longest pax header or GNU long name accepted (names beyond 4095 bytes are refused later). */
#define TAR_EXTENDED_MAX (1024u * 1024u)

/* Bytes of the underlying (decompressed) stream: returns the count read (0 at its end) or
 * -1 with err filled. */
typedef long long (*tar_read_fn)(void *ctx, void *buf, size_t len, struct eif_error *err);

enum tar_type {
	TAR_REGULAR, TAR_HARDLINK, TAR_SYMLINK, TAR_CHAR, TAR_BLOCK_DEV, TAR_DIRECTORY, TAR_FIFO,
};

struct tar_member {
	const char *name;     /* as stored (pax path > GNU long name > prefix/name) */
	const char *linkname; /* hard link or symlink target */
	enum tar_type type;
	uint32_t mode;        /* permission bits incl. setuid, setgid, sticky (07777) */
	uint32_t uid, gid;
	uint32_t dev_major, dev_minor;
	uint64_t size;        /* bytes of data that follow (regular files only; else 0) */
	uint64_t offset;      /* offset of its first header (extended ones too), for messages */
};

struct tar_reader;

/* where names the stream in messages ("layer 2 (sha256:ab12...)"). NULL when out of memory. */
struct tar_reader *tar_reader_new(tar_read_fn read, void *ctx, const char *where,
				  struct eif_error *err);
void tar_reader_free(struct tar_reader *r);

/* The next member (valid until the next call) in *m, or *m = NULL at the end of the archive
 * (two zero blocks, or the end of the stream right after a member). Unread data of the
 * previous member is skipped. */
enum eif_status tar_next(struct tar_reader *r, const struct tar_member **m, struct eif_error *err);
/* Offset in the stream where the current member's data begins. */
uint64_t tar_data_offset(const struct tar_reader *r);
/* Up to len bytes of the current member's data; *got is 0 once all of it was read. */
enum eif_status tar_read_data(struct tar_reader *r, void *buf, size_t len, size_t *got,
			      struct eif_error *err);

#endif
