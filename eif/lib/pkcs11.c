/* pkcs11: sign with an EC key held on a PKCS#11 token (RFC 7512 URIs, PKCS#11 2.40). */
#include "pkcs11.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <p11-kit/pkcs11.h>

#include "util.h"

#define DEFAULT_MODULE "p11-kit-proxy.so"
#define PIN_FILE_MAX 4096
#define TOKENS_LISTED 6

/* One URI attribute value, percent-decoded (may hold NUL bytes: id). */
struct uri_value {
	char *data;
	size_t len;
};

struct uri {
	struct uri_value token, manufacturer, serial, model, slot_id, object, id, type;
	struct uri_value pin_value, pin_source, module_path, module_name;
};

static const struct uri_attr {
	const char *name;
	int query;		/* after '?' (RFC 7512 query attribute) */
	size_t offset;
} uri_attrs[] = {
	{ "token", 0, offsetof(struct uri, token) },
	{ "manufacturer", 0, offsetof(struct uri, manufacturer) },
	{ "serial", 0, offsetof(struct uri, serial) },
	{ "model", 0, offsetof(struct uri, model) },
	{ "slot-id", 0, offsetof(struct uri, slot_id) },
	{ "object", 0, offsetof(struct uri, object) },
	{ "id", 0, offsetof(struct uri, id) },
	{ "type", 0, offsetof(struct uri, type) },
	{ "pin-value", 1, offsetof(struct uri, pin_value) },
	{ "pin-source", 1, offsetof(struct uri, pin_source) },
	{ "module-path", 1, offsetof(struct uri, module_path) },
	{ "module-name", 1, offsetof(struct uri, module_name) },
};

struct eif_pkcs11_key {
	void *library;
	CK_FUNCTION_LIST_PTR f;
	int finalize;		/* we initialized the module, so we finalize it */
	CK_SESSION_HANDLE session;
	int session_open, logged_in;
	CK_OBJECT_HANDLE key;
	char name[256];
};

