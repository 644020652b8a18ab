/* json, the output side: the growable text buffer (struct json_buf), the printer, which writes
 * compact or pretty JSON with the string escapes serde_json writes, and the functions that
 * build, search, move and free struct json_value trees. Byte-exact agreement with serde_json
 * matters where the bytes are measured: the metadata section
 * (docs/eif-format.md#metadata-section). The parser is json.c; the rules are json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "util.h"

void json_buf_append(struct json_buf *b, const char *s, size_t n)
{
	size_t need;

	if (b->failed)
		return;
	if (!eif_add_size(b->len, n + 1, &need)) {
		b->failed = 1;
		return;
	}
	char *d = eif_array_grow(b->data, &b->cap, need, 1);
	if (!d) {
		b->failed = 1;
		return;
	}
	b->data = d;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void json_buf_puts(struct json_buf *b, const char *s)
{
	json_buf_append(b, s, strlen(s));
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->count; i++) {
		json_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->key_lens);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

void json_buf_string(struct json_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	json_buf_append(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];

		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof(u), "\\u00%c%c", hex[c >> 4], hex[c & 15]);
				esc = u;
			}
		}
		if (!esc)
			continue;
		json_buf_append(b, s + run, i - run);
		json_buf_puts(b, esc);
		run = i + 1;
	}
	json_buf_append(b, s + run, n - run);
	json_buf_append(b, "\"", 1);
}

static void newline_indent(struct json_buf *b, int depth)
{
	json_buf_append(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		json_buf_append(b, "  ", 2);
}

void json_write(struct json_buf *b, const struct json_value *v, int indent)
{
	int pretty = indent >= 0;

	switch (v->type) {
	case JSON_NULL:
		json_buf_puts(b, "null");
		return;
	case JSON_BOOL:
		json_buf_puts(b, v->boolean ? "true" : "false");
		return;
	case JSON_NUMBER:
		json_buf_append(b, v->text, v->len);
		return;
	case JSON_STRING:
		json_buf_string(b, v->text, v->len);
		return;
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	int object = v->type == JSON_OBJECT;
	json_buf_puts(b, object ? "{" : "[");
	for (size_t i = 0; i < v->count; i++) {
		if (i)
			json_buf_puts(b, ",");
		if (pretty)
			newline_indent(b, indent + 1);
		if (object) {
			json_buf_string(b, v->keys[i], v->key_lens[i]);
			json_buf_puts(b, pretty ? ": " : ":");
		}
		json_write(b, &v->items[i], pretty ? indent + 1 : -1);
	}
	if (pretty && v->count)
		newline_indent(b, indent);
	json_buf_puts(b, object ? "}" : "]");
}

int json_set_string(struct json_value *v, const char *s, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->type = JSON_STRING;
	v->text = malloc(n + 1);
	if (!v->text)
		return -1;
	memcpy(v->text, s, n);
	v->text[n] = '\0';
	v->len = n;
	return 0;
}

int json_set_number_text(struct json_value *v, const char *text)
{
	if (json_set_string(v, text, strlen(text)) != 0)
		return -1;
	v->type = JSON_NUMBER;
	return 0;
}

void json_set_bool(struct json_value *v, int b)
{
	memset(v, 0, sizeof(*v));
	v->type = JSON_BOOL;
	v->boolean = !!b;
}

void json_init_object(struct json_value *v)
{
	memset(v, 0, sizeof(*v));
	v->type = JSON_OBJECT;
}

void json_init_array(struct json_value *v)
{
	memset(v, 0, sizeof(*v));
	v->type = JSON_ARRAY;
}

struct json_value *json_array_add(struct json_value *array)
{
	if (json_grow(array, 0) != 0)
		return NULL;
	memset(&array->items[array->count], 0, sizeof(array->items[0]));
	return &array->items[array->count++];
}

struct json_value *json_object_add(struct json_value *obj, const char *key)
{
	char *copy = strdup(key);

	if (!copy || json_grow(obj, 1) != 0) {
		free(copy);
		return NULL;
	}
	memset(&obj->items[obj->count], 0, sizeof(obj->items[0]));
	obj->keys[obj->count] = copy;
	obj->key_lens[obj->count] = strlen(copy);
	return &obj->items[obj->count++];
}

const struct json_value *json_object_get(const struct json_value *obj, const char *key)
{
	size_t n = strlen(key);

	if (obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->count; i++)
		if (obj->key_lens[i] == n && memcmp(obj->keys[i], key, n) == 0)
			return &obj->items[i];
	return NULL;
}

void json_move(struct json_value *dst, struct json_value *src)
{
	*dst = *src;
	memset(src, 0, sizeof(*src));
}
