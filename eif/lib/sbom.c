/* sbom: the SPDX 2.3 document of an enclave build (see sbom.h). One process: every file is
 * read once, every string escaped by the JSON printer (serde_json's escapes). */
#include <eif/sbom.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "sbom_int.h"
#include <eif/record.h>
#include "util.h"

/* ---- the document ---- */

struct doc {
	struct json_buf b;
	const char *sep;
	struct json_buf relations; /* the relationships as written, in the order they were made */
};

static void str(struct json_buf *b, const char *s)
{
	json_buf_string(b, s, strlen(s));
}

/* prefix then name; SPDX ids allow letters, digits, '.' and '-': every other byte of name
 * becomes '-'. */
static void spdx_id_in(struct json_buf *b, const char *prefix, const char *name)
{
	json_buf_puts(b, prefix);
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-'))
			c = '-';
		json_buf_append(b, &c, 1);
	}
}

/* The id of a package of the lock files (configs/sources*.lock). */
static void spdx_id(struct json_buf *b, const char *name)
{
	spdx_id_in(b, "SPDXRef-Package-", name);
}

/* a and b are SPDX ids (spdx_id or fixed), which need no escape */
static void relate(struct doc *d, const char *a, const char *type, const char *b)
{
	json_buf_puts(&d->relations, ",\n    {\"spdxElementId\": \"");
	json_buf_puts(&d->relations, a);
	json_buf_puts(&d->relations, "\", \"relationshipType\": \"");
	json_buf_puts(&d->relations, type);
	json_buf_puts(&d->relations, "\", \"relatedSpdxElement\": \"");
	json_buf_puts(&d->relations, b);
	json_buf_puts(&d->relations, "\"}");
}

/* id is written as is: callers give ids made by spdx_id or fixed ones. */
static void package(struct doc *d, const char *id, const char *name, const char *version,
		    const char *sha256, const char *supplier, const char *comment)
{
	struct json_buf *b = &d->b;

	json_buf_puts(b, d->sep);
	json_buf_puts(b, "\n    {\"SPDXID\": \"");
	json_buf_puts(b, id);
	json_buf_puts(b, "\", \"name\": ");
	str(b, name);
	json_buf_puts(b, ", \"versionInfo\": ");
	str(b, version);
	json_buf_puts(b, ", \"downloadLocation\": \"NOASSERTION\", \"supplier\": ");
	str(b, supplier);
	json_buf_puts(b, ", \"filesAnalyzed\": false,");
	if (strcmp(sha256, "-") != 0) {
		json_buf_puts(b, " \"checksums\": [{\"algorithm\": \"SHA256\", \"checksumValue\": \"");
		json_buf_puts(b, sha256);
		json_buf_puts(b, "\"}],");
	}
	json_buf_puts(b, " \"licenseConcluded\": \"NOASSERTION\", \"licenseDeclared\": \"NOASSERTION\","
		      " \"copyrightText\": \"NOASSERTION\", \"comment\": ");
	str(b, comment);
	json_buf_puts(b, "}");
	d->sep = ",";
}

/* path: one of outputs[], plain ASCII that needs no escape. */
static void file_entry(struct doc *d, const char *id, const char *path, const char *sha1,
		       const char *sha256, const char *comment)
{
	json_buf_puts(&d->b, d->sep);
	json_buf_puts(&d->b, "\n    {\"SPDXID\": \"");
	json_buf_puts(&d->b, id);
	json_buf_puts(&d->b, "\", \"fileName\": \"./");
	json_buf_puts(&d->b, path);
	json_buf_puts(&d->b, "\", \"checksums\": [{\"algorithm\": \"SHA1\", \"checksumValue\": \"");
	json_buf_puts(&d->b, sha1);
	json_buf_puts(&d->b, "\"}, {\"algorithm\": \"SHA256\", \"checksumValue\": \"");
	json_buf_puts(&d->b, sha256);
	json_buf_puts(&d->b, "\"}], \"licenseConcluded\": \"NOASSERTION\", "
		      "\"copyrightText\": \"NOASSERTION\", \"comment\": ");
	str(&d->b, comment);
	json_buf_puts(&d->b, "}");
	d->sep = ",";
}