static const struct {
	CK_RV rv;
	const char *name;
} ckr_names[] = {
	{ CKR_OK, "CKR_OK" },
	{ CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
	{ CKR_HOST_MEMORY, "CKR_HOST_MEMORY" },
	{ CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD" },
	{ CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
	{ CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
	{ CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" },
	{ CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID" },
	{ CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT" },
	{ CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED" },
	{ CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
	{ CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" },
	{ CKR_PIN_INVALID, "CKR_PIN_INVALID" },
	{ CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE" },
	{ CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED" },
	{ CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
	{ CKR_SESSION_COUNT, "CKR_SESSION_COUNT" },
	{ CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
	{ CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED" },
	{ CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
	{ CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED" },
	{ CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL" },
	{ CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED" },
};

static const char *ckr_name(CK_RV rv, char buf[32])
{
	for (size_t i = 0; i < sizeof(ckr_names) / sizeof(ckr_names[0]); i++)
		if (ckr_names[i].rv == rv)
			return ckr_names[i].name;
	snprintf(buf, 32, "CKR 0x%lx", (unsigned long)rv);
	return buf;
}

/* ---- RFC 7512 URI --------------------------------------------------------------------- */

static struct uri_value *uri_field(struct uri *u, size_t i)
{
	return (struct uri_value *)((char *)u + uri_attrs[i].offset);
}

static void uri_free(struct uri *u)
{
	for (size_t i = 0; i < sizeof(uri_attrs) / sizeof(uri_attrs[0]); i++) {
		struct uri_value *v = uri_field(u, i);
		if (v->data)
			memset(v->data, 0, v->len);	/* pin-value */
		free(v->data);
	}
	memset(u, 0, sizeof(*u));
}

/* Percent-decodes [s, s+n) into a malloc'd NUL-terminated copy. */
static enum eif_status uri_decode(const char *s, size_t n, const char *attr, struct uri_value *v,
				  struct eif_error *err)
{
	char *d = malloc(n + 1);
	size_t o = 0;

	if (!d)
		return eif_fail(err, EIF_E_NOMEM, "PKCS#11 URI: out of memory");
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			d[o++] = s[i];
			continue;
		}
		int hi = i + 2 < n ? eif_hex_value((unsigned char)s[i + 1]) : -1;
		int lo = i + 2 < n ? eif_hex_value((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			free(d);
			return eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: attribute '%s': '%%' must be "
					"followed by two hex digits (RFC 7512 percent-encoding)", attr);
		}
		d[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	d[o] = '\0';
	v->data = d;
	v->len = o;
	return EIF_OK;
}

/* One "name=value" of the path (query = 0, ';'-separated) or the query ('&'-separated). */
static enum eif_status uri_attribute(struct uri *u, const char *s, size_t n, int query,
				     struct eif_error *err)
{
	const char *eq = memchr(s, '=', n);

	if (!eq)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: '%.*s' is not name=value; write "
				"e.g. pkcs11:token=NAME;object=KEY", (int)n, s);
	size_t name_len = (size_t)(eq - s);
	for (size_t i = 0; i < sizeof(uri_attrs) / sizeof(uri_attrs[0]); i++) {
		if (strlen(uri_attrs[i].name) != name_len || memcmp(uri_attrs[i].name, s, name_len))
			continue;
		if (uri_attrs[i].query != query)
			return eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: '%s' belongs %s; write "
					"pkcs11:token=NAME;object=KEY?pin-source=file:PATH",
					uri_attrs[i].name, query ? "in the path, before '?'" :
					"in the query, after '?'");
		struct uri_value *v = uri_field(u, i);
		if (v->data)
			return eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: '%s' appears twice",
					uri_attrs[i].name);
		return uri_decode(eq + 1, n - name_len - 1, uri_attrs[i].name, v, err);
	}
	return eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: attribute '%.*s' is not supported; use "
			"token, manufacturer, serial, model, slot-id, object, id, type and the query "
			"attributes pin-value, pin-source, module-path", (int)name_len, s);
}

static enum eif_status uri_parse(const char *text, struct uri *u, struct eif_error *err)
{
	size_t prefix = strlen(EIF_PKCS11_URI_PREFIX);
	enum eif_status st = EIF_OK;

	memset(u, 0, sizeof(*u));
	if (strncmp(text, EIF_PKCS11_URI_PREFIX, prefix) != 0)
		return eif_fail(err, EIF_E_USAGE, "'%s' is not a PKCS#11 URI (pkcs11:...)", text);
	const char *p = text + prefix;
	int query = 0;
	while (*p && st == EIF_OK) {
		size_t n = strcspn(p, query ? "&" : ";?");
		if (n > 0)
			st = uri_attribute(u, p, n, query, err);
		p += n;
		if (*p == '?')
			query = 1;
		if (*p)
			p++;
	}
	if (st == EIF_OK && u->type.data && strcmp(u->type.data, "private") != 0)
		st = eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: type=%s; signing needs the private "
			      "key: type=private", u->type.data);
	if (st == EIF_OK && u->module_name.data)
		st = eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: module-name=%s: name the module file "
			      "with module-path= or --pkcs11-module instead", u->module_name.data);
	if (st == EIF_OK && u->pin_value.data && u->pin_source.data)
		st = eif_fail(err, EIF_E_USAGE, "PKCS#11 URI: both pin-value and pin-source; "
			      "give one");
	if (st != EIF_OK)
		uri_free(u);
	return st;
}

/* "token 'x' object 'y'" style name of what the URI selects, for messages. */
static void uri_describe(const struct uri *u, char *out, size_t size)
{
	snprintf(out, size, "token '%s' %s '%s'", u->token.data ? u->token.data : "(any)",
		 u->object.data || !u->id.data ? "object" : "id",
		 u->object.data ? u->object.data : u->id.data ? "(binary id)" : "(any)");
}

/* ---- module, token, login, key ------------------------------------------------------- */

/* PKCS#11 text fields are fixed-size and padded with spaces. */
static int padded_equals(const unsigned char *field, size_t size, const struct uri_value *want)
{
	while (size > 0 && field[size - 1] == ' ')
		size--;
	return size == want->len && memcmp(field, want->data, size) == 0;
}

static void padded_copy(const unsigned char *field, size_t size, char *out, size_t out_size)
{
	while (size > 0 && field[size - 1] == ' ')
		size--;
	snprintf(out, out_size, "%.*s", (int)size, (const char *)field);
}

static int token_matches(const struct uri *u, CK_SLOT_ID slot, const CK_TOKEN_INFO *t)
{
	uint64_t id;

	if (u->slot_id.data && (!eif_parse_digits(u->slot_id.data, strlen(u->slot_id.data), 10,
						  ULONG_MAX, &id) || id != slot))
		return 0;
	return (!u->token.data || padded_equals(t->label, sizeof(t->label), &u->token)) &&
	       (!u->manufacturer.data ||
		padded_equals(t->manufacturerID, sizeof(t->manufacturerID), &u->manufacturer)) &&
	       (!u->serial.data ||
		padded_equals(t->serialNumber, sizeof(t->serialNumber), &u->serial)) &&
	       (!u->model.data || padded_equals(t->model, sizeof(t->model), &u->model));
}

static enum eif_status load_module(struct eif_pkcs11_key *k, const char *path,
				   struct eif_error *err)
{
	CK_C_GetFunctionList get_function_list;
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	char why[32];

	k->library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!k->library)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11 module '%s' cannot be loaded (%s); "
				"install the token's module (softhsm2, opensc, yubihsm-pkcs11, "
				"p11-kit-modules) or pass --pkcs11-module PATH", path, dlerror());
	/* POSIX's way to turn dlsym's object pointer into a function pointer */
	*(void **)&get_function_list = dlsym(k->library, "C_GetFunctionList");
	if (!get_function_list || get_function_list(&k->f) != CKR_OK || !k->f)
		return eif_fail(err, EIF_E_USAGE, "'%s' is not a PKCS#11 module (no usable "
				"C_GetFunctionList); pass the module's .so with --pkcs11-module", path);
	CK_RV rv = k->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11 module '%s': C_Initialize failed: %s; "
				"check the module's configuration (for SoftHSM2: SOFTHSM2_CONF)", path,
				ckr_name(rv, why));
	k->finalize = rv == CKR_OK;
	return EIF_OK;
}

/* Picks the one slot whose token matches the URI; lists the tokens seen when none does. */
static enum eif_status find_token(struct eif_pkcs11_key *k, const struct uri *u,
				  const char *module, CK_SLOT_ID *slot, CK_TOKEN_INFO *info,
				  struct eif_error *err)
{
	CK_ULONG count = 0;
	CK_SLOT_ID *slots = NULL;
	char seen[512] = "", why[32];
	size_t seen_len = 0;
	unsigned matches = 0, listed = 0;
	CK_RV rv;

	rv = k->f->C_GetSlotList(CK_TRUE, NULL, &count);
	if (rv == CKR_OK && count > 0) {
		slots = calloc(count, sizeof(*slots));
		if (!slots)
			return eif_fail(err, EIF_E_NOMEM, "PKCS#11: out of memory");
		rv = k->f->C_GetSlotList(CK_TRUE, slots, &count);
	}
	if (rv != CKR_OK) {
		free(slots);
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11 module '%s': C_GetSlotList failed: %s",
				module, ckr_name(rv, why));
	}
	for (CK_ULONG i = 0; i < count; i++) {
		CK_TOKEN_INFO t;
		if (k->f->C_GetTokenInfo(slots[i], &t) != CKR_OK ||
		    !(t.flags & CKF_TOKEN_INITIALIZED))	/* holds no keys yet */
			continue;
		if (token_matches(u, slots[i], &t)) {
			if (matches++ == 0) {
				*slot = slots[i];
				*info = t;
			}
		} else if (listed++ < TOKENS_LISTED && seen_len < sizeof(seen)) {
			char label[33], serial[17];
			padded_copy(t.label, sizeof(t.label), label, sizeof(label));
			padded_copy(t.serialNumber, sizeof(t.serialNumber), serial, sizeof(serial));
			seen_len += (size_t)snprintf(seen + seen_len, sizeof(seen) - seen_len,
						     "%s'%s' (serial %s)", seen_len ? ", " : "",
						     label, serial);
		}
	}
	free(slots);
	if (matches == 1)
		return EIF_OK;
	if (matches > 1)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: %u tokens in module '%s' match the URI; "
				"add serial= (see 'pkcs11-tool --module %s --list-token-slots')",
				matches, module, module);
	if (listed == 0)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: token not found: module '%s' shows no "
				"initialized token; plug the token in (for SoftHSM2, check SOFTHSM2_CONF "
				"and 'softhsm2-util --show-slots')", module);
	return eif_fail(err, EIF_E_USAGE, "PKCS#11: token not found: no token in module '%s' "
			"matches token=%s; tokens present: %s", module,
			u->token.data ? u->token.data : "(any)", seen);
}

/* The PIN from the URI or EIF_PKCS11_PIN, malloc'd; NULL (and EIF_OK) when none is given. */
static enum eif_status find_pin(const struct uri *u, char **pin, size_t *len,
				struct eif_error *err)
{
	const char *env = getenv("EIF_PKCS11_PIN");

	*pin = NULL;
	*len = 0;
	if (env && !*env)
		env = NULL;	/* EIF_PKCS11_PIN= clears it, as unset does */
	if (u->pin_source.data) {
		const char *path = u->pin_source.data;
		unsigned char *data;
		if (strncmp(path, "file:", 5) == 0)
			path += 5;
		enum eif_status st = eif_read_small_file(path, "PIN file (pin-source)",
							 PIN_FILE_MAX, &data, len, err);
		if (st != EIF_OK)
			return st;
		while (*len > 0 && (data[*len - 1] == '\n' || data[*len - 1] == '\r'))
			data[--*len] = '\0';	/* `echo PIN > file` adds a newline */
		*pin = (char *)data;
		return EIF_OK;
	}
	const char *text = u->pin_value.data ? u->pin_value.data : env;
	if (!text)
		return EIF_OK;
	*len = u->pin_value.data ? u->pin_value.len : strlen(env);
	*pin = malloc(*len + 1);
	if (!*pin)
		return eif_fail(err, EIF_E_NOMEM, "PKCS#11: out of memory");
	memcpy(*pin, text, *len + 1);
	return EIF_OK;
}

static enum eif_status login(struct eif_pkcs11_key *k, const struct uri *u, const char *token,
			     struct eif_error *err)
{
	char *pin;
	size_t len;
	char why[32];
	enum eif_status st = find_pin(u, &pin, &len, err);

	if (st != EIF_OK)
		return st;
	if (!pin)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: token '%s' needs a PIN; add "
				"?pin-source=file:PATH to the URI or set EIF_PKCS11_PIN", token);
	CK_RV rv = k->f->C_Login(k->session, CKU_USER, (CK_UTF8CHAR_PTR)pin, len);
	memset(pin, 0, len);
	free(pin);
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
		k->logged_in = rv == CKR_OK;
		return EIF_OK;
	}
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: wrong PIN for token '%s' (%s); check "
				"pin-value, pin-source or EIF_PKCS11_PIN; more wrong tries lock the "
				"token", token, ckr_name(rv, why));
	if (rv == CKR_PIN_LOCKED)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: the PIN of token '%s' is locked "
				"(CKR_PIN_LOCKED); unblock it with the security officer PIN", token);
	return eif_fail(err, EIF_E_CRYPTO, "PKCS#11: login to token '%s' failed: %s", token,
			ckr_name(rv, why));
}

/* Private key objects matching the URI's object/id (any key type when ec is 0). */
static enum eif_status find_keys(struct eif_pkcs11_key *k, const struct uri *u, int ec,
				 CK_OBJECT_HANDLE *found, CK_ULONG *count, struct eif_error *err)
{
	CK_OBJECT_CLASS class = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = CKK_EC;
	CK_ATTRIBUTE match[4] = { { CKA_CLASS, &class, sizeof(class) } };
	CK_ULONG n = 1;
	char why[32];

	if (ec)
		match[n++] = (CK_ATTRIBUTE){ CKA_KEY_TYPE, &type, sizeof(type) };
	if (u->object.data)
		match[n++] = (CK_ATTRIBUTE){ CKA_LABEL, u->object.data, u->object.len };
	if (u->id.data)
		match[n++] = (CK_ATTRIBUTE){ CKA_ID, u->id.data, u->id.len };
	CK_RV rv = k->f->C_FindObjectsInit(k->session, match, n);
	if (rv == CKR_OK) {
		rv = k->f->C_FindObjects(k->session, found, 2, count);
		k->f->C_FindObjectsFinal(k->session);
	}
	if (rv != CKR_OK)
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11: searching the token for the key "
				"failed: %s", ckr_name(rv, why));
	return EIF_OK;
}

static enum eif_status find_key(struct eif_pkcs11_key *k, const struct uri *u,
				const char *token, struct eif_error *err)
{
	CK_OBJECT_HANDLE found[2];
	CK_ULONG count = 0;
	enum eif_status st = find_keys(k, u, 1, found, &count, err);

	if (st != EIF_OK)
		return st;
	if (count == 1) {
		k->key = found[0];
		return EIF_OK;
	}
	if (count > 1)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: several EC private keys on token '%s' "
				"match; name one with object= or id= (see 'pkcs11-tool "
				"--list-objects --login')", token);
	st = find_keys(k, u, 0, found, &count, err);
	if (st == EIF_OK && count > 0)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11: the private key %s%s on token '%s' is "
				"not an EC key; Nitro Enclaves signatures are ECDSA P-384",
				u->object.data ? "object=" : "", u->object.data ? u->object.data : "",
				token);
	if (st != EIF_OK)
		return st;
	return eif_fail(err, EIF_E_USAGE, "PKCS#11: object not found: token '%s' holds no private "
			"key with %s%s; list them with 'pkcs11-tool --list-objects --login'", token,
			u->object.data ? "object=" : u->id.data ? "the given id" : "any label",
			u->object.data ? u->object.data : "");
}

