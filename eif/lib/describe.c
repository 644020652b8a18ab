/* describe: describe-eif's JSON (docs/eif-format.md#nitro-cli-describe-eif) from a read image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eif/eif.h>
#include "json.h"
#include <eif/sign.h>
#include "util.h"

static enum eif_status nomem(struct eif_error *err)
{
	return eif_fail(err, EIF_E_NOMEM, "describe: out of memory");
}

/* SigningCertificate: IssuerName (attribute long name -> value, sorted), Algorithm,
 * NotBefore, NotAfter, Signature. */
static enum eif_status add_certificate(struct json_value *root, const struct eif_info *info,
				       struct eif_error *err)
{
	struct eif_cert_info cert;
	struct json_value *obj, *issuer;
	enum eif_status rc;
	int bad = 0;

	/* its messages already start with "signature section" */
	rc = eif_signature_cert_info(info->signature, info->signature_len, &cert, err);
	if (rc != EIF_OK)
		return rc;
	obj = json_object_add(root, "SigningCertificate");
	if (!obj) {
		eif_cert_info_free(&cert);
		return nomem(err);
	}
	json_init_object(obj);
	issuer = json_object_add(obj, "IssuerName");
	if (!issuer) {
		bad = 1;
	} else {
		json_init_object(issuer);
		for (size_t i = 0; i < cert.issuer_count && !bad; i++)
			bad = json_add_text(issuer, cert.issuer[i].name, cert.issuer[i].value);
	}
	bad = bad || json_add_text(obj, "Algorithm", cert.algorithm) ||
	      json_add_text(obj, "NotBefore", cert.not_before) ||
	      json_add_text(obj, "NotAfter", cert.not_after) ||
	      json_add_text(obj, "Signature", cert.signature);
	eif_cert_info_free(&cert);
	return bad ? nomem(err) : EIF_OK;
}

/* A metadata string (eif_metadata_string's rule) nitro-cli requires, else a format error. */
static const struct json_value *required_string(const struct json_value *meta, const char *key,
						struct eif_error *err, enum eif_status *rc)
{
	const struct json_value *v = eif_metadata_string(meta, key);

	if (!v)
		*rc = eif_fail(err, EIF_E_FORMAT, "metadata section: '%s' is missing or not a "
			       "string; every EIF v4 metadata key must be present (rebuild the "
			       "image)", key);
	return v;
}

/* ImageName, ImageVersion and Metadata from the metadata section (EifIdentityInfo). */
static enum eif_status add_metadata(struct json_value *root, const struct eif_info *info,
				    struct eif_error *err)
{
	struct json_value meta;
	const struct json_value *name, *version, *build, *docker, *custom, *v;
	struct json_value *out;
	enum eif_status rc = EIF_OK;