/* The next field of a lock line as sh's `read` splits it: blanks (space, tab) separate,
 * the last field keeps the rest of the line without its trailing blanks. */
static char *lock_field(char **p, bool last)
{
	char *s = *p, *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (last) {
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		*end = '\0';
		*p = end;
		return s;
	}
	for (end = s; *end && *end != ' ' && *end != '\t'; end++)
		;
	*p = *end ? end + 1 : end;
	*end = '\0';
	return s;
}

/* How a package names the lock that pins it: the path from its last "configs/", else as given. */
static const char *lock_label(const char *lock_path)
{
	const char *label = lock_path;

	for (const char *p = lock_path; (p = strstr(p, "configs/")); p++)
		label = p;
	return label;
}

/* A Debian binary package fetched by its path in the archive (pool) and unpacked, never
 * installed: the package NAME:ARCH (the first name_len and arch_len bytes of name and arch)
 * with the id prefix + NAME-ARCH, its version and sha256 ("-": none), and a comment naming
 * the lock that pins it, the path and what it was unpacked into. The id, NUL-terminated, is
 * left in *id for the relationships. */
static enum eif_status deb_package(struct doc *d, struct json_buf *id, const char *prefix,
				   const char *name, size_t name_len, const char *arch,
				   size_t arch_len, const char *version, const char *sha256,
				   const char *label, const char *pool, const char *into,
				   struct eif_error *err)
{
	struct json_buf full = { 0 }, comment = { 0 };
	enum eif_status rc = EIF_OK;

	json_buf_append(&full, name, name_len);
	json_buf_puts(&full, ":");
	json_buf_append(&full, arch, arch_len);
	json_buf_append(&full, "", 0);
	json_buf_append(&comment, arch, arch_len);
	json_buf_puts(&comment, " Debian package pinned in ");
	json_buf_puts(&comment, label);
	json_buf_puts(&comment, " (sha256 of the .deb), fetched from the archive's ");
	json_buf_puts(&comment, pool);
	json_buf_puts(&comment, " and unpacked into ");
	json_buf_puts(&comment, into);
	json_buf_puts(&comment, ", never installed");
	json_buf_append(&comment, "", 0);
	id->len = 0;
	if (!full.failed)
		spdx_id_in(id, prefix, full.data);
	json_buf_append(id, "", 0);
	if (full.failed || comment.failed || id->failed)
		rc = sbom_no_memory(err);
	else
		package(d, id->data, full.data, version, sha256, "Organization: Debian", comment.data);
	free(full.data);
	free(comment.data);
	return rc;
}

/* The packages of a lock file and their relationships: source, member and tool lines, and
 * deb lines (a target package fetched from its archive path, never installed: "NAME:ARCH").
 * *kernel_found: the first linux-source package's SPDX id is in kernel_id. */
static enum eif_status lock_packages(struct doc *d, char *lock, const char *lock_path,
				     struct json_buf *kernel_id, bool *kernel_found,
				     struct eif_error *err)
{
	struct json_buf id = { 0 }, source = { 0 }, comment = { 0 };
	const char *label = lock_label(lock_path);
	enum eif_status rc = EIF_OK;
	unsigned line_no = 0;
	char *line = lock, *nl;