static enum eif_status key_curve_oid(struct eif_pkcs11_key *k, unsigned char **oid,
				     size_t *len, struct eif_error *err)
{
	CK_ATTRIBUTE a = { CKA_EC_PARAMS, NULL, 0 };
	char why[32];
	CK_RV rv = k->f->C_GetAttributeValue(k->session, k->key, &a, 1);

	if (rv == CKR_OK && a.ulValueLen != CK_UNAVAILABLE_INFORMATION && a.ulValueLen < 256) {
		a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
		if (!a.pValue)
			return eif_fail(err, EIF_E_NOMEM, "PKCS#11: out of memory");
		rv = k->f->C_GetAttributeValue(k->session, k->key, &a, 1);
		if (rv == CKR_OK) {
			*oid = a.pValue;
			*len = a.ulValueLen;
			return EIF_OK;
		}
		free(a.pValue);
	}
	return eif_fail(err, EIF_E_CRYPTO, "PKCS#11: %s: cannot read the key's curve "
			"(CKA_EC_PARAMS): %s", k->name, rv == CKR_OK ? "unusable length" :
			ckr_name(rv, why));
}

/* pkcs11-module-path of a provider in OpenSSL's configuration (what pkcs11-provider reads):
 * openssl_conf -> providers -> each provider section. NULL when there is none. */
