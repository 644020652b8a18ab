/* sign, part 1: making signatures. The signer holds the certificate (PCR8 comes from it) and one
 * source of signatures: a PEM key, a PKCS#11 token key, or a signature made elsewhere over the
 * Sig_structure eif_signer_tbs() hands out. It signs PCR0 as an ECDSA COSE_Sign1 and builds the
 * signature section. The format is docs/eif-format.md#signature-section (the payload's bytes
 * docs/eif-format.md#cbor-encoding, PCR8 docs/eif-format.md#certificate-and-pcr8); checking
 * signatures is sign_verify.c, certificate details sign_cert.c. */
#include <eif/sign.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <eif/cose.h>
#include "pkcs11.h"
#include "sign_internal.h"
#include "util.h"

#define PEM_FILE_MAX (64 * 1024)
#define SIGNATURE_FILE_MAX 4096

/* The curves AWS's COSE library accepts; the key's curve picks the algorithm. */
static const struct curve curves[] = {
	{ NID_X9_62_prime256v1, EIF_COSE_ALG_ES256, "P-256", "ES256", "SHA-256", "sha256", 32,
	  EVP_sha256 },
	{ NID_secp384r1, EIF_COSE_ALG_ES384, "P-384", "ES384", "SHA-384", "sha384", 48,
	  EVP_sha384 },
	{ NID_secp521r1, EIF_COSE_ALG_ES512, "P-521", "ES512", "SHA-512", "sha512", 66,
	  EVP_sha512 },
};

/* The certificate and one source of signatures: a PEM key, a PKCS#11 token key, or (neither)
 * a signature made elsewhere, given with eif_signer_load_signature(). */
struct eif_signer {
	unsigned char *cert_pem;
	size_t cert_len;
	X509 *cert;
	EVP_PKEY *key;
	struct eif_pkcs11_key *token;
	unsigned char detached[2 * 66];	/* raw r || s of a signature made elsewhere... */
	size_t detached_len;		/* ...0 when none was given */
	unsigned char *detached_tbs;	/* the Sig_structure it was made over, if given */
	size_t detached_tbs_len;
	const struct curve *curve;
	unsigned char pcr8[EIF_PCR_SIZE];
};

const char *eif_openssl_reason(char *buf, size_t n)
{
	unsigned long code = ERR_get_error();

	if (code == 0)
		snprintf(buf, n, "no further detail from OpenSSL");
	else
		ERR_error_string_n(code, buf, n);
	ERR_clear_error();
	return buf;
}

/* Never prompt on the terminal for a passphrase: encrypted keys are an error. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

X509 *sign_x509_from_pem(const unsigned char *pem, size_t len)
{
	if (len > INT32_MAX)
		return NULL;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return NULL;
	X509 *cert = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	return cert;
}

static const struct curve *curve_of_nid(int nid)
{
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].nid == nid)
			return &curves[i];
	return NULL;
}

const struct curve *sign_key_curve(EVP_PKEY *key)
{
	char group[64];
	size_t n;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &n))
		return NULL;
	return curve_of_nid(OBJ_txt2nid(group));
}

const char *sign_alg_name(int64_t alg)
{
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (curves[i].alg == alg)
			return curves[i].alg_name;
	return "not ES256/ES384/ES512";
}

/* extend(DER) = SHA-384(Z48 || SHA-384(DER)); also returns the fingerprint SHA-384(DER). */
enum eif_status sign_cert_measure(X509 *cert, unsigned char fingerprint[EIF_PCR_SIZE],
				  unsigned char pcr8[EIF_PCR_SIZE], struct eif_error *err)
{
	unsigned char *der = NULL;
	unsigned char block[2 * EIF_PCR_SIZE] = { 0 };
	char why[256];
	int n = i2d_X509(cert, &der);

	if (n <= 0)
		return eif_fail(err, EIF_E_CRYPTO, "certificate: cannot encode as DER: %s",
				eif_openssl_reason(why, sizeof(why)));
	int ok = EVP_Digest(der, (size_t)n, block + EIF_PCR_SIZE, NULL, EVP_sha384(), NULL) &&
		 EVP_Digest(block, sizeof(block), pcr8, NULL, EVP_sha384(), NULL);
	memcpy(fingerprint, block + EIF_PCR_SIZE, EIF_PCR_SIZE);
	OPENSSL_free(der);
	if (!ok)
		return eif_fail(err, EIF_E_CRYPTO, "certificate: SHA-384 failed: %s",
				eif_openssl_reason(why, sizeof(why)));
	return EIF_OK;
}

