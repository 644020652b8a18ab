/* json: the subset of serde_json behaviour EIF metadata needs.
 *
 * Parsing follows serde_json::from_slice into a serde_json::Value without preserve_order:
 * RFC 8259 syntax, UTF-8 checked, lone surrogates rejected, nesting deeper than 127 levels
 * rejected, object keys sorted bytewise with a repeated key keeping its last value. Numbers:
 * integers that fit u64/i64 stay exact; anything else becomes an IEEE double, parsed with
 * strtod (correctly rounded; serde_json's default parser is not, so a double written with
 * more than 17 significant digits may differ in its last digit) and printed in the shortest
 * round-trip form with ryu's layout rules (1e16, 0.00001, 1.5e-7, -0.0, 3.0).
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

/* Shared by the EIF outputs (format.c): measurement members, and pretty text + newline. */
int eif_measurements_to_json(const struct eif_measurements *pcrs, struct json_value *obj);
char *eif_json_text(const struct json_value *v);

#endif
