/* Container images, part 4: the merged tree. Each layer's tar members apply in order with the
 * image-spec rules written in oci.h (whiteouts, opaque directories, hard links across layers, a
 * later entry replacing an earlier one); names live in a hash table of (parent, name), metadata
 * in an arena, file data in the image's spool file. oci_image_flatten() then walks the tree
 * depth first into cpio entries of the user ramdisk (docs/boot-contract.md#the-user-ramdisk,
 * docs/reproducibility.md#ramdisks for the order and the fixed metadata). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci_internal.h"
#include "tar.h"
#include "util.h"

/* ---- the merged tree ---- */

struct inode {
	uint32_t mode, uid, gid, rdev_major, rdev_minor;
	uint32_t names;      /* tree names pointing here (hard links) */
	uint64_t size, data_offset;
	const char *target;  /* symlink */
	size_t link_group;   /* cpio group, once emitted */
};

struct node {
	struct node *parent, *child, *next, *prev; /* children: a doubly linked list */
	struct node *hash_next;
	const char *name;
	size_t name_len;
	struct inode *inode;
	uint32_t layer;      /* the layer that last set this name */
};

struct tree {
	struct oci_image *img;
	struct node root;
	struct inode root_inode;
	struct node **buckets;
	size_t bucket_count, node_count, entries_seen;
	struct eif_arena pool; /* nodes, inodes, names: never freed one by one */
	uint32_t layer;
	char where[360];    /* "oci:PATH layer 2" */
	/* A member's name and a hard link's target split into components (on the heap: the
	 * library may run on a small thread stack). */
	const char **parts, **link_parts;
	size_t *lens, *link_lens;
};

static void *pool_alloc(struct tree *t, size_t n)
{
	return eif_arena_alloc(&t->pool, n, 16);
}

static size_t hash_key(const struct node *parent, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 1099511628211ull;
	return (size_t)(h ^ h >> 29);
}

static struct node **bucket_of(struct tree *t, const struct node *parent, const char *name,
			       size_t len)
{
	return &t->buckets[hash_key(parent, name, len) & (t->bucket_count - 1)];
}

static struct node *find_child(struct tree *t, const struct node *parent, const char *name,
			       size_t len)
{
	for (struct node *n = *bucket_of(t, parent, name, len); n; n = n->hash_next)
		if (n->parent == parent && n->name_len == len && memcmp(n->name, name, len) == 0)
			return n;
	return NULL;
}

static bool grow_buckets(struct tree *t)
{
	size_t count = t->bucket_count ? t->bucket_count * 2 : 4096;
	struct node **old = t->buckets, **fresh = calloc(count, sizeof(*fresh));
	size_t old_count = t->bucket_count;

	if (!fresh)
		return false;
	t->buckets = fresh;
	t->bucket_count = count;
	for (size_t i = 0; i < old_count; i++) {
		for (struct node *n = old[i], *next; n; n = next) {
			struct node **b = bucket_of(t, n->parent, n->name, n->name_len);
			next = n->hash_next;
			n->hash_next = *b;
			*b = n;
		}
	}
	free(old);
	return true;
}