enum eif_status eif_cert_pcr8_from_pem(const unsigned char *pem, size_t len,
				       unsigned char pcr8[EIF_PCR_SIZE], struct eif_error *err)
{
	unsigned char fingerprint[EIF_PCR_SIZE];
	char why[256];
	X509 *cert = sign_x509_from_pem(pem, len);

	if (!cert)
		return eif_fail(err, EIF_E_FORMAT, "certificate: not a PEM X.509 certificate (%s); "
				"convert a DER file with 'openssl x509 -inform der'",
				eif_openssl_reason(why, sizeof(why)));
	enum eif_status st = sign_cert_measure(cert, fingerprint, pcr8, err);
	X509_free(cert);
	return st;
}

/* A certificate outside its validity period makes an image eif verify refuses (exit 6). */
static enum eif_status check_cert_dates(X509 *cert, const char *cert_path, time_t now,
					struct eif_error *err)
{
	char *from = NULL, *until = NULL;
	int64_t from_unix, until_unix;
	enum eif_status st;

	st = sign_cert_time(X509_get0_notBefore(cert), &from, &from_unix, "notBefore", err);
	if (st == EIF_OK)
		st = sign_cert_time(X509_get0_notAfter(cert), &until, &until_unix, "notAfter", err);
	if (st == EIF_OK && (now < from_unix || now > until_unix))
		st = eif_fail(err, EIF_E_USAGE, "signing certificate '%s' is %s (valid from %s to "
			      "%s); an image signed with it fails 'eif verify'; renew the "
			      "certificate", cert_path, now < from_unix ? "not yet valid" : "expired",
			      from, until);
	free(from);
	free(until);
	return st;
}

/* The certificate half of every signer: file, X.509, dates, curve, PCR8. */
static enum eif_status signer_certificate(struct eif_signer *s, const char *cert_path,
					  struct eif_error *err)
{
	unsigned char fingerprint[EIF_PCR_SIZE];
	char why[256];
	enum eif_status st;

	st = eif_read_small_file(cert_path, "signing certificate", PEM_FILE_MAX, &s->cert_pem,
				 &s->cert_len, err);
	if (st != EIF_OK)
		return st;
	s->cert = sign_x509_from_pem(s->cert_pem, s->cert_len);
	if (!s->cert)
		return eif_fail(err, EIF_E_FORMAT, "signing certificate '%s': not a PEM X.509 "
				"certificate (%s); convert a DER file with 'openssl x509 -inform der'",
				cert_path, eif_openssl_reason(why, sizeof(why)));
	EVP_PKEY *public_key = X509_get0_pubkey(s->cert);
	s->curve = public_key ? sign_key_curve(public_key) : NULL;
	if (!s->curve) {
		ERR_clear_error();
		return eif_fail(err, EIF_E_USAGE, "signing certificate '%s': its key is not EC on "
				"P-256, P-384 or P-521; Nitro Enclaves sign with ECDSA P-384",
				cert_path);
	}
	st = check_cert_dates(s->cert, cert_path, time(NULL), err);
	if (st != EIF_OK)
		return st;
	return sign_cert_measure(s->cert, fingerprint, s->pcr8, err);
}

