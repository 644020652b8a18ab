/* Deterministic newc (070701) initramfs writer.
 *
 * Collect entries from directory trees and gen_init_cpio-style list files, then write
 * them as one archive whose bytes depend only on names, contents, modes, owners given
 * explicitly and link targets: never on readdir order, the umask, the clock, the
 * builder's uid or host inode and device numbers.
 *
 * Layout (the conventions of the gocpio writer inside nitro-cli, so a bootstrap
 * ramdisk made from the same files matches nitro-cli's byte for byte):
 *   - entries sorted bytewise (strcmp) by name; a parent is a prefix of its children's
 *     names and therefore always sorts first ("a", "a-b", "a/b": a subtree need not be
 *     contiguous, but no child precedes its parent);
 *   - lower-case hex fields, inode numbers 721, 722, ... in archive order (a hard-link
 *     group takes one number at its first member), dev 3:1 on every entry, nlink 2 for
 *     directories and the member count for hard-link groups, 1 otherwise;
 *   - one mtime for every entry; uid/gid as declared (0:0 for trees by default);
 *   - hard links: every member has the same inode number and nlink, the data follows
 *     only the last member in archive order (what the kernel's unpacker and GNU cpio
 *     expect); symlinks carry their target as the body, without a NUL;
 *   - header+name and body each padded with NULs to a multiple of 4, a trailer
 *     "TRAILER!!!" (next inode number, mode 0, nlink 1, mtime 0, dev 3:1), then NULs to
 *     a multiple of 512 bytes.
 * Trees: regular files, directories, symlinks and FIFOs; device nodes and sockets are
 * refused (declare device nodes with `nod` lines instead). Tree modes keep the
 * permission bits and the sticky bit as on disk; setuid and setgid bits are dropped,
 * because owners are rewritten (a file setuid to the builder must not become setuid
 * root); declare such a file in a list with its exact mode if that is meant.
 * Trees are walked through directory descriptors, never through a symlink; a directory
 * or file replaced or changed while it is archived is refused.
 * Directories implied by a prefix or by a list entry whose parent was not declared
 * are added with mode 0755. */
#ifndef EIF_CPIO_H
#define EIF_CPIO_H

#include <stdbool.h>
#include <stdint.h>

#include <eif/eif.h>

#define CPIO_FIRST_INO 721u
#define CPIO_TRAILER_NAME "TRAILER!!!"
/* The kernel's unpacker skips names (with their NUL) and link targets longer than PATH_MAX. */
#define CPIO_NAME_MAX 4095u
#define CPIO_IMPLIED_DIR_MODE 0755u

struct cpio_options {
	uint32_t mtime;      /* the one timestamp of every entry */
	bool owner_override; /* use uid:gid below for every entry, also list entries */
	uint32_t uid, gid;   /* owner of tree and implied entries (and of all with override) */
	uint16_t elf_machine; /* non-zero: count the files that are ELF for another e_machine */
};

struct cpio_archive;

/* NULL only when out of memory (err says so). */
struct cpio_archive *cpio_archive_new(const struct cpio_options *options, struct eif_error *err);
void cpio_archive_free(struct cpio_archive *archive);

/* Add every entry below directory path, named prefix/relative-path (prefix "" or NULL:
 * at the archive root). The directories of the prefix itself are implied (0755). */
enum eif_status cpio_add_tree(struct cpio_archive *archive, const char *prefix, const char *path,
			      struct eif_error *err);
/* Add the entries of a gen_init_cpio list file ("-" is not special). Relative file
 * locations resolve against base (NULL: the current directory). */
enum eif_status cpio_add_list(struct cpio_archive *archive, const char *list_path,
			      const char *base, struct eif_error *err);

/* Entries made in memory (a flattened container image): regular-file data is read with
 * pread from data_fd at each node's data_offset when the archive is written (the caller
 * keeps data_fd open until then). cpio_add_source registers the source: where names it in
 * messages, prefix is where its nodes go (like --dir's PREFIX); *source gets its handle. */
enum eif_status cpio_add_source(struct cpio_archive *archive, const char *where, const char *prefix,
				int data_fd, uint32_t *source, struct eif_error *err);
struct cpio_node {
	const char *name;      /* relative to the source's prefix, no '.', '..' or empty parts */
	uint32_t mode;         /* S_IF* type | 07777 permission bits, kept as given */
	uint32_t uid, gid;     /* replaced by the archive's owner when it overrides owners */
	uint32_t rdev_major, rdev_minor;
	const char *target;    /* symlink target */
	uint64_t size;         /* regular file: bytes at data_offset */
	uint64_t data_offset;
	size_t link_group;     /* from cpio_add_link_group, 0 when not hard-linked */
};
/* A hard-link group of members regular-file nodes (same data); 0 when out of memory. */
size_t cpio_add_link_group(struct cpio_archive *archive, uint32_t members);
enum eif_status cpio_add_node(struct cpio_archive *archive, uint32_t source,
			      const struct cpio_node *node, struct eif_error *err);

/* What cpio_write reports of each entry, in archive order, once the archive is written
 * (eif/record.h turns them into provenance records). */
enum cpio_origin {
	CPIO_FROM_TREE,   /* origin_path: the path below the tree's root */
	CPIO_FROM_LIST,   /* origin_path: a file line's LOCATION as written, else NULL */
	CPIO_FROM_MEMORY, /* origin_path: NULL (the source's where says what it is) */
	CPIO_IMPLIED,     /* a directory nobody declared; origin_path NULL */
};
struct cpio_entry_info {
	const char *name;
	uint32_t mode, uid, gid, rdev_major, rdev_minor;
	uint64_t size;                /* body bytes: file data or link target, else 0 */
	const char *target;           /* symlink target, else NULL */
	const unsigned char *sha256;  /* of the body of a file or symlink, else NULL */
	enum cpio_origin origin;
	const char *origin_path;
};
typedef enum eif_status (*cpio_report_fn)(void *ctx, const struct cpio_entry_info *entry,
					  struct eif_error *err);
/* Make cpio_write hash every body as it streams it and then call report for every entry
 * (every member of a hard-link group with the group's data), and once more with name NULL:
 * size and sha256 of the whole archive. A report error fails the write. */
void cpio_set_report(struct cpio_archive *archive, cpio_report_fn report, void *ctx);

/* Check the whole set (duplicates, parents, limits), then stream the archive into out.
 * Nothing is written when the check fails; on a failure while writing (a file changed
 * or vanished) the caller aborts out. *entries (if not NULL) gets the entry count. */
struct eif_outfile; /* library-internal (util.h): the EIF writer streams a ramdisk into it */
enum eif_status cpio_write(struct cpio_archive *archive, struct eif_outfile *out,
			   uint64_t *entries, struct eif_error *err);
/* After cpio_write with options.elf_machine set: how many regular files were ELF objects for
 * another machine (a program the enclave cannot run); *first (if not NULL) gets the archive
 * name of the first, valid while the archive lives, *machine its e_machine. */
uint64_t cpio_foreign_elf(const struct cpio_archive *archive, const char **first,
			  uint16_t *machine);
/* The name of an e_machine we know (the enclave architectures' and a few others), else NULL. */
const char *cpio_elf_machine_name(uint16_t machine);

/* cpio_write into path atomically: path holds either its old content or the whole archive.
 * Open only after every input was added, so a temporary file inside an input tree is never
 * packed. */
enum eif_status cpio_write_path(struct cpio_archive *archive, const char *path,
				uint64_t *entries, struct eif_error *err);

#endif
