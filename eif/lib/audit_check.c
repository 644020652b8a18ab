/* eif audit: the checks of each section and of every ramdisk entry (see audit.h). */
#include "audit_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cpio_read.h"
#include <eif/sign.h>

/* ---- sections ------------------------------------------------------------------------ */

/* Compare a section with the manifest's record for its index. */
void audit_match_section(struct audit *a, size_t it, unsigned index, const char *kind,
			 uint64_t size)
{
	const struct prov_section *ps = &a->m->sections[index];
	const char *sha = it == SIZE_MAX ? "" : a->r->items[it].sha256;

	if (!ps->present) {
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "the manifest has no section %u: no build step "
			   "claims these bytes", index);
		return;
	}
	a->section_seen[index] = 1;
	if (it != SIZE_MAX && !a->r->items[it].step) /* a signer record, more precise, wins */
		audit_set_source(a, it, ps->step, ps->input);
	if (strcmp(ps->kind, kind) != 0)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "the manifest says section %u is the %s", index,
			   ps->kind);
	if (ps->has_size && ps->size != size)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "%llu bytes, the manifest says %llu",
			   (unsigned long long)size, (unsigned long long)ps->size);
	if (ps->sha256[0] && strcmp(ps->sha256, sha) != 0)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "sha256 differs from the manifest's %s (rebuilt "
			   "since, or altered)", ps->sha256);
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

void audit_check_kernel(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	if (a->info->header.flags & EIF_FLAG_ARM64) {
		if (len >= 0x40 && memcmp(d + 0x38, "ARM\x64", 4) == 0)
			audit_note(a, it, EIF_AUDIT_OK, "arm64 Image");
		else
			audit_note(a, it, EIF_AUDIT_OK, "no arm64 Image magic at 0x38");
	} else if (len >= 0x208 && memcmp(d + 0x202, "HdrS", 4) == 0) {
		audit_note(a, it, EIF_AUDIT_OK, "bzImage, x86 boot protocol %u.%02u",
			   le16(d + 0x206) >> 8, le16(d + 0x206) & 0xff);
	} else {
		audit_note(a, it, EIF_AUDIT_OK, "no x86 boot header ('HdrS' at 0x202): not a bzImage");
	}
}

void audit_check_cmdline(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	char shown[300];

	if (memchr(d, 0, len)) {
		audit_note(a, it, EIF_AUDIT_CORRUPT, "the command line holds a NUL byte, which ends it "
			   "for the kernel; the bytes after it are never used");
		return;
	}
	audit_printable((const char *)d, len > 256 ? 256 : len, shown, sizeof(shown));
	audit_note(a, it, EIF_AUDIT_OK, "'%s%s'", shown, len > 256 ? "..." : "");
}

static const char *const top_metadata_keys[] = { "ImageName", "ImageVersion", "BuildMetadata",
						 "DockerInfo", "CustomMetadata" };

static int in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

/* The metadata as eif build serializes it: compact, members in this key order, with
 * BuildMetadata's own members in theirs. */
static void canonical_metadata(const struct json_value *obj, const char *const *keys, size_t n,
			       struct json_buf *b)
{
	json_buf_puts(b, "{");
	for (size_t i = 0; i < n; i++) {
		const struct json_value *v = json_object_get(obj, keys[i]);

		json_buf_puts(b, i ? "," : "");
		json_buf_string(b, keys[i], strlen(keys[i]));
		json_buf_puts(b, ":");
		if (strcmp(keys[i], "BuildMetadata") == 0)
			canonical_metadata(v, eif_build_metadata_keys, EIF_BUILD_METADATA_KEYS, b);
		else
			json_write(b, v, -1);
	}
	json_buf_puts(b, "}");
}