static enum eif_status signer_pem_key(struct eif_signer *s, const char *cert_path,
				      const char *key_path, struct eif_error *err)
{
	unsigned char *key_pem = NULL;
	size_t key_len;
	char why[256];
	enum eif_status st;

	st = eif_read_small_file(key_path, "private key", PEM_FILE_MAX, &key_pem, &key_len, err);
	if (st != EIF_OK)
		return st;
	BIO *bio = BIO_new_mem_buf(key_pem, (int)key_len);
	if (bio) {
		s->key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	OPENSSL_cleanse(key_pem, key_len);
	free(key_pem);
	if (!s->key)
		return eif_fail(err, EIF_E_FORMAT, "private key '%s': not an unencrypted PEM private "
				"key (%s); decrypt it with 'openssl pkey', or keep it on a token "
				"(pkcs11:...) or in KMS (eif sign --tbs-out)", key_path,
				eif_openssl_reason(why, sizeof(why)));
	if (!sign_key_curve(s->key))
		return eif_fail(err, EIF_E_USAGE, "private key '%s': not an EC key on P-256, P-384 or "
				"P-521; make one with 'openssl ecparam -name secp384r1 -genkey'",
				key_path);
	if (X509_check_private_key(s->cert, s->key) != 1) {
		ERR_clear_error();
		return eif_fail(err, EIF_E_USAGE, "private key '%s' does not belong to signing "
				"certificate '%s'; pass the matching pair", key_path, cert_path);
	}
	return EIF_OK;
}

static enum eif_status ecdsa_sign(const struct eif_signer *s, const unsigned char *tbs,
				  size_t tbs_len, unsigned char *raw, struct eif_error *err);

static enum eif_status signer_token_key(struct eif_signer *s, const char *cert_path,
					const char *uri, const char *module,
					struct eif_error *err)
{
	static const unsigned char probe[] = "enclave-kit: does this token key match?";
	unsigned char *oid_der = NULL, raw[2 * 66];
	size_t oid_len = 0;
	char why[256];
	enum eif_status st;

	st = eif_pkcs11_open(&s->token, uri, module, &oid_der, &oid_len, err);
	if (st != EIF_OK)
		return st;
	const unsigned char *p = oid_der;
	ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &p, (long)oid_len);
	const struct curve *token_curve = oid ? curve_of_nid(OBJ_obj2nid(oid)) : NULL;
	ASN1_OBJECT_free(oid);
	free(oid_der);
	ERR_clear_error();
	if (token_curve != s->curve)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11 %s: wrong curve: the key is %s, the "
				"signing certificate '%s' holds a %s key; pass the certificate of "
				"this key", eif_pkcs11_key_name(s->token),
				token_curve ? token_curve->name : "not on P-256, P-384 or P-521",
				cert_path, s->curve->name);
	/* a signature the certificate verifies is the only proof the key is the right one */
	st = ecdsa_sign(s, probe, sizeof(probe), raw, err);
	if (st != EIF_OK)
		return st;
	int ok = sign_ecdsa_verify(X509_get0_pubkey(s->cert), s->curve, raw, probe, sizeof(probe),
				   why, sizeof(why));
	if (ok < 0)
		return eif_fail(err, EIF_E_CRYPTO, "PKCS#11 %s: cannot check the token's test "
				"signature: %s", eif_pkcs11_key_name(s->token), why);
	if (!ok)
		return eif_fail(err, EIF_E_USAGE, "PKCS#11 %s: another key: it does not belong to "
				"signing certificate '%s'; pass the matching certificate or object",
				eif_pkcs11_key_name(s->token), cert_path);
	return EIF_OK;
}

enum eif_status eif_signer_open(struct eif_signer **out, const char *cert_path,
				const char *key, const char *pkcs11_module,
				struct eif_error *err)
{
	struct eif_signer *s;
	enum eif_status st;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return eif_fail(err, EIF_E_NOMEM, "signer: out of memory");
	st = signer_certificate(s, cert_path, err);
	if (st == EIF_OK && key && strncmp(key, EIF_PKCS11_URI_PREFIX,
					   strlen(EIF_PKCS11_URI_PREFIX)) == 0)
		st = signer_token_key(s, cert_path, key, pkcs11_module, err);
	else if (st == EIF_OK && key)
		st = signer_pem_key(s, cert_path, key, err);
	if (st != EIF_OK) {
		eif_signer_free(s);
		return st;
	}
	*out = s;
	return EIF_OK;
}

