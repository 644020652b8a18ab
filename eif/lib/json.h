/* json: JSON read and written byte for byte as serde_json reads and writes it, for the EIF
 * metadata section and for every JSON document the tool prints (describe, build and pcr
 * measurements, diff, audit, attest, statement).
 *
 * Parsing follows serde_json::from_slice into a serde_json::Value (default features, no
 * preserve_order, no arbitrary_precision, no float_roundtrip): RFC 8259 syntax, UTF-8
 * checked, lone surrogates rejected, nesting deeper than 127 levels rejected, object keys
 * sorted bytewise (BTreeMap) with a repeated key keeping its last value. Numbers: integers
 * that fit u64 (negative ones: i64) stay exact; anything else (a fraction, an exponent, -0,
 * an integer beyond 64 bits) becomes an IEEE double made the way serde_json's parser makes
 * it, not by strtod: the leading digits that fit a u64 significand (further integer digits
 * only scale it, further fraction digits are dropped) times a power of ten from its exact
 * 1e0..1e308 table, so the last bit may differ from the correctly rounded value exactly
 * where serde_json's does. A double is printed in the shortest round-trip form with ryu's
 * layout rules (1e16, 0.00001, 1.5e-7, -0.0, 3.0).
 *
 * Serialization is serde_json's: compact (to_vec) or pretty with two-space indentation
 * (to_string_pretty), string escapes as serde_json writes them. Values built with
 * json_object_add() keep insertion order (for output structs). */
#ifndef EIF_JSON_H
#define EIF_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <eif/eif.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	int boolean;
	char *text;		/* string bytes (unescaped UTF-8) or the number as printed */
	size_t len;
	size_t count;		/* array elements / object members */
	size_t cap;
	struct json_value *items;	/* array elements / object member values */
	char **keys;		/* object member names (NUL-terminated UTF-8)... */
	size_t *key_lens;	/* ...and their lengths (names may hold \u0000) */
};

/* Parse len bytes of JSON text. what names the input in messages. */
enum eif_status json_parse(const unsigned char *text, size_t len, const char *what,
			   struct json_value *out, struct eif_error *err);
void json_free(struct json_value *v);

/* Growable output text. On allocation failure `failed` is set and appends become no-ops. */
struct json_buf {
	char *data;
	size_t len, cap;
	int failed;
};
void json_buf_append(struct json_buf *b, const char *s, size_t n);
void json_buf_puts(struct json_buf *b, const char *s);
/* A JSON string literal with serde_json's escapes. */
void json_buf_string(struct json_buf *b, const char *s, size_t n);

/* indent < 0: compact; otherwise pretty, starting at this depth. */
void json_write(struct json_buf *b, const struct json_value *v, int indent);

/* Builders for output documents. Strings are copied. They return 0, or -1 when out of
 * memory (the value is then still safe to free). */
int json_set_string(struct json_value *v, const char *s, size_t n);
int json_set_number_text(struct json_value *v, const char *text);
void json_set_bool(struct json_value *v, int b);
void json_init_object(struct json_value *v);
void json_init_array(struct json_value *v);
/* Appends an element and returns its slot (type JSON_NULL) or NULL when out of memory. */
struct json_value *json_array_add(struct json_value *array);
/* Appends a member and returns its value slot (type JSON_NULL) or NULL when out of memory. */
struct json_value *json_object_add(struct json_value *obj, const char *key);
/* Member lookup by exact name, NULL if absent. */
const struct json_value *json_object_get(const struct json_value *obj, const char *key);
/* 1 when s[0..n) is valid UTF-8 (what serde_json and Rust strings require). */
int json_utf8_valid(const char *s, size_t n);
/* Moves *src into *dst (dst must be empty/NULL-typed); src becomes JSON_NULL. */
void json_move(struct json_value *dst, struct json_value *src);

/* Members for output documents (format.c), appended to obj in call order; they return 0,
 * or -1 when out of memory. A NULL string adds null. */
int json_add_string(struct json_value *obj, const char *key, const char *s, size_t n);
int json_add_text(struct json_value *obj, const char *key, const char *s); /* NUL-terminated */
int json_add_u64(struct json_value *obj, const char *key, uint64_t n);
int json_add_i64(struct json_value *obj, const char *key, int64_t n);
int json_add_bool(struct json_value *obj, const char *key, int b);
/* The n bytes at p in lowercase hex; a NULL p adds null. */
int json_add_hex(struct json_value *obj, const char *key, const unsigned char *p, size_t n);

/* Shared by the EIF outputs (format.c): "PCR0", "PCR1", "PCR2" (and "PCR8" when has_pcr8) in
 * hex; the same after "HashAlgorithm" as build, describe and pcr print them; and pretty text
 * with a final newline. */
/* The BuildMetadata members of EIF metadata, in the order eif build writes them. */
#define EIF_BUILD_METADATA_KEYS 5
extern const char *const eif_build_metadata_keys[EIF_BUILD_METADATA_KEYS];
/* The string member key of parsed metadata, or NULL when absent or not a string. Each key
 * has one home, as eif build writes it: "BuildMetadata.KEY" and the bare BuildMetadata keys
 * ("BuildTime", ...) live only inside BuildMetadata, every other key only at the top, so a
 * stray top-level "BuildTime" can never stand in for the real one. */
const struct json_value *eif_metadata_string(const struct json_value *meta, const char *key);
int eif_pcrs_to_json(const struct eif_measurements *pcrs, struct json_value *obj);
int eif_measurements_to_json(const struct eif_measurements *pcrs, struct json_value *obj);
char *eif_json_text(const struct json_value *v);

#endif
