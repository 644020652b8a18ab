/* Deterministic newc writer: checking the whole set before anything is written (see
 * cpio.h). */
#include "cpio_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- checking the set ---- */

static int compare_names(const void *x, const void *y)
{
	const struct cpio_entry *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	if (a->implied != b->implied)
		return a->implied ? 1 : -1; /* a declared entry beats an implied directory */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int compare_host_identity(const void *x, const void *y)
{
	const struct cpio_entry *a = *(struct cpio_entry *const *)x;
	const struct cpio_entry *b = *(struct cpio_entry *const *)y;

	if (a->host_dev != b->host_dev)
		return a->host_dev < b->host_dev ? -1 : 1;
	if (a->host_ino != b->host_ino)
		return a->host_ino < b->host_ino ? -1 : 1;
	return 0;
}

/* Sorted: merge implied directories into declared ones, refuse real duplicates. */
static enum eif_status merge_duplicates(struct cpio_archive *a, struct eif_error *err)
{
	char first[700], second[700], name[CPIO_SHOWN_BUF];
	size_t kept = 0;

	for (size_t i = 0; i < a->entry_count; i++) {
		struct cpio_entry *e = &a->entries[i];
		struct cpio_entry *k = kept ? &a->entries[kept - 1] : NULL;

		if (!k || strcmp(k->name, e->name) != 0) {
			a->entries[kept++] = *e;
			continue;
		}
		if (!e->implied)
			return eif_fail(err, EIF_E_USAGE, "'%s' comes from %s and again from %s; an "
					"archive holds each name once, remove one of them", shown(e->name, name),
					cpio_origin(a, k, first, sizeof(first)),
					cpio_origin(a, e, second, sizeof(second)));
		if (!S_ISDIR(k->mode))
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s is a %s, but %s needs it to be "
					"a directory; rename one of them", shown(e->name, name),
					cpio_origin(a, k, first, sizeof(first)),
					cpio_type_name(k->mode), cpio_origin(a, e, second,
									    sizeof(second)));
	}
	a->entry_count = kept;
	return EIF_OK;
}

/* Every parent must be a directory in the archive (else an unpacker could follow a symlink). */
static enum eif_status check_parents(struct cpio_archive *a, struct eif_error *err)
{
	char first[700], second[700], name[CPIO_SHOWN_BUF], parent_name[CPIO_SHOWN_BUF];

	for (size_t i = 0; i < a->entry_count; i++) {
		const struct cpio_entry *e = &a->entries[i], *parent = NULL;
		const char *slash = strrchr(e->name, '/');
		size_t lo = 0, hi = i, len;

		if (!slash)
			continue;
		len = (size_t)(slash - e->name);
		while (lo < hi) { /* the parent sorts before e */
			size_t mid = lo + (hi - lo) / 2;
			const struct cpio_entry *m = &a->entries[mid];
			int c = strncmp(m->name, e->name, len);
			if (c == 0)
				c = m->name_len == len ? 0 : 1;
			if (c == 0) {
				parent = m;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!parent)
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s has no parent directory in "
					"the archive; declare it with a dir line", shown(e->name, name),
					cpio_origin(a, e, first, sizeof(first)));
		if (!S_ISDIR(parent->mode))
			return eif_fail(err, EIF_E_USAGE, "'%s' from %s is inside '%s', which %s makes "
					"a %s, not a directory; an unpacker could follow it out of "
					"the root, so rename one of them", shown(e->name, name),
					cpio_origin(a, e, first, sizeof(first)),
					shown(parent->name, parent_name),
					cpio_origin(a, parent, second, sizeof(second)),
					cpio_type_name(parent->mode));
	}
	return EIF_OK;
}

/* Tree files sharing a host inode become one hard-link group. */
static enum eif_status group_tree_links(struct cpio_archive *a, struct eif_error *err)
{
	struct cpio_entry **files = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < a->entry_count; i++) {
		struct cpio_entry *e = &a->entries[i], **grown;

		if (a->inputs[e->input].kind != INPUT_TREE || !S_ISREG(e->mode))
			continue;
		if (!(grown = eif_array_grow(files, &cap, n + 1, sizeof(*files)))) {
			free(files);
			return out_of_memory(err);
		}
		files = grown;
		files[n++] = e;
	}
	if (n > 1)
		qsort(files, n, sizeof(*files), compare_host_identity);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && compare_host_identity(&files[i], &files[j]) == 0)
			j++;
		if (j - i > 1) {
			size_t group = j - i > UINT32_MAX ? 0 : cpio_group_add(a, (uint32_t)(j - i));

			if (!group) {
				free(files);
				return out_of_memory(err);
			}
			for (size_t k = i; k < j; k++)
				files[k]->group = group;
		}
		i = j;
	}
	free(files);
	return EIF_OK;
}

enum eif_status cpio_check_set(struct cpio_archive *a, struct eif_error *err)
{
	enum eif_status rc;

	if (a->entry_count > 1)
		qsort(a->entries, a->entry_count, sizeof(*a->entries), compare_names);
	if ((rc = merge_duplicates(a, err)) != EIF_OK || (rc = check_parents(a, err)) != EIF_OK ||
	    (rc = group_tree_links(a, err)) != EIF_OK)
		return rc;
	return EIF_OK;
}