static char *provider_config_module(void)
{
	char *path = getenv("OPENSSL_CONF") ? strdup(getenv("OPENSSL_CONF")) :
		     CONF_get1_default_config_file();
	CONF *conf = NCONF_new(NULL);
	char *module = NULL;
	long line;

	if (path && conf && NCONF_load(conf, path, &line) > 0) {
		const char *init = NCONF_get_string(conf, NULL, "openssl_conf");
		const char *providers = init ? NCONF_get_string(conf, init, "providers") : NULL;
		STACK_OF(CONF_VALUE) *list = providers ? NCONF_get_section(conf, providers) : NULL;
		for (int i = 0; list && i < sk_CONF_VALUE_num(list) && !module; i++) {
			const char *m = NCONF_get_string(conf, sk_CONF_VALUE_value(list, i)->value,
							 "pkcs11-module-path");
			if (m)
				module = strdup(m);
		}
	}
	ERR_clear_error();	/* every absent name above queued an error */
	NCONF_free(conf);
	if (getenv("OPENSSL_CONF"))
		free(path);
	else
		OPENSSL_free(path);
	return module;
}

enum eif_status eif_pkcs11_open(struct eif_pkcs11_key **out, const char *uri_text,
				const char *module, unsigned char **curve_oid,
				size_t *curve_oid_len, struct eif_error *err)
{
	struct uri u;
	struct eif_pkcs11_key *k;
	CK_SLOT_ID slot = 0;
	CK_TOKEN_INFO token;
	char label[33], why[32], *configured = NULL;
	enum eif_status st;

	*out = NULL;
	st = uri_parse(uri_text, &u, err);
	if (st != EIF_OK)
		return st;
	k = calloc(1, sizeof(*k));
	if (!k) {
		uri_free(&u);
		return eif_fail(err, EIF_E_NOMEM, "PKCS#11: out of memory");
	}
	if (!module)
		module = u.module_path.data;
	if (!module)
		module = getenv("PKCS11_PROVIDER_MODULE");
	if (!module || !*module)
		module = configured = provider_config_module();
	if (!module)
		module = DEFAULT_MODULE;
	uri_describe(&u, k->name, sizeof(k->name));
	st = load_module(k, module, err);
	if (st == EIF_OK)
		st = find_token(k, &u, module, &slot, &token, err);
	if (st == EIF_OK) {
		padded_copy(token.label, sizeof(token.label), label, sizeof(label));
		CK_RV rv = k->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &k->session);
		if (rv != CKR_OK)
			st = eif_fail(err, EIF_E_CRYPTO, "PKCS#11: cannot open a session on token "
				      "'%s': %s", label, ckr_name(rv, why));
		k->session_open = rv == CKR_OK;
	}
	if (st == EIF_OK && (token.flags & CKF_LOGIN_REQUIRED))
		st = login(k, &u, label, err);
	if (st == EIF_OK)
		st = find_key(k, &u, label, err);
	if (st == EIF_OK)
		st = key_curve_oid(k, curve_oid, curve_oid_len, err);
	uri_free(&u);
	free(configured);
	if (st != EIF_OK) {
		eif_pkcs11_close(k);
		return st;
	}
	*out = k;
	return EIF_OK;
}