/* Unhook n and everything below it; their inodes lose a name. */
static void remove_subtree(struct tree *t, struct node *n)
{
	struct node *top = n, *parent = n->parent;

	if (n->prev)
		n->prev->next = n->next;
	else
		parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	/* Walk the subtree (the links inside it stay valid while it is walked). */
	while (n) {
		struct node **b = bucket_of(t, n->parent, n->name, n->name_len);

		while (*b != n)
			b = &(*b)->hash_next;
		*b = n->hash_next;
		n->inode->names--;
		t->node_count--;
		if (n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
}

static struct node *add_child(struct tree *t, struct node *parent, const char *name, size_t len,
			      struct inode *inode)
{
	struct node *n;
	struct node **b;
	char *copy;

	if (t->node_count >= t->bucket_count && !grow_buckets(t))
		return NULL;
	if (!(n = pool_alloc(t, sizeof(*n))) || !(copy = pool_alloc(t, len + 1)))
		return NULL;
	memcpy(copy, name, len);
	copy[len] = '\0';
	*n = (struct node){ .parent = parent, .name = copy, .name_len = len, .inode = inode,
			    .layer = t->layer, .next = parent->child };
	if (parent->child)
		parent->child->prev = n;
	parent->child = n;
	b = bucket_of(t, parent, name, len);
	n->hash_next = *b;
	*b = n;
	inode->names++;
	t->node_count++;
	return n;
}

static struct inode *new_inode(struct tree *t, uint32_t mode, uint32_t uid, uint32_t gid)
{
	struct inode *i = pool_alloc(t, sizeof(*i));

	if (i)
		*i = (struct inode){ .mode = mode, .uid = uid, .gid = gid };
	return i;
}

/* Split a member name into components, refusing absolute names and "..": an image's
 * entries stay below its root. Returns the number of components (0: the root itself). */
static enum eif_status split_name(struct tree *t, const char *name, uint64_t at, const char *what,
				  const char **parts, size_t *lens, size_t max, size_t *count,
				  struct eif_error *err)
{
	const char *p = name;

	*count = 0;
	if (name[0] == '/')
		return eif_fail(err, EIF_E_FORMAT, "%s: %s '%.200s' (tar byte %llu) is an absolute "
				"path; a layer holds relative names, so it is hostile or broken",
				t->where, what, name, (unsigned long long)at);
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return eif_fail(err, EIF_E_FORMAT, "%s: %s '%.200s' (tar byte %llu) has a '..' "
					"component and could leave the image root; the layer is hostile "
					"or broken", t->where, what, name, (unsigned long long)at);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (*count == max)
				return eif_fail(err, EIF_E_LIMIT, "%s: %s '%.200s' is nested too deep",
						t->where, what, name);
			parts[*count] = p;
			lens[(*count)++] = n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return EIF_OK;
}

#define MAX_DEPTH (CPIO_NAME_MAX / 2 + 1)

/* The directory that holds parts[0..count-1], implied directories (0755, root) made on the
 * way as an unpacker would; a non-directory on the way is refused (following a symlink
 * could leave the root). */
static enum eif_status parent_dir(struct tree *t, const char *name, const char **parts,
				  const size_t *lens, size_t count, bool create, struct node **out,
				  struct eif_error *err)
{
	struct node *dir = &t->root;

	*out = NULL;
	for (size_t i = 0; i + 1 < count; i++) {
		struct node *next = find_child(t, dir, parts[i], lens[i]);

		if (!next) {
			struct inode *ino;
			if (!create)
				return EIF_OK;
			if (!(ino = new_inode(t, S_IFDIR | 0755, 0, 0)) ||
			    !(next = add_child(t, dir, parts[i], lens[i], ino)))
				return oci_no_memory(err);
		} else if (!S_ISDIR(next->inode->mode)) {
			return eif_fail(err, EIF_E_FORMAT, "%s: '%.200s' lies below '%.*s', which is "
					"not a directory in the image; the layer is hostile or broken",
					t->where, name, (int)(parts[i] + lens[i] - name), name);
		}
		dir = next;
	}
	*out = dir;
	return EIF_OK;
}

static enum eif_status apply_whiteout(struct tree *t, const struct tar_member *m,
				      const char **parts, size_t *lens, size_t count,
				      struct eif_error *err)
{
	const char *base = parts[count - 1] + 4;
	size_t base_len = lens[count - 1] - 4;
	struct node *dir, *victim;
	enum eif_status rc;

	if ((rc = parent_dir(t, m->name, parts, lens, count, false, &dir, err)) != EIF_OK || !dir)
		return rc; /* nothing below a missing directory to delete */
	if (base_len == 8 && memcmp(base, ".wh..opq", 8) == 0) {
		/* Opaque: drop what lower layers put in dir, keep this layer's entries. */
		for (struct node *c = dir->child, *next; c; c = next) {
			next = c->next;
			if (c->layer < t->layer)
				remove_subtree(t, c);
		}
		return EIF_OK;
	}
	if (base_len == 0 || (base_len == 1 && base[0] == '.') ||
	    (base_len == 2 && base[0] == '.' && base[1] == '.'))
		return eif_fail(err, EIF_E_FORMAT, "%s: whiteout '%.200s' (tar byte %llu) names no "
				"entry inside the tree; the layer is hostile or broken", t->where,
				m->name, (unsigned long long)m->offset);
	if (base_len > 4 && memcmp(base, ".wh.", 4) == 0)
		return eif_fail(err, EIF_E_FORMAT, "%s: '%.200s' is an AUFS metadata entry, which "
				"OCI layers do not use; rebuild the layer", t->where, m->name);
	victim = find_child(t, dir, base, base_len);
	if (victim && victim->layer < t->layer) /* a whiteout hides lower layers only */
		remove_subtree(t, victim);
	return EIF_OK;
}

/* Copy the member's data into the spool. */
static enum eif_status spool_member(struct tree *t, struct tar_reader *r, struct inode *ino,
				    unsigned char *buf, struct eif_error *err)
{
	struct oci_image *img = t->img;
	uint64_t total = 0;
	enum eif_status rc;
	size_t got;

	ino->data_offset = img->spool_size;
	while ((rc = tar_read_data(r, buf, OCI_CHUNK, &got, err)) == EIF_OK && got) {
		if (eif_write_full(img->spool_fd, buf, got) != 0)
			return eif_fail_errno(err, "%s: cannot write the spool file (set TMPDIR to a "
					      "directory with room for the image's files)", t->where);
		total += got;
	}
	img->spool_size += total;
	ino->size = total;
	return rc;
}

static uint32_t type_bits(enum tar_type type)
{
	switch (type) {
	case TAR_DIRECTORY: return S_IFDIR;
	case TAR_SYMLINK: return S_IFLNK;
	case TAR_CHAR: return S_IFCHR;
	case TAR_BLOCK_DEV: return S_IFBLK;
	case TAR_FIFO: return S_IFIFO;
	default: return S_IFREG;
	}
}

static enum eif_status apply_member(struct tree *t, struct tar_reader *r,
				    const struct tar_member *m, unsigned char *buf,
				    struct eif_error *err)
{
	const char **parts = t->parts, **lparts = t->link_parts;
	size_t *lens = t->lens, *llens = t->link_lens, count, lcount;
	struct node *dir, *old, *n;
	struct inode *ino;
	enum eif_status rc;

	if (++t->entries_seen > OCI_ENTRIES_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: more than %u entries in the image's layers; "
				"the image is hostile or far too large for an enclave", t->where,
				OCI_ENTRIES_MAX);
	if (strlen(m->name) > CPIO_NAME_MAX)
		return eif_fail(err, EIF_E_LIMIT, "%s: member name of %zu bytes (tar byte %llu) is "
				"longer than the %u the kernel unpacker accepts; the layer is hostile "
				"or broken", t->where, strlen(m->name), (unsigned long long)m->offset,
				CPIO_NAME_MAX);
	if (m->size >= 0x100000000ull)
		return eif_fail(err, EIF_E_LIMIT, "%s: member '%.200s' (tar byte %llu) declares %llu "
				"bytes, but newc stores at most 4 GiB - 1 per file; leave it out of "
				"the image", t->where, m->name, (unsigned long long)m->offset,
				(unsigned long long)m->size);
	if ((rc = split_name(t, m->name, m->offset, "member", parts, lens, MAX_DEPTH, &count,
			     err)) != EIF_OK)
		return rc;
	if (count == 0) {
		if (m->type != TAR_DIRECTORY)
			return eif_fail(err, EIF_E_FORMAT, "%s: member '%.200s' names the image root "
					"but is not a directory; the layer is broken", t->where, m->name);
		return EIF_OK; /* the root's own mode is not used, as for a directory APP */
	}
	if (lens[count - 1] >= 4 && memcmp(parts[count - 1], ".wh.", 4) == 0)
		return apply_whiteout(t, m, parts, lens, count, err);
	if ((rc = parent_dir(t, m->name, parts, lens, count, true, &dir, err)) != EIF_OK)
		return rc;
	old = find_child(t, dir, parts[count - 1], lens[count - 1]);
	if (m->type == TAR_HARDLINK) {
		struct node *target = &t->root;

		if ((rc = split_name(t, m->linkname, m->offset, "hard link target", lparts, llens,
				     MAX_DEPTH, &lcount, err)) != EIF_OK)
			return rc;
		for (size_t i = 0; i < lcount && target; i++)
			target = S_ISDIR(target->inode->mode) ?
				 find_child(t, target, lparts[i], llens[i]) : NULL;
		if (!target || lcount == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: hard link '%.200s' (tar byte %llu) "
					"points to '%.200s', which is not present yet; the layer is "
					"hostile or broken", t->where, m->name,
					(unsigned long long)m->offset, m->linkname);
		if (S_ISDIR(target->inode->mode))
			return eif_fail(err, EIF_E_FORMAT, "%s: hard link '%.200s' points to the "
					"directory '%.200s'; the layer is hostile or broken", t->where,
					m->name, m->linkname);
		if (target == old)
			return EIF_OK;
		ino = target->inode;
		if (old)
			remove_subtree(t, old);
		return add_child(t, dir, parts[count - 1], lens[count - 1], ino) ? EIF_OK
										 : oci_no_memory(err);
	}
	if (old && m->type == TAR_DIRECTORY && S_ISDIR(old->inode->mode)) {
		/* A directory over a directory: new metadata, children kept. */
		old->inode->mode = S_IFDIR | m->mode;
		old->inode->uid = m->uid;
		old->inode->gid = m->gid;
		old->layer = t->layer;
		return EIF_OK;
	}
	if (old)
		remove_subtree(t, old);
	if (!(ino = new_inode(t, type_bits(m->type) | m->mode, m->uid, m->gid)))
		return oci_no_memory(err);
	if (m->type == TAR_SYMLINK) {
		size_t len = strlen(m->linkname);
		char *target;

		if (len > CPIO_NAME_MAX || len == 0)
			return eif_fail(err, EIF_E_FORMAT, "%s: symlink '%.200s' has a target of %zu "
					"bytes; the kernel unpacker takes 1 to %u", t->where, m->name,
					len, CPIO_NAME_MAX);
		if (!(target = pool_alloc(t, len + 1)))
			return oci_no_memory(err);
		memcpy(target, m->linkname, len + 1);
		ino->target = target;
	} else if (m->type == TAR_CHAR || m->type == TAR_BLOCK_DEV) {
		ino->rdev_major = m->dev_major;
		ino->rdev_minor = m->dev_minor;
	}
	if (!(n = add_child(t, dir, parts[count - 1], lens[count - 1], ino)))
		return oci_no_memory(err);
	return m->type == TAR_REGULAR ? spool_member(t, r, ino, buf, err) : EIF_OK;
}

static enum eif_status apply_layer(struct tree *t, size_t index, uint64_t *expanded,
				   struct eif_error *err)
{
	const struct layer *l = &t->img->layers[index];
	struct layer_stream s = { .img = t->img, .layer = l, .image_expanded = expanded };
	struct tar_reader *r = NULL;
	const struct tar_member *m;
	unsigned char *buf = malloc(OCI_CHUNK);
	enum eif_status rc;

	snprintf(s.where, sizeof(s.where), "%s layer %zu", t->img->where, index + 1);
	snprintf(t->where, sizeof(t->where), "%s", s.where);
	t->layer = (uint32_t)index + 1;
	rc = buf ? oci_layer_stream_open(&s, err) : oci_no_memory(err);
	if (rc == EIF_OK && !(r = tar_reader_new(oci_layer_stream_read, &s, s.where, err)))
		rc = EIF_E_NOMEM;
	while (rc == EIF_OK && (rc = tar_next(r, &m, err)) == EIF_OK && m)
		rc = apply_member(t, r, m, buf, err);
	if (rc == EIF_OK)
		rc = oci_layer_stream_finish(&s, err);
	tar_reader_free(r);
	oci_layer_stream_close(&s);
	free(buf);
	return rc;
}

/* Every name of the tree into the archive. */
static enum eif_status emit_tree(struct tree *t, struct cpio_archive *archive, uint32_t source,
				 oci_entry_fn on_entry, void *ctx, struct eif_error *err)
{
	char *path = malloc(CPIO_NAME_MAX + 2);
	struct node *n = t->root.child;
	size_t len = 0;
	enum eif_status rc = EIF_OK;

	if (!path)
		return oci_no_memory(err);
	while (n && rc == EIF_OK) {
		struct inode *ino = n->inode;
		struct cpio_node c;

		if (len + (len ? 1 : 0) + n->name_len > CPIO_NAME_MAX) {
			rc = eif_fail(err, EIF_E_LIMIT, "%s: a path below '%.200s' is longer than the "
				      "%u bytes the kernel unpacker accepts", t->img->where, path,
				      CPIO_NAME_MAX);
			break;
		}
		if (len)
			path[len++] = '/';
		memcpy(path + len, n->name, n->name_len);
		len += n->name_len;
		path[len] = '\0';
		if (S_ISREG(ino->mode) && ino->names > 1 && !ino->link_group &&
		    !(ino->link_group = cpio_add_link_group(archive, ino->names))) {
			rc = oci_no_memory(err);
			break;
		}
		c = (struct cpio_node){
			.name = path, .mode = ino->mode, .uid = ino->uid, .gid = ino->gid,
			.rdev_major = ino->rdev_major, .rdev_minor = ino->rdev_minor,
			.target = ino->target, .size = ino->size, .data_offset = ino->data_offset,
			.link_group = S_ISREG(ino->mode) ? ino->link_group : 0,
		};
		if ((rc = cpio_add_node(archive, source, &c, err)) != EIF_OK)
			break;
		if (on_entry)
			on_entry(ctx, path, n->layer);
		if (n->child) {
			n = n->child;
			continue;
		}
		/* Up until a sibling is left, trimming the path as the walk climbs. */
		for (;;) {
			len -= n->name_len;
			if (len)
				len--;
			path[len] = '\0';
			if (n->next) {
				n = n->next;
				break;
			}
			n = n->parent;
			if (n == &t->root) {
				n = NULL;
				break;
			}
		}
	}
	free(path);
	return rc;
}

static void tree_free(struct tree *t)
{
	eif_arena_free(&t->pool);
	free(t->buckets);
	free(t->parts);
	free(t->link_parts);
	free(t->lens);
	free(t->link_lens);
}

enum eif_status oci_image_flatten(struct oci_image *img, struct cpio_archive *archive,
				  const char *prefix, oci_entry_fn on_entry, void *ctx,
				  struct eif_error *err)
{
	struct tree t = { .img = img };
	uint64_t expanded = 0;
	uint32_t source;
	enum eif_status rc = EIF_OK;

	t.root_inode.mode = S_IFDIR | 0755;
	t.root.inode = &t.root_inode;
	t.parts = malloc(MAX_DEPTH * sizeof(*t.parts));
	t.link_parts = malloc(MAX_DEPTH * sizeof(*t.link_parts));
	t.lens = malloc(MAX_DEPTH * sizeof(*t.lens));
	t.link_lens = malloc(MAX_DEPTH * sizeof(*t.link_lens));
	if (!t.parts || !t.link_parts || !t.lens || !t.link_lens || !grow_buckets(&t)) {
		tree_free(&t);
		return oci_no_memory(err);
	}
	for (size_t i = 0; i < img->layer_count && rc == EIF_OK; i++)
		rc = apply_layer(&t, i, &expanded, err);
	if (rc == EIF_OK)
		rc = cpio_add_source(archive, img->where, prefix, img->spool_fd, &source, err);
	if (rc == EIF_OK)
		rc = emit_tree(&t, archive, source, on_entry, ctx, err);
	tree_free(&t);
	return rc;
}
