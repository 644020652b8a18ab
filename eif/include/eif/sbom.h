/* The SPDX 2.3 JSON document of an enclave build (what `make` writes to out/sbom.spdx.json):
 * every pinned input of the lock files (the kernel source package, its members, the toolchain
 * packages and, for a cross build, the target's .deb packages, with Debian versions and
 * sha256), every .deb of the toolchain root when one built the enclave's parts, our own
 * sources by git commit, the
 * application, and every output of the boot chain with its SHA-1 and SHA-256 and the
 * GENERATED_FROM relationships between them. The text is a pure function of its inputs.
 *
 * The application's version and checksum: a file (a tar, a docker-archive) is hashed as is;
 * a directory (a tree, an OCI layout) by the sha256 of its manifest, three sorted runs of
 * NUL-terminated records: "T MODE ./PATH" for every entry (T as find's %y, MODE octal
 * without the setuid/setgid bits eif cpio drops), "./PATH -> TARGET" for every symlink, and
 * "SHA256  ./PATH" for every regular file, so any change of what eif cpio packs changes it. */
#ifndef EIF_SBOM_H
#define EIF_SBOM_H

#include <stdbool.h>
#include <stdint.h>

#include <eif/eif.h>

#define EIF_SBOM_LOCKS_MAX 4

struct eif_sbom_input {
	const char *out_dir;   /* holds the kernel (bzImage, or Image for aarch64), nsm.ko, init,
				  ramdisk/{system,user}.cpio, enclave.eif, kernel/config */
	enum eif_arch arch;    /* the enclave's architecture: names the kernel image */
	const char *app;       /* APP as given to make: a tree, a tar, oci:... or docker-archive:... */
	/* configs/sources.lock, then for a cross build configs/sources-ARCH.lock; each package
	 * says which one pins it (the path from its last "configs/", else as given) */
	const char *lock_paths[EIF_SBOM_LOCKS_MAX];
	size_t lock_count;
	/* Optional: configs/toolchain.lock when the kernel, its .config, nsm.ko and init were
	 * built in its root (make's TOOLCHAIN=root). Every .deb (NAME VERSION ARCH SHA256
	 * POOL-PATH lines, '#' comments) is the package NAME:ARCH, with the id
	 * SPDXRef-Toolchain-NAME-ARCH (apart from the lock packages' SPDXRef-Package-NAME),
	 * BUILD_TOOL_OF each of those outputs. A line without those 5 fields, a SHA256 that
	 * is not 64 lowercase hex digits, two lines of one package or no package at all are
	 * refused, by file and line. */
	const char *toolchain_lock_path;
	const char *version;   /* enclave-kit's version (Makefile VERSION) */
	const char *commit;    /* our sources' git commit, or "unknown" */
	bool dirty;            /* the work tree differs from the commit */
	const char *created;   /* creation time, SPDX form "2025-01-01T00:00:00Z" */
	/* Optional: eif cpio's record of ramdisk/user.cpio (--record). When its last line
	 * gives that archive's sha256 and APP is a directory, the manifest is made from its
	 * "dir" entries and one stat of APP, instead of reading the tree again. */
	const char *record_path;
};

/* The document as a malloc'd NUL-terminated text in *text. */
enum eif_status eif_sbom_write(const struct eif_sbom_input *in, char **text, struct eif_error *err);

#endif