enum eif_status eif_signer_load(struct eif_signer **out, const char *cert_path,
				const char *key, struct eif_error *err)
{
	return eif_signer_open(out, cert_path, key, NULL, err);
}

void eif_signer_free(struct eif_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	eif_pkcs11_close(s->token);
	free(s->detached_tbs);
	X509_free(s->cert);
	free(s->cert_pem);
	free(s);
}

void eif_signer_pcr8(const struct eif_signer *s, unsigned char pcr8[EIF_PCR_SIZE])
{
	memcpy(pcr8, s->pcr8, EIF_PCR_SIZE);
}

/* ECDSA over the Sig_structure with the token's key; the token returns r || s. */
static enum eif_status token_sign(const struct eif_signer *s, const unsigned char *tbs,
				  size_t tbs_len, unsigned char *raw, struct eif_error *err)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned digest_len;
	char why[256];

	if (!EVP_Digest(tbs, tbs_len, digest, &digest_len, s->curve->md(), NULL))
		return eif_fail(err, EIF_E_CRYPTO, "hashing the Sig_structure failed: %s",
				eif_openssl_reason(why, sizeof(why)));
	return eif_pkcs11_sign_digest(s->token, digest, digest_len, raw, 2 * s->curve->coordinate,
				      err);
}

/* ECDSA over the Sig_structure, converted from DER to COSE's raw r || s. */
static enum eif_status ecdsa_sign(const struct eif_signer *s, const unsigned char *tbs,
				  size_t tbs_len, unsigned char *raw, struct eif_error *err)
{
	if (s->token)
		return token_sign(s, tbs, tbs_len, raw, err);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char der[160];
	size_t der_len = sizeof(der);
	ECDSA_SIG *sig = NULL;
	const unsigned char *p = der;
	char why[256];
	enum eif_status st = EIF_E_CRYPTO;

	if (!ctx || EVP_DigestSignInit(ctx, NULL, s->curve->md(), NULL, s->key) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, tbs, tbs_len) != 1 ||
	    !(sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) ||
	    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, (int)s->curve->coordinate) < 0 ||
	    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + s->curve->coordinate,
			 (int)s->curve->coordinate) < 0)
		eif_fail(err, EIF_E_CRYPTO, "signing with ECDSA %s failed: %s",
			 s->curve->name, eif_openssl_reason(why, sizeof(why)));
	else
		st = EIF_OK;
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return st;
}

/* What a signer signs: payload, protected header and the Sig_structure over them. For PCR0
 * the payload is encoded into pcr_payload; any other payload is the caller's. */
struct signing_input {
	unsigned char pcr_payload[EIF_PCR_PAYLOAD_MAX], protected_hdr[16];
	const unsigned char *payload;
	size_t payload_len, protected_len;
	unsigned char *tbs;
	size_t tbs_len;
};

/* The one Sig_structure builder of the signer: protected header for the curve, then
 * Sig_structure over it and payload (which must outlive in). */
static enum eif_status signing_input_over(const struct curve *c, const unsigned char *payload,
					  size_t payload_len, struct signing_input *in,
					  struct eif_error *err)
{
	in->tbs = NULL;
	in->payload = payload;
	in->payload_len = payload_len;
	in->protected_len = eif_cose_protected_encode(c->alg, in->protected_hdr);
	return eif_cose_sig_structure(in->protected_hdr, in->protected_len, payload, payload_len,
				      &in->tbs, &in->tbs_len, err);
}

static enum eif_status signing_input(const struct curve *c, const unsigned char pcr0[EIF_PCR_SIZE],
				     struct signing_input *in, struct eif_error *err)
{
	size_t len;
	enum eif_status st;

