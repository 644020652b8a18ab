/* pkcs11: an EC private key on a PKCS#11 token, named by an RFC 7512 URI, that signs
 * digests without ever leaving the token. Internal to libeif (sign.c uses it).
 *
 * The module is the one given (eif sign --pkcs11-module), else the URI's module-path, else
 * $PKCS11_PROVIDER_MODULE (the pkcs11-provider setting), else p11-kit-proxy.so, which
 * reaches every module registered with p11-kit (Debian's opensc, softhsm2, yubihsm).
 * The PIN comes from the URI's pin-value, else its pin-source (file:PATH or PATH), else
 * $EIF_PKCS11_PIN. Each failure says which part did not match: module, token, PIN, object. */
#ifndef EIF_PKCS11_H
#define EIF_PKCS11_H

#include <stddef.h>

#include <eif/eif.h>

#define EIF_PKCS11_URI_PREFIX "pkcs11:"

struct eif_pkcs11_key;

/* Opens the module, finds exactly one token and one EC private key matching the URI and
 * logs in. *curve_oid receives the key's CKA_EC_PARAMS (a DER OID, malloc'd, free()). */
enum eif_status eif_pkcs11_open(struct eif_pkcs11_key **out, const char *uri,
				const char *module, unsigned char **curve_oid,
				size_t *curve_oid_len, struct eif_error *err);
/* CKM_ECDSA over a digest; raw r || s (sig_len = 2 * coordinate) as COSE stores it. */
enum eif_status eif_pkcs11_sign_digest(const struct eif_pkcs11_key *key,
				       const unsigned char *digest, size_t digest_len,
				       unsigned char *sig, size_t sig_len, struct eif_error *err);
/* Where the key is, for messages: "token 'x' object 'y'". */
const char *eif_pkcs11_key_name(const struct eif_pkcs11_key *key);
void eif_pkcs11_close(struct eif_pkcs11_key *key);

#endif