	/* like `while read`, a last line without its newline is not read */
	for (; rc == EIF_OK && (nl = strchr(line, '\n')); line = nl + 1) {
		char *p = line, *kind, *name, *version, *hash;

		*nl = '\0';
		line_no++;
		kind = lock_field(&p, false);
		name = lock_field(&p, false);
		version = lock_field(&p, false);
		hash = lock_field(&p, true);
		if (!*kernel_found && strcmp(kind, "source") == 0 &&
		    strncmp(name, "linux-source", 12) == 0) {
			spdx_id(kernel_id, name);
			*kernel_found = true;
		}
		if (strcmp(kind, "source") != 0 && strcmp(kind, "member") != 0 &&
		    strcmp(kind, "tool") != 0 && strcmp(kind, "deb") != 0)
			continue;
		comment.len = 0;
		if (strcmp(kind, "deb") == 0) {
			/* pool/.../NAME_VERSION_ARCH.deb */
			const char *file = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
			const char *under = strchr(file, '_'), *arch = strrchr(file, '_');
			size_t arch_len = arch ? strcspn(arch + 1, ".") : 0;

			if (!under || under == arch || arch_len == 0) {
				rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: deb '%s' is not "
					      "a Debian archive path (pool/.../NAME_VERSION_ARCH.deb)",
					      lock_path, line_no, name);
				break;
			}
			rc = deb_package(d, &id, "SPDXRef-Package-", file, (size_t)(under - file),
					 arch + 1, arch_len, version, hash, label, name,
					 "the build's output directory", err);
			if (rc == EIF_OK)
				relate(d, id.data, "BUILD_TOOL_OF", "SPDXRef-File-enclave.eif");
			continue;
		} else if (strcmp(kind, "source") == 0) {
			json_buf_puts(&comment, "pinned Debian source package (sha256 of the .deb, from ");
			json_buf_puts(&comment, label);
			json_buf_puts(&comment, ")");
		} else if (strcmp(kind, "tool") == 0) {
			json_buf_puts(&comment, "toolchain package pinned in ");
			json_buf_puts(&comment, label);
			json_buf_puts(&comment, " (sha256 of the .deb as the archive lists it; - where "
				      "it no longer does)");
		} else {
			json_buf_puts(&comment, "file inside the pinned source package, verified "
				      "before unpacking");
		}
		json_buf_append(&comment, "", 0);
		id.len = 0;
		spdx_id(&id, name);
		json_buf_append(&id, "", 0);
		if (id.failed || comment.failed) {
			rc = sbom_no_memory(err);
			break;
		}
		if (strcmp(kind, "member") == 0 && !source.data) {
			rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: member '%s' "
				      "comes before any source line; put it after its "
				      "source package", lock_path, line_no, name);
			break;
		}
		package(d, id.data, name, version, hash, "Organization: Debian", comment.data);
		if (strcmp(kind, "member") == 0) {
			relate(d, id.data, "CONTAINED_BY", source.data);
		} else if (strcmp(kind, "source") == 0) {
			source.len = 0;
			spdx_id(&source, name);
			json_buf_append(&source, "", 0);
		} else {
			relate(d, id.data, "BUILD_TOOL_OF", "SPDXRef-File-enclave.eif");
		}
	}
	free(id.data);
	free(source.data);
	free(comment.data);
	return rc;
}

struct output {
	const char *id, *path, *comment;
};

/* The outputs, KERNEL_OUTPUT being the architecture's kernel image (kernel_images[]). */
enum { KERNEL_OUTPUT = 1 };
static const struct output outputs[] = {
	{ "SPDXRef-File-kernel.config", "kernel/config", "the resolved kernel .config" },
	{ NULL, NULL, NULL },
	{ "SPDXRef-File-nsm.ko", "nsm.ko", "our NSM driver, built against the kernel tree" },
	{ "SPDXRef-File-init", "init", "our static musl PID 1" },
	{ "SPDXRef-File-system.cpio", "ramdisk/system.cpio", "ramdisk 0 (PCR1): dev/, init, nsm.ko" },
	{ "SPDXRef-File-user.cpio", "ramdisk/user.cpio", "ramdisk 1 (PCR2): rootfs/, cmd, env" },
	{ "SPDXRef-File-enclave.eif", "enclave.eif", "the enclave image" },
};
static const struct output kernel_images[] = {
	[EIF_ARCH_X86_64] = { "SPDXRef-File-bzImage", "bzImage", "the enclave kernel" },
	[EIF_ARCH_AARCH64] = { "SPDXRef-File-Image", "Image",
			       "the enclave kernel: the uncompressed arm64 Image" },
};

static const struct output *output_of(size_t i, enum eif_arch arch)
{
	return i == KERNEL_OUTPUT ? &kernel_images[arch] : &outputs[i];
}