	in->tbs = NULL;
	st = eif_pcr_payload_encode(0, pcr0, EIF_PCR_SIZE, in->pcr_payload, &len, err);
	if (st != EIF_OK)
		return st;
	return signing_input_over(c, in->pcr_payload, len, in, err);
}

enum eif_status eif_signer_sign_cose(const struct eif_signer *s, const unsigned char *payload,
				     size_t payload_len, unsigned char **cose, size_t *cose_len,
				     struct eif_error *err)
{
	struct signing_input in;
	unsigned char raw[2 * 66];
	enum eif_status st;

	*cose = NULL;
	if (!s->key && !s->token)
		return eif_fail(err, EIF_E_USAGE, "signing a COSE_Sign1 payload needs a private key "
				"or a PKCS#11 token key");
	st = signing_input_over(s->curve, payload, payload_len, &in, err);
	if (st == EIF_OK)
		st = ecdsa_sign(s, in.tbs, in.tbs_len, raw, err);
	if (st == EIF_OK)
		st = eif_cose_sign1_encode(in.protected_hdr, in.protected_len, in.payload,
					   in.payload_len, raw, 2 * s->curve->coordinate, cose,
					   cose_len, err);
	free(in.tbs);
	return st;
}

enum eif_status eif_signer_tbs(const struct eif_signer *s, const unsigned char pcr0[EIF_PCR_SIZE],
			       struct eif_tbs *out, struct eif_error *err)
{
	struct signing_input in;
	unsigned digest_len;
	char why[256];
	enum eif_status st = signing_input(s->curve, pcr0, &in, err);

	memset(out, 0, sizeof(*out));
	if (st != EIF_OK)
		return st;
	if (!EVP_Digest(in.tbs, in.tbs_len, out->digest, &digest_len, s->curve->md(), NULL)) {
		free(in.tbs);
		return eif_fail(err, EIF_E_CRYPTO, "hashing the Sig_structure failed: %s",
				eif_openssl_reason(why, sizeof(why)));
	}
	out->tbs = in.tbs;
	out->tbs_len = in.tbs_len;
	out->digest_len = digest_len;
	out->algorithm = s->curve->alg_name;
	out->curve = s->curve->name;
	out->digest_name = s->curve->digest_name;
	out->openssl_digest = s->curve->openssl_digest;
	memcpy(out->pcr0, pcr0, EIF_PCR_SIZE);
	memcpy(out->pcr8, s->pcr8, EIF_PCR_SIZE);
	return EIF_OK;
}

void eif_tbs_free(struct eif_tbs *tbs)
{
	free(tbs->tbs);
	tbs->tbs = NULL;
}

/* Accepts the signature made elsewhere only if the certificate verifies it over this
 * Sig_structure; otherwise says whether the image or the key is the cause, when it can. */
static enum eif_status detached_check(const struct eif_signer *s,
				      const unsigned char pcr0[EIF_PCR_SIZE],
				      const struct signing_input *in, unsigned char *raw,
				      struct eif_error *err)
{
	EVP_PKEY *key = X509_get0_pubkey(s->cert);
	char why[256], hex[EIF_PCR_HEX_SIZE];
	int ok = sign_ecdsa_verify(key, s->curve, s->detached, in->tbs, in->tbs_len, why, sizeof(why));