	rc = json_parse(info->metadata, info->metadata_len, "metadata section", &meta, err);
	if (rc != EIF_OK)
		return rc;
	if (meta.type != JSON_OBJECT) {
		rc = eif_fail(err, EIF_E_FORMAT, "metadata section: not a JSON object; rebuild "
			      "the image");
		goto out;
	}
	if (!(name = required_string(&meta, "ImageName", err, &rc)) ||
	    !(version = required_string(&meta, "ImageVersion", err, &rc)))
		goto out;
	build = json_object_get(&meta, "BuildMetadata");
	docker = json_object_get(&meta, "DockerInfo");
	custom = json_object_get(&meta, "CustomMetadata");
	if (!build || build->type != JSON_OBJECT || !docker || !custom) {
		rc = eif_fail(err, EIF_E_FORMAT, "metadata section: BuildMetadata, DockerInfo or "
			      "CustomMetadata missing; every EIF v4 metadata key must be present "
			      "(rebuild the image)");
		goto out;
	}
	if (custom->type != JSON_NULL && custom->type != JSON_OBJECT) {
		rc = eif_fail(err, EIF_E_FORMAT, "metadata section: CustomMetadata is not a JSON "
			      "object, so it cannot be listed as nitro-cli does; rebuild with an "
			      "object in --metadata");
		goto out;
	}
	if (json_add_string(root, "ImageName", name->text, name->len) ||
	    json_add_string(root, "ImageVersion", version->text, version->len) ||
	    !(out = json_object_add(root, "Metadata"))) {
		rc = nomem(err);
		goto out;
	}
	json_init_object(out);
	for (size_t i = 0; i < EIF_BUILD_METADATA_KEYS; i++) {
		const char *key = eif_build_metadata_keys[i];

		if (!(v = required_string(&meta, key, err, &rc)))
			goto out;
		if (json_add_string(out, key, v->text, v->len)) {
			rc = nomem(err);
			goto out;
		}
	}
	/* Values move from the parsed document into the output (parsed order is sorted). */
	for (size_t i = 0; i < meta.count; i++) {
		if (strcmp(meta.keys[i], "DockerInfo") != 0)
			continue;
		struct json_value *slot = json_object_add(out, "DockerInfo");
		if (!slot) {
			rc = nomem(err);
			goto out;
		}
		json_move(slot, &meta.items[i]);
	}
	for (size_t i = 0; i < meta.count; i++) {
		if (strcmp(meta.keys[i], "CustomMetadata") != 0 || meta.items[i].type != JSON_OBJECT)
			continue;
		struct json_value *c = &meta.items[i];
		for (size_t j = 0; j < c->count; j++) {
			struct json_value *slot = json_object_add(out, c->keys[j]);
			if (!slot) {
				rc = nomem(err);
				goto out;
			}
			/* A key with an embedded NUL keeps its full length. */
			out->key_lens[out->count - 1] = c->key_lens[j];
			free(out->keys[out->count - 1]);
			out->keys[out->count - 1] = c->keys[j];
			c->keys[j] = NULL;
			json_move(slot, &c->items[j]);
		}
	}
out:
	json_free(&meta);
	return rc;
}

enum eif_status eif_describe(const struct eif_info *info, char **json, struct eif_error *err)
{
	struct json_value root, *v;
	enum eif_status rc = EIF_OK;
	char version[16];

	*json = NULL;
	if (info->signature && info->signature_corrupt)
		return eif_fail(err, EIF_E_FORMAT, "%s", info->signature_error);
	json_init_object(&root);
	snprintf(version, sizeof(version), "%u", info->header.version);
	v = json_object_add(&root, "EifVersion");
	if (!v || json_set_number_text(v, version) || !(v = json_object_add(&root, "Measurements"))) {
		rc = nomem(err);
		goto out;
	}
	json_init_object(v);
	if (eif_measurements_to_json(&info->pcrs, v) ||
	    json_add_bool(&root, "IsSigned", info->pcrs.has_pcr8)) {
		rc = nomem(err);
		goto out;
	}
	if (info->pcrs.has_pcr8 && (rc = add_certificate(&root, info, err)) != EIF_OK)
		goto out;
	if (json_add_bool(&root, "CheckCRC", info->crc_ok)) {
		rc = nomem(err);
		goto out;
	}
	if (info->pcrs.has_pcr8) {
		struct eif_error verr;
		enum eif_signature_result r = eif_signature_verify(
			info->signature, info->signature_len, info->pcrs.pcr0, &verr);
		if (r != EIF_SIGNATURE_VALID && r != EIF_SIGNATURE_WRONG_PCR0) {
			*err = verr;
			/* a corrupt section's message names it already; a bad signature's not */
			rc = r == EIF_SIGNATURE_CORRUPT ? verr.code :
							  eif_error_prefix(err, "signature section");
			goto out;
		}
		if (json_add_bool(&root, "SignatureCheck", r == EIF_SIGNATURE_VALID)) {
			rc = nomem(err);
			goto out;
		}
	}
	if (info->metadata && (rc = add_metadata(&root, info, err)) != EIF_OK)
		goto out;
	*json = eif_json_text(&root);
	if (!*json)
		rc = nomem(err);
out:
	json_free(&root);
	return rc;
}