enum eif_status eif_pkcs11_sign_digest(const struct eif_pkcs11_key *k,
				       const unsigned char *digest, size_t digest_len,
				       unsigned char *sig, size_t sig_len, struct eif_error *err)
{
	CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
	CK_ULONG got = sig_len;
	char why[32];
	CK_RV rv = k->f->C_SignInit(k->session, &ecdsa, k->key);

	if (rv == CKR_OK)
		rv = k->f->C_Sign(k->session, (CK_BYTE_PTR)digest, digest_len, sig, &got);
	if (rv != CKR_OK)
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11: %s: ECDSA signing on the token failed: "
				"%s%s", k->name, ckr_name(rv, why), rv == CKR_KEY_FUNCTION_NOT_PERMITTED ?
				" (the key lacks CKA_SIGN)" : "");
	if (got != sig_len)
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11: %s: the token returned a %lu-byte "
				"signature; r || s of this curve is %zu bytes", k->name,
				(unsigned long)got, sig_len);
	return EIF_OK;
}

const char *eif_pkcs11_key_name(const struct eif_pkcs11_key *k)
{
	return k->name;
}

void eif_pkcs11_close(struct eif_pkcs11_key *k)
{
	if (!k)
		return;
	if (k->logged_in)
		k->f->C_Logout(k->session);
	if (k->session_open)
		k->f->C_CloseSession(k->session);
	if (k->finalize)
		k->f->C_Finalize(NULL);
	/* the module stays mapped: some (SoftHSM2) crash in their destructors when unloaded
	 * before the process's own OpenSSL cleanup */
	free(k);
}