	if (ok < 0)
		return eif_fail(err, EIF_E_CRYPTO, "cannot check the given signature: %s", why);
	if (ok) {
		memcpy(raw, s->detached, s->detached_len);
		return EIF_OK;
	}
	eif_hex(pcr0, EIF_PCR_SIZE, hex);
	if (!s->detached_tbs)
		return eif_fail(err, EIF_E_SIGNATURE, "the given signature does not verify under the "
				"signing certificate's key over the Sig_structure of PCR0 %s: it was "
				"made for another image or with another key; sign what 'eif sign "
				"--tbs-out' writes now with the certificate's key (add --tbs FILE to "
				"find out which)", hex);
	int same_tbs = s->detached_tbs_len == in->tbs_len &&
		       memcmp(s->detached_tbs, in->tbs, in->tbs_len) == 0;
	if (!same_tbs && sign_ecdsa_verify(key, s->curve, s->detached, s->detached_tbs,
					   s->detached_tbs_len, why, sizeof(why)) == 1)
		return eif_fail(err, EIF_E_SIGNATURE, "the given signature is for another PCR0: it "
				"signs the Sig_structure in the --tbs file, but the EIF's PCR0 is "
				"now %s (the image changed after --tbs-out); export it again with "
				"--tbs-out and sign that", hex);
	return eif_fail(err, EIF_E_SIGNATURE, "the given signature was made with another key: "
			"it does not verify under the signing certificate's %s key over %s; "
			"sign with the key of the certificate", s->curve->name,
			same_tbs ? "the Sig_structure of the EIF's PCR0" :
			"either the EIF's Sig_structure or the --tbs file");
}

/* The curve whose r and s have at most this many bytes, smallest first (NULL: none). */
static const struct curve *smallest_curve_for(size_t bytes)
{
	for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
		if (bytes <= curves[i].coordinate)
			return &curves[i];
	return NULL;
}

/* Length a DER SEQUENCE header at sig announces (header included), 0 if it is none. */
static size_t der_announced(const unsigned char *sig, size_t len)
{
	if (len < 2 || sig[0] != 0x30)
		return 0;
	if (sig[1] < 0x80)
		return (size_t)sig[1] + 2;
	return sig[1] == 0x81 && len > 2 ? (size_t)sig[2] + 3 : 0;
}

/* DER ECDSA-Sig-Value (what openssl dgst -sign, KMS and most HSM APIs give) or raw r || s
 * (what COSE stores) into s->detached; says how a signature of the wrong shape is wrong. */
static enum eif_status parse_signature(struct eif_signer *s, const unsigned char *sig,
				       size_t len, const char *path, struct eif_error *err)
{
	const struct curve *c = s->curve;
	size_t raw_len = 2 * c->coordinate;
	const unsigned char *p = sig;
	ECDSA_SIG *der = len > 0 && sig[0] == 0x30 ? d2i_ECDSA_SIG(NULL, &p, (long)len) : NULL;
	enum eif_status st = EIF_OK;

	ERR_clear_error();
	if (der) {
		const BIGNUM *r = ECDSA_SIG_get0_r(der), *sv = ECDSA_SIG_get0_s(der);
		size_t r_len = (size_t)BN_num_bytes(r), s_len = (size_t)BN_num_bytes(sv);
		size_t longest = r_len > s_len ? r_len : s_len;
		const struct curve *fits = smallest_curve_for(longest);
		if (p != sig + len)
			st = eif_fail(err, EIF_E_USAGE, "signature '%s': padded: %zu bytes follow the "
				      "%zu-byte DER signature; pass the signer's output unchanged",
				      path, len - (size_t)(p - sig), (size_t)(p - sig));
		else if (longest > c->coordinate)
			st = eif_fail(err, EIF_E_USAGE, "signature '%s': wrong curve: r or s has %zu "
				      "bytes, more than a %s signature can; sign with the "
				      "certificate's %s key", path, longest, c->name, c->name);
		else if (longest > 0 && fits != c && longest * 4 < c->coordinate * 3)
			/* for a P-384 key, r and s both below 2^256 has probability 2^-256 */
			st = eif_fail(err, EIF_E_USAGE, "signature '%s': wrong curve: r and s have "
				      "at most %zu bytes, as a %s key makes; the signing certificate "
				      "holds a %s key; sign with it", path, longest, fits->name,
				      c->name);
		else if (BN_bn2binpad(r, s->detached, (int)c->coordinate) < 0 ||
			 BN_bn2binpad(sv, s->detached + c->coordinate, (int)c->coordinate) < 0)
			st = eif_fail(err, EIF_E_CRYPTO, "signature '%s': cannot convert r and s",
				      path);
		ECDSA_SIG_free(der);
	} else if (len == raw_len) {
		memcpy(s->detached, sig, len);
	} else if (der_announced(sig, len) > len) {
		st = eif_fail(err, EIF_E_USAGE, "signature '%s': truncated: its DER header announces "
			      "%zu bytes, the file has %zu; copy the whole signature", path,
			      der_announced(sig, len), len);
	} else {
		const struct curve *raw_curve = NULL;
		for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
			if (len == 2 * curves[i].coordinate)
				raw_curve = &curves[i];
		if (raw_curve)
			st = eif_fail(err, EIF_E_USAGE, "signature '%s': wrong curve: %zu bytes is a "
				      "raw %s (%s) signature; the signing certificate holds a %s key, "
				      "whose raw r || s is %zu bytes", path, len, raw_curve->name,
				      raw_curve->alg_name, c->name, raw_len);
		else
			st = eif_fail(err, EIF_E_USAGE, "signature '%s': %zu bytes is neither a DER "
				      "ECDSA signature nor a raw %zu-byte r || s (%s): %s", path, len,
				      raw_len, c->alg_name, len < raw_len ? "truncated" : "padded");
	}
	if (st == EIF_OK)
		s->detached_len = raw_len;
	return st;
}