/* Keys, types and exact bytes; returns 0 when the required keys are all there. */
static int check_metadata_shape(struct audit *a, size_t it, const struct json_value *v,
				const unsigned char *d, size_t len)
{
	const struct json_value *bm = json_object_get(v, "BuildMetadata"), *s;
	int missing = 0;

	for (size_t i = 0; i < COUNT(top_metadata_keys); i++)
		if (!json_object_get(v, top_metadata_keys[i])) {
			audit_note(a, it, EIF_AUDIT_CORRUPT, "key %s is missing (AWS tools refuse such "
				   "metadata)", top_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; bm && i < EIF_BUILD_METADATA_KEYS; i++)
		if (bm->type != JSON_OBJECT || !(s = json_object_get(bm, eif_build_metadata_keys[i])) ||
		    s->type != JSON_STRING) {
			audit_note(a, it, EIF_AUDIT_CORRUPT, "BuildMetadata.%s is missing or not a string",
				   eif_build_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; i < 2; i++)
		if ((s = json_object_get(v, top_metadata_keys[i])) && s->type != JSON_STRING) {
			audit_note(a, it, EIF_AUDIT_CORRUPT, "%s is not a string", top_metadata_keys[i]);
			missing = 1;
		}
	for (size_t i = 0; i < v->count; i++)
		if (!in_list(v->keys[i], top_metadata_keys, COUNT(top_metadata_keys)))
			audit_note(a, it, EIF_AUDIT_UNKNOWN, "key '%s' is not one eif build writes",
				   v->keys[i]);
	for (size_t i = 0; bm && bm->type == JSON_OBJECT && i < bm->count; i++)
		if (!in_list(bm->keys[i], eif_build_metadata_keys, EIF_BUILD_METADATA_KEYS))
			audit_note(a, it, EIF_AUDIT_UNKNOWN, "key 'BuildMetadata.%s' is not one eif build "
				   "writes", bm->keys[i]);
	if (!missing) {
		struct json_buf b = { 0 };

		canonical_metadata(v, top_metadata_keys, COUNT(top_metadata_keys), &b);
		if (b.failed)
			a->nomem = 1;
		else if (b.len != len || memcmp(b.data, d, len) != 0)
			audit_note(a, it, EIF_AUDIT_UNKNOWN, "the bytes are not the compact serialization "
				   "eif build writes (spacing, key order or escapes differ)");
		free(b.data);
	}
	return missing ? -1 : 0;
}

void audit_check_metadata(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	static const char *const shown_keys[] = { "ImageName", "ImageVersion", "BuildTime",
						  "KernelVersion" };
	const struct json_value *s;
	struct json_value v;
	struct eif_error e;
	char shown[200];

	memset(&v, 0, sizeof(v));
	if (json_parse(d, len, "metadata section", &v, &e) != EIF_OK) {
		audit_note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		return;
	}
	if (v.type != JSON_OBJECT) {
		audit_note(a, it, EIF_AUDIT_CORRUPT, "the metadata is not a JSON object");
		json_free(&v);
		return;
	}
	if (check_metadata_shape(a, it, &v, d, len) == 0)
		for (size_t i = 0; i < COUNT(shown_keys); i++) {
			if (!(s = eif_metadata_string(&v, shown_keys[i])))
				continue; /* the shape check has reported it */
			audit_printable(s->text, s->len > 120 ? 120 : s->len, shown, sizeof(shown));
			audit_note(a, it, EIF_AUDIT_OK, "%s '%s'", shown_keys[i], shown);
		}
	for (size_t i = 0; i < a->m->metadata_count; i++) {
		const struct prov_metadata *pm = &a->m->metadata[i];

		s = eif_metadata_string(&v, pm->key);
		if (!s) {
			audit_note(a, it, EIF_AUDIT_MISMATCH, "the manifest pins %s, which the metadata "
				   "lacks or holds as a non-string", pm->key);
		} else if (s->len != strlen(pm->value) || memcmp(s->text, pm->value, s->len) != 0) {
			audit_printable(s->text, s->len > 120 ? 120 : s->len, shown, sizeof(shown));
			audit_note(a, it, EIF_AUDIT_MISMATCH, "%s is '%s', the manifest says '%s'",
				   pm->key, shown, pm->value);
		}
	}
	json_free(&v);
}

void audit_check_signature(struct audit *a, size_t it, const unsigned char *d, size_t len)
{
	enum eif_signature_result result;
	char fingerprint[2 * EIF_PCR_SIZE + 1];
	struct eif_cert_info info;
	const char *name = NULL;
	struct eif_error e;

	memset(&info, 0, sizeof(info));
	if (eif_signature_cert_info(d, len, &info, &e) != EIF_OK) {
		audit_note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		return;
	}
	eif_hex(info.fingerprint, EIF_PCR_SIZE, fingerprint);
	for (size_t i = 0; i < info.issuer_count; i++)
		if (strcmp(info.issuer[i].name, "commonName") == 0)
			name = info.issuer[i].value;
	audit_note(a, it, EIF_AUDIT_OK, "certificate issued by CN '%s', SHA-384 fingerprint %s, valid "
		   "%s to %s", name ? name : "(none)", fingerprint, info.not_before, info.not_after);
	eif_cert_info_free(&info);
	result = eif_signature_verify(d, len, a->info->pcrs.pcr0, &e);
	if (result == EIF_SIGNATURE_CORRUPT)
		audit_note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
	else if (result != EIF_SIGNATURE_VALID)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "%s", e.msg);
	else
		audit_note(a, it, EIF_AUDIT_OK, "the COSE signature over PCR0 verifies");
	for (size_t i = 0; i < a->m->signer_count; i++)
		if (strcmp(a->m->signers[i].sha384, fingerprint) == 0) {
			audit_set_source(a, it, a->m->signers[i].step, a->m->signers[i].input);
			return;
		}
	audit_note(a, it, EIF_AUDIT_UNKNOWN, "the manifest allows no signer with this fingerprint "
		   "(run scripts/provenance with CERT=the certificate)");
}


/* ---- ramdisks ------------------------------------------------------------------------ */

static const struct prov_entry *find_prov_entry(const struct eif_provenance *m,
						unsigned ramdisk, const char *name)
{
	struct prov_entry key = { .ramdisk = ramdisk, .name = name };

	if (!m->entry_count)
		return NULL;
	return bsearch(&key, m->entries, m->entry_count, sizeof(key), audit_prov_compare);
}

/* A ramdisk's entries as stored and as the kernel leaves their names at boot. */
struct ramdisk_view {
	const struct cpio_read_entry *entries;
	const struct cpio_boot_view *boot;
};

static void describe_entry(struct audit *a, size_t it, const struct ramdisk_view *rv, size_t i)
{
	const struct cpio_read_entry *e = &rv->entries[i];
	const struct cpio_boot_view *b = &rv->boot[i];
	char target[CPIO_READ_PATH_MAX * 4 + 1];

	if (S_ISLNK(e->mode)) {
		audit_printable((const char *)b->body, b->size, target, sizeof(target));
		audit_note(a, it, EIF_AUDIT_OK, "symlink -> %s", target);
	} else if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		audit_note(a, it, EIF_AUDIT_OK, "%s %04o %u:%u, device %u:%u", audit_entry_kind_name(e->mode),
				 b->mode & 07777, b->uid, b->gid, b->rdev_major, b->rdev_minor);
	} else if (S_ISREG(e->mode)) {
		audit_note(a, it, EIF_AUDIT_OK, "file %04o %u:%u, %llu bytes", b->mode & 07777, b->uid,
			   b->gid, (unsigned long long)b->size);
	} else {
		audit_note(a, it, EIF_AUDIT_OK, "%s %04o %u:%u", audit_entry_kind_name(e->mode),
				 b->mode & 07777, b->uid, b->gid);
	}
	if (b->names < 2)
		return;
	audit_printable(rv->entries[b->inode].name, rv->entries[b->inode].name_len, target,
			sizeof(target));
	audit_note(a, it, EIF_AUDIT_OK, "one of %zu hard links to the inode first made as '%s'",
		   b->names, target);
	if (b->data_from != i && (e->filesize != 0 || b->size != 0)) {
		audit_printable(rv->entries[b->data_from].name, rv->entries[b->data_from].name_len,
				target, sizeof(target));
		audit_note(a, it, EIF_AUDIT_OK, "%s at boot: the %u bytes stored with '%s'",
			   e->filesize ? "its own data is overwritten" : "its data",
			   b->size, target);
	}
	if (b->attrs_from != i && (b->mode != e->mode || b->uid != e->uid || b->gid != e->gid ||
				   b->rdev_major != e->rdev_major ||
				   b->rdev_minor != e->rdev_minor)) {
		audit_printable(rv->entries[b->attrs_from].name, rv->entries[b->attrs_from].name_len,
				target, sizeof(target));
		audit_note(a, it, EIF_AUDIT_OK, "its header says %04o %u:%u, device %u:%u; at boot it "
			   "has those of '%s'", e->mode & 07777, e->uid, e->gid, e->rdev_major,
			   e->rdev_minor, target);
	}
}

