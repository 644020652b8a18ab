/* json, the parser: JSON text into a struct json_value tree the way serde_json::from_slice reads
 * it into a Value: RFC 8259 syntax, UTF-8 and surrogates checked, keys sorted with the last of a
 * repeated key kept, numbers kept exact or normalised to serde_json's double form. The rules
 * are json.h; the metadata section it reads is docs/eif-format.md#metadata-section. Printing
 * and building trees is json_write.c. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"
#include "util.h"

#define JSON_MAX_DEPTH 127

struct parser {
	const unsigned char *p, *start, *end;
	const char *what;
	struct eif_error *err;
	int depth;
};

static enum eif_status syntax(struct parser *ps, const char *why)
{
	return eif_fail(ps->err, EIF_E_FORMAT, "%s: invalid JSON at byte %zu: %s; fix the JSON",
			ps->what, (size_t)(ps->p - ps->start), why);
}

static enum eif_status nomem(struct parser *ps)
{
	return eif_fail(ps->err, EIF_E_NOMEM, "%s: out of memory while parsing JSON", ps->what);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* Consume the character c if it comes next: 1, else 0 (nothing consumed). */
static int take(struct parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == c) {
		ps->p++;
		return 1;
	}
	return 0;
}

/* Decode one UTF-8 sequence at p (valid per RFC 3629); return its length or 0. */
static size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

int json_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		size_t len = utf8_sequence(p, end);
		if (len == 0)
			return 0;
		p += len;
	}
	return 1;
}

static void put_utf8(struct json_buf *b, unsigned cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	json_buf_append(b, out, n);
}

/* Parse a string literal (ps->p at the opening quote) into a malloc'd buffer. */
static enum eif_status parse_string(struct parser *ps, char **out, size_t *out_len)
{
	struct json_buf b = { 0 };

	ps->p++;
	json_buf_append(&b, "", 0);
	for (;;) {
		if (ps->p >= ps->end) {
			free(b.data);
			return syntax(ps, "unterminated string");
		}
		unsigned c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			free(b.data);
			return syntax(ps, "control character in string");
		}
		if (c == '\\') {
			if (ps->end - ps->p < 2) {
				free(b.data);
				return syntax(ps, "unterminated escape");
			}
			unsigned e = ps->p[1];
			const char *simple = NULL;
			switch (e) {
			case '"': simple = "\""; break;
			case '\\': simple = "\\"; break;
			case '/': simple = "/"; break;
			case 'b': simple = "\b"; break;
			case 'f': simple = "\f"; break;
			case 'n': simple = "\n"; break;
			case 'r': simple = "\r"; break;
			case 't': simple = "\t"; break;
			case 'u': break;
			default:
				free(b.data);
				return syntax(ps, "invalid escape");
			}
			if (simple) {
				json_buf_append(&b, simple, 1);
				ps->p += 2;
				continue;
			}
			uint32_t cp, low;
			if (ps->end - ps->p < 6 || eif_parse_hex(ps->p + 2, 4, &cp) != 0) {
				free(b.data);
				return syntax(ps, "invalid \\u escape");
			}
			ps->p += 6;
			if (cp >= 0xDC00 && cp <= 0xDFFF) {
				free(b.data);
				return syntax(ps, "lone trailing surrogate in \\u escape");
			}
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
				    eif_parse_hex(ps->p + 2, 4, &low) != 0 || low < 0xDC00 || low > 0xDFFF) {
					free(b.data);
					return syntax(ps, "lone leading surrogate in \\u escape");
				}
				ps->p += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
			}
			put_utf8(&b, cp);
			continue;
		}
		size_t n = utf8_sequence(ps->p, ps->end);
		if (n == 0) {
			free(b.data);
			return syntax(ps, "invalid UTF-8 in string");
		}
		json_buf_append(&b, (const char *)ps->p, n);
		ps->p += n;
	}
	if (b.failed) {
		free(b.data);
		return nomem(ps);
	}
	*out = b.data;
	*out_len = b.len;
	return EIF_OK;
}