enum eif_status eif_signer_load_signature(struct eif_signer *s, const char *signature_path,
					  const char *tbs_path, struct eif_error *err)
{
	unsigned char *sig;
	size_t len;
	enum eif_status st;

	if (s->key || s->token)
		return eif_fail(err, EIF_E_USAGE, "a signature made elsewhere replaces the private "
				"key; give one or the other");
	st = eif_read_small_file(signature_path, "signature", SIGNATURE_FILE_MAX, &sig, &len, err);
	if (st != EIF_OK)
		return st;
	st = parse_signature(s, sig, len, signature_path, err);
	free(sig);
	if (st == EIF_OK && tbs_path)
		st = eif_read_small_file(tbs_path, "Sig_structure (--tbs)", SIGNATURE_FILE_MAX,
					 &s->detached_tbs, &s->detached_tbs_len, err);
	return st;
}

enum eif_status eif_signature_section_build(const struct eif_signer *s,
					    const unsigned char pcr0[EIF_PCR_SIZE],
					    unsigned char **section, size_t *len,
					    struct eif_error *err)
{
	struct signing_input in;
	unsigned char raw[2 * 66], *cose = NULL;
	size_t cose_len;
	enum eif_status st;

	*section = NULL;
	st = signing_input(s->curve, pcr0, &in, err);
	if (st == EIF_OK && s->detached_len)
		st = detached_check(s, pcr0, &in, raw, err);
	else if (st == EIF_OK && (s->key || s->token))
		st = ecdsa_sign(s, in.tbs, in.tbs_len, raw, err);
	else if (st == EIF_OK)
		st = eif_fail(err, EIF_E_USAGE, "signing needs a private key or a signature made "
			      "elsewhere (eif sign --signature)");
	if (st == EIF_OK)
		st = eif_cose_sign1_encode(in.protected_hdr, in.protected_len, in.payload,
					   in.payload_len, raw, 2 * s->curve->coordinate, &cose,
					   &cose_len, err);
	if (st == EIF_OK)
		st = eif_signature_section_encode(s->cert_pem, s->cert_len, cose, cose_len,
						  section, len, err);
	free(in.tbs);
	free(cose);
	if (st == EIF_OK && *len > EIF_SIGNATURE_MAX_SIZE) {
		free(*section);
		*section = NULL;
		return eif_fail(err, EIF_E_LIMIT, "signature section: %zu bytes exceed the %d-byte "
				"limit; use a shorter signing certificate", *len,
				EIF_SIGNATURE_MAX_SIZE);
	}
	return st;
}
