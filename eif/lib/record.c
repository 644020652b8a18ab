/* record: provenance records from the writers (see record.h). */
#include <eif/record.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json.h"
#include "util.h"

enum eif_status eif_record_open(struct eif_record *r, const char *path, struct eif_error *err)
{
	*r = (struct eif_record){ .path = path, .out = calloc(1, sizeof(*r->out)) };
	if (!r->out)
		return eif_fail(err, EIF_E_NOMEM, "record '%s': out of memory", path);
	r->out->fd = -1;
	return eif_outfile_open(r->out, path, err);
}

enum eif_status eif_record_line(struct eif_record *r, const char *const *fields, size_t n,
				struct eif_error *err)
{
	struct json_buf line = { 0 };
	enum eif_status rc;

	for (size_t i = 0; i < n; i++) {
		for (const unsigned char *p = (const unsigned char *)fields[i]; *p; p++)
			if (*p < 0x20 || *p == 0x7f) {
				char shown[256];
				size_t k = 0;

				for (const char *q = fields[i]; *q && k < sizeof(shown) - 1; q++)
					shown[k++] = (unsigned char)*q < 0x20 || *q == 0x7f ? '?' : *q;
				shown[k] = '\0';
				free(line.data);
				return eif_fail(err, EIF_E_USAGE, "--record '%s': '%s': a name or link "
						"target with a control character cannot be recorded; "
						"rename it", r->path, shown);
			}
		json_buf_puts(&line, i ? "\t" : "");
		json_buf_puts(&line, fields[i]);
	}
	json_buf_puts(&line, "\n");
	rc = line.failed ? eif_fail(err, EIF_E_NOMEM, "--record '%s': out of memory", r->path) :
	     eif_outfile_write(r->out, line.data, line.len, err);
	free(line.data);
	return rc;
}

const char *eif_record_kind(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFIFO: return "fifo";
	default: return "socket";
	}
}

enum eif_status eif_record_cpio_entry(void *ctx, const struct cpio_entry_info *e,
				      struct eif_error *err)
{
	static const char *const origins[] = {
		[CPIO_FROM_TREE] = "dir", [CPIO_FROM_LIST] = "list",
		[CPIO_FROM_MEMORY] = "image", [CPIO_IMPLIED] = "implied",
	};
	struct eif_record *r = ctx;
	char mode[8], owner[24], size[24], sha[65] = "-", target[24];
	const char *fields[11];

	if (e->sha256)
		eif_hex(e->sha256, 32, sha);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)e->size);
	if (!e->name) {
		char line[128];

		snprintf(line, sizeof(line), "# archive\t%s\t%s\n", size, sha);
		return eif_outfile_write(r->out, line, strlen(line), err);
	}
	snprintf(mode, sizeof(mode), "%04o", (unsigned)(e->mode & 07777));
	snprintf(owner, sizeof(owner), "%u:%u", (unsigned)e->uid, (unsigned)e->gid);
	snprintf(target, sizeof(target), "%u:%u", (unsigned)e->rdev_major, (unsigned)e->rdev_minor);
	fields[0] = "entry";
	fields[1] = "-";
	fields[2] = e->name;
	fields[3] = eif_record_kind(e->mode);
	fields[4] = mode;
	fields[5] = owner;
	fields[6] = size;
	fields[7] = sha;
	fields[8] = e->target ? e->target :
		    (S_ISCHR(e->mode) || S_ISBLK(e->mode)) ? target : "-";
	fields[9] = origins[e->origin];
	fields[10] = e->origin_path ? e->origin_path : "-";
	return eif_record_line(r, fields, 11, err);
}

enum eif_status eif_record_section(void *ctx, unsigned index, uint16_t type, uint64_t size,
				   const unsigned char *sha256, struct eif_error *err)
{
	char number[16], bytes[24] = "-", sha[65] = "-";
	const char *fields[] = { "section", number, eif_section_type_name(type), bytes, sha, "-", "-" };

	snprintf(number, sizeof(number), "%u", index);
	if (sha256) {
		snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)size);
		eif_hex(sha256, 32, sha);
	}
	return eif_record_line(ctx, fields, sizeof(fields) / sizeof(fields[0]), err);
}

enum eif_status eif_record_commit(struct eif_record *r, struct eif_error *err)
{
	enum eif_status rc = eif_outfile_commit(r->out, err);

	eif_record_abort(r); /* frees; nothing left to remove after a commit */
	return rc;
}

void eif_record_abort(struct eif_record *r)
{
	if (r->out) {
		eif_outfile_abort(r->out);
		free(r->out);
		r->out = NULL;
	}
}