static void match_entry(struct audit *a, size_t it, unsigned ramdisk,
			const struct ramdisk_view *rv, size_t i)
{
	const struct cpio_read_entry *e = &rv->entries[i];
	const struct cpio_boot_view *b = &rv->boot[i];
	const struct prov_entry *pe = find_prov_entry(a->m, ramdisk, e->name);
	const char *sha = it == SIZE_MAX ? "" : a->r->items[it].sha256;
	size_t index;

	if (!pe) {
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "not in the manifest: no build step claims this "
			   "entry");
		return;
	}
	index = (size_t)(pe - a->m->entries);
	if (a->entry_used[index]) {
		audit_note(a, it, EIF_AUDIT_UNKNOWN, "a second entry with this name (at boot it replaces "
			   "the first); the manifest accounts for one");
		return;
	}
	a->entry_used[index] = 1;
	audit_set_source(a, it, pe->step, pe->input);
	if ((e->mode & S_IFMT) != pe->type) {
		audit_note(a, it, EIF_AUDIT_MISMATCH, "a %s, the manifest says %s",
			   audit_entry_kind_name(e->mode), audit_entry_kind_name(pe->type));
		return;
	}
	if ((b->mode & 07777) != pe->mode)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "mode %04o, the manifest says %04o", b->mode & 07777,
			   pe->mode);
	if (b->uid != pe->uid || b->gid != pe->gid)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "owner %u:%u, the manifest says %u:%u", b->uid,
			   b->gid, pe->uid, pe->gid);
	if ((S_ISREG(e->mode) || S_ISLNK(e->mode)) && b->size != pe->size)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "%llu bytes, the manifest says %llu",
			   (unsigned long long)b->size, (unsigned long long)pe->size);
	if (pe->sha256[0] && strcmp(sha, pe->sha256) != 0)
		audit_note(a, it, EIF_AUDIT_MISMATCH, "sha256 differs from the manifest's %s",
			   pe->sha256);
	if (S_ISCHR(e->mode) || S_ISBLK(e->mode)) {
		char rdev[32];

		snprintf(rdev, sizeof(rdev), "%u:%u", b->rdev_major, b->rdev_minor);
		if (strcmp(rdev, pe->target) != 0)
			audit_note(a, it, EIF_AUDIT_MISMATCH, "device %s, the manifest says %s", rdev,
				   pe->target);
	}
}