/* ryu's layout for the shortest round-trip digits of d (finite). */
static void format_double(double d, char out[48])
{
	char tmp[40], digits[20];
	int prec, exp10, ndigits = 0, pos = 0;

	if (d == 0) {
		strcpy(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec, d);
	/* tmp = [-]D[.DDD]e[+-]XX */
	const char *s = tmp;
	if (*s == '-') {
		out[pos++] = '-';
		s++;
	}
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			digits[ndigits++] = *s;
	exp10 = atoi(s + 1);
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	/* value = 0.DIGITS * 10^kk */
	int kk = exp10 + 1;
	int k = kk - ndigits;
	if (k >= 0 && kk <= 16) {
		memcpy(out + pos, digits, (size_t)ndigits);
		pos += ndigits;
		for (int i = 0; i < k; i++)
			out[pos++] = '0';
		out[pos++] = '.';
		out[pos++] = '0';
	} else if (kk > 0 && kk <= 16) {
		memcpy(out + pos, digits, (size_t)kk);
		pos += kk;
		out[pos++] = '.';
		memcpy(out + pos, digits + kk, (size_t)(ndigits - kk));
		pos += ndigits - kk;
	} else if (kk > -5 && kk <= 0) {
		out[pos++] = '0';
		out[pos++] = '.';
		for (int i = 0; i < -kk; i++)
			out[pos++] = '0';
		memcpy(out + pos, digits, (size_t)ndigits);
		pos += ndigits;
	} else {
		out[pos++] = digits[0];
		if (ndigits > 1) {
			out[pos++] = '.';
			memcpy(out + pos, digits + 1, (size_t)(ndigits - 1));
			pos += ndigits - 1;
		}
		pos += snprintf(out + pos, 8, "e%d", kk - 1);
	}
	out[pos] = '\0';
}

/* serde_json's overflow! check: would a * 10 + b exceed max? */
static int overflows(uint64_t a, uint64_t b, uint64_t max)
{
	return a >= max / 10 && (a > max / 10 || b > max % 10);
}

/* serde_json's f64_from_parts: significand * 10^exponent with its table and roundings. */
static int double_from_parts(uint64_t significand, long long exponent, double *out)
{
	double f = (double)significand;

	for (;;) {
		long long magnitude = exponent < 0 ? -exponent : exponent;
		if (magnitude <= 308) {
			double pow = 1;
			/* 1e0..1e308 are exact decimal literals in serde_json's table; strtod gives the
			 * same correctly rounded doubles. */
			char text[8];
			snprintf(text, sizeof(text), "1e%lld", magnitude);
			pow = strtod(text, NULL);
			if (exponent >= 0) {
				f *= pow;
				if (isinf(f))
					return -1;
			} else {
				f /= pow;
			}
			break;
		}
		if (f == 0)
			break;
		if (exponent >= 0)
			return -1;
		f /= 1e308;
		exponent += 308;
	}
	*out = f;
	return 0;
}

static int is_digit(const struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* Numbers exactly as serde_json (default features) parses them into a Value. */
static enum eif_status parse_number(struct parser *ps, struct json_value *v)
{
	uint64_t significand = 0;
	long long exponent = 0;
	int negative = 0, is_float = 0, overflowed = 0;
	double d;
	char out[48];

	negative = take(ps, '-');
	if (!is_digit(ps))
		return syntax(ps, "invalid number");
	if (*ps->p == '0') {
		ps->p++;
		if (is_digit(ps))
			return syntax(ps, "invalid number: leading zero");
	} else {
		while (is_digit(ps)) {
			uint64_t digit = (uint64_t)(*ps->p++ - '0');
			if (!overflowed && overflows(significand, digit, UINT64_MAX))
				overflowed = is_float = 1;
			if (overflowed)
				exponent++; /* digits past u64 only scale the value */
			else
				significand = significand * 10 + digit;
		}
	}
	if (take(ps, '.')) {
		int dropped = 0;
		is_float = 1;
		if (!is_digit(ps))
			return syntax(ps, "invalid number: digit expected after '.'");
		while (is_digit(ps)) {
			uint64_t digit = (uint64_t)(*ps->p++ - '0');
			if (!dropped && overflows(significand, digit, UINT64_MAX))
				dropped = 1;
			if (!dropped) {
				significand = significand * 10 + digit;
				exponent--;
			}
		}
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		int positive_exp = 1, huge = 0;
		uint64_t exp = 0;
		is_float = 1;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			positive_exp = *ps->p++ == '+';
		if (!is_digit(ps))
			return syntax(ps, "invalid number: digit expected in exponent");
		while (is_digit(ps)) {
			uint64_t digit = (uint64_t)(*ps->p++ - '0');
			if (!huge && overflows(exp, digit, INT32_MAX))
				huge = 1;
			if (!huge)
				exp = exp * 10 + digit;
		}
		if (huge) {
			if (significand != 0 && positive_exp)
				return syntax(ps, "number out of range");
			return json_set_number_text(v, negative ? "-0.0" : "0.0") ? nomem(ps) : EIF_OK;
		}
		exponent += positive_exp ? (long long)exp : -(long long)exp;
	}
	if (!is_float && !negative) {
		snprintf(out, sizeof(out), "%llu", (unsigned long long)significand);
		return json_set_number_text(v, out) ? nomem(ps) : EIF_OK;
	}
	if (!is_float && significand != 0 && significand <= (uint64_t)INT64_MAX + 1) {
		snprintf(out, sizeof(out), "-%llu", (unsigned long long)significand);
		return json_set_number_text(v, out) ? nomem(ps) : EIF_OK;
	}
	/* A double: fractions, exponents, -0 and integers beyond 64 bits. */
	if (double_from_parts(significand, exponent, &d) != 0)
		return syntax(ps, "number out of range");
	format_double(negative ? -d : d, out);
	return json_set_number_text(v, out) ? nomem(ps) : EIF_OK;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return 0;
	ps->p += n;
	return 1;
}

int json_grow(struct json_value *v, int with_keys)
{
	if (v->count < v->cap)
		return 0;
	size_t cap = v->cap ? v->cap * 2 : 4;
	struct json_value *items = realloc(v->items, cap * sizeof(*items));
	if (!items)
		return -1;
	v->items = items;
	if (with_keys) {
		char **keys = realloc(v->keys, cap * sizeof(*keys));
		if (!keys)
			return -1;
		v->keys = keys;
		size_t *lens = realloc(v->key_lens, cap * sizeof(*lens));
		if (!lens)
			return -1;
		v->key_lens = lens;
	}
	v->cap = cap;
	return 0;
}

static int key_compare(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Sorted insert for parsed objects (BTreeMap semantics: a repeated key replaces the value). */
static enum eif_status object_insert(struct parser *ps, struct json_value *obj, char *key,
				     size_t key_len, struct json_value *value)
{
	size_t lo = 0, hi = obj->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_compare(obj->keys[mid], obj->key_lens[mid], key, key_len);
		if (c == 0) {
			free(key);
			json_free(&obj->items[mid]);
			obj->items[mid] = *value;
			return EIF_OK;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (json_grow(obj, 1) != 0) {
		free(key);
		json_free(value);
		return nomem(ps);
	}
	memmove(&obj->items[lo + 1], &obj->items[lo], (obj->count - lo) * sizeof(*obj->items));
	memmove(&obj->keys[lo + 1], &obj->keys[lo], (obj->count - lo) * sizeof(*obj->keys));
	memmove(&obj->key_lens[lo + 1], &obj->key_lens[lo],
		(obj->count - lo) * sizeof(*obj->key_lens));
	obj->items[lo] = *value;
	obj->keys[lo] = key;
	obj->key_lens[lo] = key_len;
	obj->count++;
	return EIF_OK;
}

static enum eif_status parse_value(struct parser *ps, struct json_value *v);

/* After an array element or object member: ',' means another follows (EIF_CONTINUE), the
 * closing bracket ends the container (EIF_OK), anything else is an error. */
#define EIF_CONTINUE ((enum eif_status)-1)
static enum eif_status next_member(struct parser *ps, char close)
{
	skip_space(ps);
	if (take(ps, ','))
		return EIF_CONTINUE;
	if (take(ps, close))
		return EIF_OK;
	return syntax(ps, close == ']' ? "',' or ']' expected" : "',' or '}' expected");
}

static enum eif_status parse_array(struct parser *ps, struct json_value *v)
{
	enum eif_status rc;

	v->type = JSON_ARRAY;
	ps->p++;
	skip_space(ps);
	if (take(ps, ']'))
		return EIF_OK;
	for (;;) {
		if (json_grow(v, 0) != 0)
			return nomem(ps);
		memset(&v->items[v->count], 0, sizeof(v->items[0]));
		rc = parse_value(ps, &v->items[v->count]);
		v->count++;
		if (rc != EIF_OK)
			return rc;
		if ((rc = next_member(ps, ']')) != EIF_CONTINUE)
			return rc;
	}
}

static enum eif_status parse_object(struct parser *ps, struct json_value *v)
{
	enum eif_status rc;

	v->type = JSON_OBJECT;
	ps->p++;
	skip_space(ps);
	if (take(ps, '}'))
		return EIF_OK;
	for (;;) {
		char *key;
		size_t key_len;
		struct json_value member = { 0 };

		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return syntax(ps, "object key (a string) expected");
		rc = parse_string(ps, &key, &key_len);
		if (rc != EIF_OK)
			return rc;
		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(key);
			return syntax(ps, "':' expected");
		}
		ps->p++;
		rc = parse_value(ps, &member);
		if (rc != EIF_OK) {
			free(key);
			json_free(&member);
			return rc;
		}
		rc = object_insert(ps, v, key, key_len, &member);
		if (rc != EIF_OK)
			return rc;
		if ((rc = next_member(ps, '}')) != EIF_CONTINUE)
			return rc;
	}
}

static enum eif_status parse_value(struct parser *ps, struct json_value *v)
{
	enum eif_status rc;

	memset(v, 0, sizeof(*v));
	skip_space(ps);
	if (ps->p >= ps->end)
		return syntax(ps, "value expected");
	switch (*ps->p) {
	case '{':
	case '[':
		if (++ps->depth > JSON_MAX_DEPTH)
			return syntax(ps, "nested more than 127 levels deep");
		rc = *ps->p == '{' ? parse_object(ps, v) : parse_array(ps, v);
		ps->depth--;
		return rc;
	case '"':
		v->type = JSON_STRING;
		return parse_string(ps, &v->text, &v->len);
	case 't':
		if (!literal(ps, "true"))
			return syntax(ps, "invalid literal");
		json_set_bool(v, 1);
		return EIF_OK;
	case 'f':
		if (!literal(ps, "false"))
			return syntax(ps, "invalid literal");
		json_set_bool(v, 0);
		return EIF_OK;
	case 'n':
		if (!literal(ps, "null"))
			return syntax(ps, "invalid literal");
		v->type = JSON_NULL;
		return EIF_OK;
	default:
		return parse_number(ps, v);
	}
}

enum eif_status json_parse(const unsigned char *text, size_t len, const char *what,
			   struct json_value *out, struct eif_error *err)
{
	struct parser ps = { text, text, text + len, what, err, 0 };
	enum eif_status rc = parse_value(&ps, out);

	if (rc == EIF_OK) {
		skip_space(&ps);
		if (ps.p != ps.end)
			rc = syntax(&ps, "trailing characters after the JSON value");
	}
	if (rc != EIF_OK) {
		json_free(out);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}
