/* statement: write and read the in-toto build statement (see statement.h). */
#include <eif/statement.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "json.h"
#include "util.h"

/* Lowercase hex SHA-256 of a file, read in 1 MiB pieces. */
static enum eif_status file_sha256(const char *path, const char *what, char hex[65],
				   struct eif_error *err)
{
	enum { PIECE = 1 << 20 };
	unsigned char *buf = malloc(PIECE), sum[32];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	struct stat sb;
	int fd;
	enum eif_status st = eif_open_regular(path, what, "give a file path", &fd, &sb, err);
	long long n = 0;

	if (st != EIF_OK)
		;
	else if (!buf || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		st = eif_fail(err, EIF_E_NOMEM, "%s '%s': cannot start SHA-256", what, path);
	while (st == EIF_OK && (n = eif_read_full(fd, buf, PIECE)) > 0)
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			st = eif_fail(err, EIF_E_CRYPTO, "%s '%s': SHA-256 failed", what, path);
	if (st == EIF_OK && n < 0)
		st = eif_fail_errno(err, "%s '%s'", what, path);
	if (st == EIF_OK && !EVP_DigestFinal_ex(ctx, sum, NULL))
		st = eif_fail(err, EIF_E_CRYPTO, "%s '%s': SHA-256 failed", what, path);
	if (st == EIF_OK)
		eif_hex(sum, sizeof(sum), hex);
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return st;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* {"name": NAME, "sha256": HEX} for name-and-digest entries (locks, SBOM). */
static enum eif_status add_file(struct json_value *obj, const char *name, const char *path,
				const char *what, struct eif_error *err)
{
	char hex[65];

	if (file_sha256(path, what, hex, err) != EIF_OK)
		return err->code;
	json_init_object(obj);
	if (json_add_text(obj, "name", name) ||
	    json_add_text(obj, "sha256", hex))
		return eif_fail(err, EIF_E_NOMEM, "statement: out of memory");
	return EIF_OK;
}

/* An array value with n null elements, filled by the caller. */
static struct json_value *json_array_of(struct json_value *v, size_t n)
{
	v->type = JSON_ARRAY;
	v->items = calloc(n ? n : 1, sizeof(*v->items));
	if (!v->items)
		return NULL;
	v->count = v->cap = n;
	return v->items;
}

static enum eif_status build(const struct eif_statement_input *in, struct json_value *root,
			     struct eif_error *err)
{
	struct eif_info info;
	struct json_value *v, *subject, *pred, *locks;
	char hex[65];
	enum eif_status st;

	if (!in->commit || !*in->commit || strlen(in->commit) > 128 ||
	    strcspn(in->commit, "\"\\\n\r\t") != strlen(in->commit))
		return eif_fail(err, EIF_E_USAGE, "statement: give the source commit as printed by "
				"git describe --always --dirty --abbrev=40");
	if ((st = eif_read_file(in->eif_path, &info, err)) != EIF_OK)
		return eif_error_prefix(err, "statement");
	if (!info.crc_ok || info.signature_corrupt) {
		eif_info_free(&info);
		return eif_fail(err, EIF_E_FORMAT, "statement: EIF '%s' has a %s; rebuild it",
				in->eif_path, info.crc_ok ? "corrupt signature" : "wrong CRC");
	}
	st = file_sha256(in->eif_path, "EIF", hex, err);
	json_init_object(root);
	if (st != EIF_OK || json_add_text(root, "_type", EIF_STATEMENT_TYPE) ||
	    !(v = json_object_add(root, "subject")) || !(subject = json_array_of(v, 1)))
		goto fail;
	json_init_object(subject);
	if (json_add_text(subject, "name", base_name(in->eif_path)) ||
	    !(v = json_object_add(subject, "digest")))
		goto fail;
	json_init_object(v);
	if (json_add_text(v, "sha256", hex) ||
	    json_add_text(root, "predicateType", EIF_STATEMENT_PREDICATE_TYPE) ||
	    !(pred = json_object_add(root, "predicate")))
		goto fail;
	json_init_object(pred);
	if (!(v = json_object_add(pred, "measurements")))
		goto fail;
	json_init_object(v);
	if (eif_measurements_to_json(&info.pcrs, v) || !(v = json_object_add(pred, "locks")) ||
	    !(locks = json_array_of(v, in->lock_count)))
		goto fail;
	for (size_t i = 0; i < in->lock_count && st == EIF_OK; i++)
		st = add_file(&locks[i], in->lock_paths[i], in->lock_paths[i], "lock file", err);
	if (st != EIF_OK || !(v = json_object_add(pred, "sbom")))
		goto fail;
	if ((st = add_file(v, base_name(in->sbom_path), in->sbom_path, "SBOM", err)) != EIF_OK ||
	    !(v = json_object_add(pred, "source")))
		goto fail;
	json_init_object(v);
	if (json_add_text(v, "commit", in->commit))
		goto fail;
	eif_info_free(&info);
	return EIF_OK;
fail:
	eif_info_free(&info);
	if (st == EIF_OK)
		st = eif_fail(err, EIF_E_NOMEM, "statement: out of memory");
	return st;
}

enum eif_status eif_statement_build(const struct eif_statement_input *in, char **text,
				    struct eif_error *err)
{
	struct json_value root = { 0 };
	enum eif_status st = build(in, &root, err);

	*text = NULL;
	if (st == EIF_OK && !(*text = eif_json_text(&root)))
		st = eif_fail(err, EIF_E_NOMEM, "statement: out of memory");
	json_free(&root);
	return st;
}

/* The member's string value equals s. */
static int member_is(const struct json_value *obj, const char *key, const char *s)
{
	const struct json_value *v = json_object_get(obj, key);

	return v && v->type == JSON_STRING && strcmp(v->text, s) == 0;
}

enum eif_status eif_statement_expect(struct eif_attest_expect *expect, const unsigned char *text,
				     size_t len, const char *what, struct eif_error *err)
{
	struct json_value root;
	const struct json_value *pred, *m;
	enum eif_status st;

	if (json_parse(text, len, what, &root, err) != EIF_OK)
		return err->code;
	if (root.type != JSON_OBJECT || !member_is(&root, "_type", EIF_STATEMENT_TYPE) ||
	    !member_is(&root, "predicateType", EIF_STATEMENT_PREDICATE_TYPE) ||
	    !(pred = json_object_get(&root, "predicate")) || pred->type != JSON_OBJECT ||
	    !(m = json_object_get(pred, "measurements")))
		st = eif_fail(err, EIF_E_FORMAT, "%s: not an in-toto Statement v1 of type %s with "
			      "predicate.measurements; give the out/statement.json of a build",
			      what, EIF_STATEMENT_PREDICATE_TYPE);
	else
		st = eif_attest_expect_measurements(expect, m, what, err);
	json_free(&root);
	return st;
}