/* The boot chain: what each output was made from (kernel_id: the kernel source package). */
static void chain_relations(struct doc *d, const char *kernel_id, enum eif_arch arch)
{
	enum { KERNEL_PACKAGE = -1, ENCLAVE_KIT = -2, APPLICATION = -3 };
	/* indexes of outputs[], or one of the packages above */
	static const int chain[][2] = {
		{ 0, ENCLAVE_KIT }, { 1, KERNEL_PACKAGE }, { 1, 0 }, { 2, ENCLAVE_KIT },
		{ 2, KERNEL_PACKAGE }, { 3, ENCLAVE_KIT }, { 4, 3 }, { 4, 2 }, { 5, APPLICATION },
		{ 6, 1 }, { 6, 4 }, { 6, 5 },
	};

	for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		int from = chain[i][1];

		relate(d, output_of((size_t)chain[i][0], arch)->id, "GENERATED_FROM",
		       from == KERNEL_PACKAGE ? kernel_id : from == ENCLAVE_KIT ?
		       "SPDXRef-Package-enclave-kit" : from == APPLICATION ?
		       "SPDXRef-Package-application" : output_of((size_t)from, arch)->id);
	}
}

/* The outputs made inside the toolchain root (indexes of outputs[]): the kernel's .config
 * (Kbuild's conf, run there, records the compiler it found), the kernel image, nsm.ko, init. */
static const size_t root_outputs[] = { 0, KERNEL_OUTPUT, 2, 3 };

struct toolchain_id {
	size_t at;		/* where the id starts in the buffer of ids, */
	const char *id;		/* then (once that buffer is whole) the id itself */
	unsigned line;
};

static int by_id(const void *a, const void *b)
{
	const struct toolchain_id *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* Two packages of a toolchain lock with the same id (the same NAME:ARCH, or names that only
 * differ in bytes an SPDX id cannot hold) are refused, naming both lines. */
static enum eif_status toolchain_unique(struct toolchain_id *ids, size_t n, const char *buf,
					const char *lock_path, struct eif_error *err)
{
	for (size_t i = 0; i < n; i++)
		ids[i].id = buf + ids[i].at;
	qsort(ids, n, sizeof(ids[0]), by_id);
	for (size_t i = 1; i < n; i++)
		if (strcmp(ids[i - 1].id, ids[i].id) == 0)
			return eif_fail(err, EIF_E_FORMAT, "sbom: %s lines %u and %u: the same "
					"package (SPDX id %s); keep one line per NAME:ARCH "
					"(scripts/toolchain-lock writes the lock)", lock_path,
					ids[i - 1].line, ids[i].line, ids[i].id);
	return EIF_OK;
}

/* Every .deb of a toolchain lock (configs/toolchain.lock; NAME VERSION ARCH SHA256 POOL-PATH,
 * blank-separated, '#' up to the end of the line a comment, a last line without its newline
 * read as awk reads it) as the package NAME:ARCH, BUILD_TOOL_OF each output made in its root.
 * lock holds len bytes and a NUL. */
static enum eif_status toolchain_packages(struct doc *d, char *lock, size_t len,
					  const char *lock_path, enum eif_arch arch,
					  struct eif_error *err)
{
	static const char format[] = "NAME VERSION ARCH SHA256 POOL-PATH";
	struct json_buf id = { 0 }, all_ids = { 0 };
	struct toolchain_id *ids = NULL;
	size_t count = 0, cap = 0;
	const char *label = lock_label(lock_path);
	enum eif_status rc = EIF_OK;
	unsigned line_no = 0;
	char *end = lock + len, *next;

	for (char *line = lock; rc == EIF_OK && line < end; line = next) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *f[5], *p;
		struct toolchain_id *grown;
		size_t n = 0;

		next = nl ? nl + 1 : end;
		*(nl ? nl : end) = '\0';
		line_no++;
		if (strlen(line) != (size_t)((nl ? nl : end) - line)) {
			rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u holds a NUL byte; a "
				      "toolchain lock is text (%s lines)", lock_path, line_no, format);
			break;
		}
		if ((p = strchr(line, '#')))
			*p = '\0';
		for (p = line; *(p += strspn(p, " \t")); n++) {
			if (n < 5)
				f[n] = p;
			p += strcspn(p, " \t");
			if (*p)
				*p++ = '\0';
		}
		if (n == 0)
			continue;
		if (n != 5) {
			rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: %zu fields, not the 5 of "
				      "%s; write the lock with scripts/toolchain-lock", lock_path,
				      line_no, n, format);
			break;
		}
		if (strlen(f[3]) != 64 || strspn(f[3], "0123456789abcdef") != 64) {
			rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s line %u: the SHA256 field of %s "
				      "is not 64 lowercase hex digits", lock_path, line_no, f[0]);
			break;
		}
		rc = deb_package(d, &id, "SPDXRef-Toolchain-", f[0], strlen(f[0]), f[2], strlen(f[2]),
				 f[1], f[3], label, f[4], "the toolchain root the kernel, its "
				 ".config, nsm.ko and init were built in", err);
		if (rc != EIF_OK)
			break;
		for (size_t i = 0; i < sizeof(root_outputs) / sizeof(root_outputs[0]); i++)
			relate(d, id.data, "BUILD_TOOL_OF", output_of(root_outputs[i], arch)->id);
		if (!(grown = eif_array_grow(ids, &cap, count + 1, sizeof(ids[0])))) {
			rc = sbom_no_memory(err);
			break;
		}
		ids = grown;
		ids[count++] = (struct toolchain_id){ .at = all_ids.len, .line = line_no };
		json_buf_append(&all_ids, id.data, id.len + 1);	/* with its NUL */
	}
	if (rc == EIF_OK && all_ids.failed)
		rc = sbom_no_memory(err);
	if (rc == EIF_OK && count == 0)
		rc = eif_fail(err, EIF_E_FORMAT, "sbom: %s pins no package; write it with "
			      "scripts/toolchain-lock", lock_path);
	if (rc == EIF_OK)
		rc = toolchain_unique(ids, count, all_ids.data, lock_path, err);
	free(id.data);
	free(all_ids.data);
	free(ids);
	return rc;
}