/* Read every entry first (hard links need the whole archive), then report them in order,
 * each with what its name holds at boot. */
void audit_check_ramdisk(struct audit *a, size_t section_item, unsigned ramdisk,
			 uint64_t data_offset, const unsigned char *d, size_t len)
{
	struct cpio_read_entry *v = NULL, *nv;
	struct cpio_boot_view *boot = NULL;
	size_t n = 0, cap = 0, it;
	struct cpio_reader r;
	struct eif_error e, link_err;
	enum eif_status rc;
	uint64_t structure;
	int end = 0;

	if (a->initrd_length & 3)
		audit_note(a, section_item, EIF_AUDIT_CORRUPT, "the loader places this ramdisk at initrd "
			   "offset %llu, not a multiple of 4, so the kernel would not unpack it; "
			   "pad the previous ramdisk to a multiple of 4 bytes",
			   (unsigned long long)a->initrd_length);
	cpio_reader_init(&r, d, len);
	for (;;) {
		struct cpio_read_entry entry;

		if ((rc = cpio_read_next(&r, &entry, &end, &e)) != EIF_OK || end)
			break;
		if (!(nv = eif_array_grow(v, &cap, n + 1, sizeof(*nv)))) {
			a->nomem = 1;
			free(v);
			return;
		}
		v = nv;
		v[n++] = entry;
	}
	if (n && (!(boot = malloc(n * sizeof(*boot))) ||
		  cpio_read_links(v, n, boot, &link_err) != EIF_OK))
		a->nomem = 1;
	for (size_t i = 0; i < n && !a->nomem; i++) {
		const struct ramdisk_view rv = { v, boot };
		char shown[CPIO_READ_PATH_MAX * 4 + 1];

		audit_printable(v[i].name, v[i].name_len, shown, sizeof(shown));
		it = audit_item_add(a, EIF_AUDIT_OK, data_offset + v[i].offset, v[i].length,
				    "ramdisk %u %s", ramdisk, shown);
		if (S_ISREG(v[i].mode) || S_ISLNK(v[i].mode))
			audit_set_sha256(a, it, boot[i].body, boot[i].size);
		describe_entry(a, it, &rv, i);
		match_entry(a, it, ramdisk, &rv, i);
	}
	free(boot);
	free(v);
	structure = r.totals.trailer_bytes + r.totals.gap_bytes;
	if (rc != EIF_OK) {
		a->ramdisk_damaged[ramdisk] = 1;
		/* Trailers and padding before the failure are structure already read. */
		if (structure)
			audit_item_add(a, EIF_AUDIT_OK, data_offset, structure,
				       "ramdisk %u cpio trailers and padding before the damage", ramdisk);
		it = audit_item_add(a, EIF_AUDIT_CORRUPT, data_offset + r.pos, len - r.pos,
				    "ramdisk %u bytes %zu..%zu", ramdisk, r.pos, len);
		audit_note(a, it, EIF_AUDIT_CORRUPT, "%s", e.msg);
		audit_set_sha256(a, it, d + r.pos, len - r.pos);
		return;
	}
	audit_note(a, section_item, EIF_AUDIT_OK, "%llu entries in %llu newc archive%s",
		   (unsigned long long)r.totals.entries, (unsigned long long)r.totals.archives,
		   r.totals.archives == 1 ? "" : "s");
	it = audit_item_add(a, EIF_AUDIT_OK, data_offset + len - structure, structure,
			    "ramdisk %u cpio trailer and padding", ramdisk);
	if (r.totals.entry_bytes + structure != len)
		audit_note(a, it, EIF_AUDIT_CORRUPT, "entries (%llu bytes) and structure (%llu bytes) do "
			   "not add up to the section's %zu bytes", (unsigned long long)r.totals.entry_bytes,
			   (unsigned long long)structure, len);
	else
		audit_note(a, it, EIF_AUDIT_OK, "TRAILER!!! entries and NUL padding");
}
