/* sign, part 3: certificate details, as describe-eif reports them: issuer attributes (sorted,
 * values in Rust's Debug quoting), validity dates as text and as seconds, the signature
 * algorithm, for a PEM certificate or the one inside a signature section. The certificate's
 * place in the image and in PCR8 is docs/eif-format.md#certificate-and-pcr8, the JSON
 * nitro-cli prints docs/eif-format.md#nitro-cli-describe-eif. */
#include <eif/sign.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <eif/cose.h>
#include "sign_internal.h"
#include "util.h"

/* ---- certificate details ------------------------------------------------------------ */

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Text of a memory BIO as a malloc'd string. */
static char *bio_string(BIO *bio)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);

	return n < 0 ? NULL : dup_n(data, (size_t)n);
}

/* The value as rust-openssl's Debug prints it, minus the quotes nitro-cli strips: backslash,
 * tab, CR, LF, NUL and other ASCII controls escaped (Rust escapes some non-ASCII code points
 * too; those are kept raw here). */
static char *rust_debug_text(const unsigned char *s, size_t n)
{
	char *out = malloc(n * 6 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];
		switch (ch) {
		case '"': *o++ = '\\'; break;	/* \" with the quote removed */
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\0': *o++ = '\\'; *o++ = '0'; break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				o += sprintf(o, "\\u{%x}", ch);
			else
				*o++ = (char)ch;
		}
	}
	*o = '\0';
	return out;
}

static int attr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct eif_cert_attr *)a)->name, ((const struct eif_cert_attr *)b)->name);
}

static enum eif_status cert_issuer(X509 *cert, struct eif_cert_info *info, struct eif_error *err)
{
	const X509_NAME *name = X509_get_issuer_name(cert);
	int count = X509_NAME_entry_count(name);

	info->issuer = calloc(count > 0 ? (size_t)count : 1, sizeof(*info->issuer));
	if (!info->issuer)
		return eif_fail(err, EIF_E_NOMEM, "certificate issuer: out of memory");
	for (int i = 0; i < count; i++) {
		const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		char oid[128];
		unsigned char *utf8 = NULL;
		OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(e), 0);
		int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
		char *value = n < 0 ? dup_n("error", 5) : rust_debug_text(utf8, (size_t)n);
		OPENSSL_free(utf8);
		ERR_clear_error();
		/* BTreeMap semantics: a repeated attribute keeps its last value */
		size_t j = 0;
		while (j < info->issuer_count && strcmp(info->issuer[j].name, oid) != 0)
			j++;
		if (j < info->issuer_count) {
			free(info->issuer[j].value);
			info->issuer[j].value = value;
		} else {
			info->issuer[j].name = strdup(oid);
			info->issuer[j].value = value;
			info->issuer_count++;
		}
		if (!info->issuer[j].name || !value)
			return eif_fail(err, EIF_E_NOMEM, "certificate issuer: out of memory");
	}
	qsort(info->issuer, info->issuer_count, sizeof(*info->issuer), attr_cmp);
	return EIF_OK;
}

enum eif_status sign_cert_time(const ASN1_TIME *t, char **text, int64_t *unix_time,
			       const char *what, struct eif_error *err)
{
	struct tm tm;
	BIO *bio = BIO_new(BIO_s_mem());

	if (!bio || ASN1_TIME_print(bio, t) != 1 || !(*text = bio_string(bio)) ||
	    ASN1_TIME_to_tm(t, &tm) != 1) {
		BIO_free(bio);
		ERR_clear_error();
		return eif_fail(err, EIF_E_FORMAT, "certificate: %s is not a valid time", what);
	}
	BIO_free(bio);
	*unix_time = (int64_t)timegm(&tm);
	return EIF_OK;
}

static enum eif_status cert_info(X509 *cert, struct eif_cert_info *info, struct eif_error *err)
{
	const ASN1_BIT_STRING *sig;
	const X509_ALGOR *alg;
	const ASN1_OBJECT *alg_obj;
	char name[128];
	enum eif_status st;

	if ((st = cert_issuer(cert, info, err)) != EIF_OK)
		return st;
	X509_get0_signature(&sig, &alg, cert);
	X509_ALGOR_get0(&alg_obj, NULL, NULL, alg);
	OBJ_obj2txt(name, sizeof(name), alg_obj, 0);
	if (!(info->algorithm = strdup(name)))
		return eif_fail(err, EIF_E_NOMEM, "certificate: out of memory");
	if ((st = sign_cert_time(X509_get0_notBefore(cert), &info->not_before, &info->not_before_unix,
				 "notBefore", err)) != EIF_OK ||
	    (st = sign_cert_time(X509_get0_notAfter(cert), &info->not_after, &info->not_after_unix,
				 "notAfter", err)) != EIF_OK)
		return st;
	int n = ASN1_STRING_length(sig);
	const unsigned char *p = ASN1_STRING_get0_data(sig);
	info->signature = malloc(n > 0 ? (size_t)n * 3 : 1);
	if (!info->signature)
		return eif_fail(err, EIF_E_NOMEM, "certificate: out of memory");
	char *o = info->signature;	/* "XX:" per byte, the last ':' becomes the NUL */
	*o = '\0';
	for (int i = 0; i < n; i++)
		o += sprintf(o, i ? ":%02X" : "%02X", p[i]);
	return sign_cert_measure(cert, info->fingerprint, info->pcr8, err);
}

enum eif_status eif_cert_info_from_pem(const unsigned char *pem, size_t len,
				       struct eif_cert_info *info, struct eif_error *err)
{
	char why[256];
	X509 *cert;
	enum eif_status st;

	memset(info, 0, sizeof(*info));
	cert = sign_x509_from_pem(pem, len);
	if (!cert)
		return eif_fail(err, EIF_E_FORMAT, "certificate: not a PEM X.509 certificate (%s)",
				eif_openssl_reason(why, sizeof(why)));
	st = cert_info(cert, info, err);
	X509_free(cert);
	if (st != EIF_OK)
		eif_cert_info_free(info);
	return st;
}

enum eif_status eif_signature_cert_info(const unsigned char *section, size_t len,
					struct eif_cert_info *info, struct eif_error *err)
{
	struct eif_pcr_signature sig;
	enum eif_status st;

	memset(info, 0, sizeof(*info));
	st = eif_signature_section_parse(section, len, &sig, err);
	if (st != EIF_OK)
		return st;
	st = eif_cert_info_from_pem(sig.cert, sig.cert_len, info, err);
	if (st != EIF_OK)
		eif_error_prefix(err, "signature section");
	eif_pcr_signature_free(&sig);
	return st;
}

void eif_cert_info_free(struct eif_cert_info *info)
{
	for (size_t i = 0; i < info->issuer_count; i++) {
		free(info->issuer[i].name);
		free(info->issuer[i].value);
	}
	free(info->issuer);
	free(info->algorithm);
	free(info->not_before);
	free(info->not_after);
	free(info->signature);
	memset(info, 0, sizeof(*info));
}