static void write_relations(struct doc *d)
{
	json_buf_puts(&d->b, "\n  ],\n  \"relationships\": [\n    {\"spdxElementId\": "
		      "\"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", "
		      "\"relatedSpdxElement\": \"SPDXRef-File-enclave.eif\"}");
	json_buf_append(&d->b, d->relations.data ? d->relations.data : "", d->relations.len);
	json_buf_puts(&d->b, "\n  ]\n}\n");
}

enum eif_status eif_sbom_write(const struct eif_sbom_input *in, char **text, struct eif_error *err)
{
	enum { N = sizeof(outputs) / sizeof(outputs[0]), USER = 5, EIF = 6 };
	struct doc d = { .sep = "" };
	struct json_buf kernel_id = { 0 }, own = { 0 };
	char sha1[N][41], sha256[N][65], app[65], path[4096];
	unsigned char *lock[EIF_SBOM_LOCKS_MAX] = { NULL }, *record = NULL, *toolchain = NULL;
	size_t lock_len, record_len, toolchain_len = 0;
	const char *app_what;
	enum eif_status rc = EIF_OK;
	bool kernel_found = false;

	*text = NULL;
	if ((unsigned)in->arch >= sizeof(kernel_images) / sizeof(kernel_images[0]))
		return eif_fail(err, EIF_E_USAGE, "sbom: architecture %d is not x86_64 or aarch64",
				(int)in->arch);
	if (in->lock_count == 0 || in->lock_count > EIF_SBOM_LOCKS_MAX)
		return eif_fail(err, EIF_E_USAGE, "sbom: %zu lock files; give 1 to %d",
				in->lock_count, EIF_SBOM_LOCKS_MAX);
	for (size_t i = 0; rc == EIF_OK && i < N; i++) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", in->out_dir, output_of(i, in->arch)->path);
		rc = stat(path, &st) != 0 || !S_ISREG(st.st_mode) ?
		     eif_fail(err, EIF_E_USAGE, "sbom: %s is missing; run make first", path) :
		     sbom_file_digests(path, sha1[i], sha256[i], err);
	}
	for (size_t i = 0; rc == EIF_OK && i < in->lock_count; i++)
		rc = eif_read_small_file(in->lock_paths[i], "lock file", 16u << 20, &lock[i],
					 &lock_len, err);
	if (rc == EIF_OK && in->toolchain_lock_path)
		rc = eif_read_small_file(in->toolchain_lock_path, "toolchain lock", 16u << 20,
					 &toolchain, &toolchain_len, err);
	if (rc == EIF_OK && in->record_path)
		rc = eif_read_small_file(in->record_path, "record", 1u << 30, &record, &record_len, err);
	if (rc == EIF_OK)
		rc = sbom_app_hash(in->app, (char *)record, sha256[USER], app, &app_what, err);
	if (rc != EIF_OK)
		goto out;
	json_buf_puts(&d.b, "{\n  \"spdxVersion\": \"SPDX-2.3\",\n  \"dataLicense\": \"CC0-1.0\",\n"
		      "  \"SPDXID\": \"SPDXRef-DOCUMENT\",\n  \"name\": \"enclave-kit ");
	json_buf_puts(&d.b, in->version);
	json_buf_puts(&d.b, " enclave image\",\n  \"documentNamespace\": "
		      "\"https://spdx.org/spdxdocs/enclave-kit-");
	json_buf_puts(&d.b, sha256[EIF]);
	json_buf_puts(&d.b, "\",\n  \"creationInfo\": {\"created\": \"");
	json_buf_puts(&d.b, in->created);
	json_buf_puts(&d.b, "\", \"creators\": [\"Tool: enclave-kit-");
	json_buf_puts(&d.b, in->version);
	json_buf_puts(&d.b, "\"]},\n  \"documentDescribes\": [\"SPDXRef-File-enclave.eif\"],\n"
		      "  \"packages\": [");
	json_buf_puts(&own, "our own sources at git commit ");
	json_buf_puts(&own, in->commit);
	json_buf_puts(&own, in->dirty ? " (with uncommitted changes)" : "");
	json_buf_puts(&own, ": kernel/ configs/ nsm/ init/ eif/ cbor/");
	json_buf_append(&own, "", 0);
	if (own.failed) {
		rc = sbom_no_memory(err);
		goto out;
	}
	package(&d, "SPDXRef-Package-enclave-kit", "enclave-kit", in->commit, "-",
		"Organization: enclave-kit", own.data);
	package(&d, "SPDXRef-Package-application", "application", app, app, "NOASSERTION",
		app_what);
	for (size_t i = 0; rc == EIF_OK && i < in->lock_count; i++)
		rc = lock_packages(&d, (char *)lock[i], in->lock_paths[i], &kernel_id, &kernel_found,
				   err);
	if (rc == EIF_OK && toolchain)
		rc = toolchain_packages(&d, (char *)toolchain, toolchain_len,
					in->toolchain_lock_path, in->arch, err);
	if (rc != EIF_OK)
		goto out;
	if (!kernel_found)
		spdx_id(&kernel_id, "");
	json_buf_append(&kernel_id, "", 0);
	json_buf_puts(&d.b, "\n  ],\n  \"files\": [");
	d.sep = "";
	for (size_t i = 0; i < N; i++) {
		const struct output *o = output_of(i, in->arch);

		file_entry(&d, o->id, o->path, sha1[i], sha256[i], o->comment);
	}
	chain_relations(&d, kernel_id.data, in->arch);
	write_relations(&d);
	json_buf_append(&d.b, "", 0);
	if (d.b.failed || d.relations.failed || kernel_id.failed) {
		rc = sbom_no_memory(err);
		goto out;
	}
	*text = d.b.data;
	d.b.data = NULL;
out:
	free(d.b.data);
	free(d.relations.data);
	free(kernel_id.data);
	free(own.data);
	for (size_t i = 0; i < EIF_SBOM_LOCKS_MAX; i++)
		free(lock[i]);
	free(record);
	free(toolchain);
	return rc;
}
