/* eif/lib/cose.c and eif/lib/sign.c: TV-5, TV-6, TV-14 (docs/eif-format.md#test-vectors), a
 * sign/verify round trip, tampering and malformed sections.
 * usage: sign-unit TV14_CERT.pem TV14_SIGNATURE.hex CERT.pem KEY.pem OTHER_CERT.pem
 * (the last three: a throwaway P-384 pair and an unrelated certificate, made by the caller). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eif/cose.h>
#include <eif/sign.h>
#include "tap.h"

static const char TV1_PCR0[] = "d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8"
			       "a409f42073234d1c5c990a787dbf0b61";

static size_t from_hex(const char *hex, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned v;

	for (const char *h = hex; *h && n < cap;) {
		if (*h == ' ' || *h == '\n') {
			h++;
			continue;
		}
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (unsigned char)v;
		h += 2;
	}
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(1 << 20);
	size_t n = f && buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;

	if (f)
		fclose(f);
	if (!buf || n == 0) {
		printf("Bail out! cannot read %s\n", path);
		exit(1);
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void test_tv5_tv6(void)
{
	unsigned char value[48], payload[EIF_PCR_PAYLOAD_MAX], *section;
	size_t len;
	struct eif_error err = { 0 };

	for (int i = 0; i < 48; i++)
		value[i] = (unsigned char)i;
	ok(eif_pcr_payload_encode(0, value, 48, payload, &len, &err) == EIF_OK, "TV-5 encodes");
	is_hex(payload, len,
	       "a26e72656769737465725f696e646578006e72656769737465725f76616c75659830000102030405"
	       "060708090a0b0c0d0e0f101112131415161718181819181a181b181c181d181e181f182018211822"
	       "1823182418251826182718281829182a182b182c182d182e182f", "TV-5 PcrInfo bytes");

	static const char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	static const unsigned char sig[] = { 0xd2, 0x84, 0x44, 0xa1, 0x01, 0x38, 0x22, 0xa0, 0x40, 0x40 };
	ok(eif_signature_section_encode((const unsigned char *)cert, strlen(cert), sig, sizeof(sig),
					&section, &len, &err) == EIF_OK, "TV-6 encodes");
	is_hex(section, len,
	       "81a2737369676e696e675f6365727469666963617465983b182d182d182d182d182d184218451847"
	       "1849184e182018431845185218541849184618491843184118541845182d182d182d182d182d0a18"
	       "4d1849184918420a182d182d182d182d182d1845184e1844182018431845185218541849184618491"
	       "843184118541845182d182d182d182d182d0a697369676e61747572658a18d21884184418a1011838"
	       "182218a018401840", "TV-6 signature section bytes");
	struct eif_pcr_signature parsed;
	ok(eif_signature_section_parse(section, len, &parsed, &err) == EIF_OK &&
	   parsed.cert_len == strlen(cert) && memcmp(parsed.cert, cert, parsed.cert_len) == 0 &&
	   parsed.cose_len == sizeof(sig) && memcmp(parsed.cose, sig, sizeof(sig)) == 0 &&
	   parsed.count == 1, "TV-6 parses back to the same certificate and signature bytes");
	eif_pcr_signature_free(&parsed);
	free(section);
}

static void test_tv14(const char *cert_path, const char *hex_path)
{
	size_t hex_len, cert_len, len;
	char *hex = slurp(hex_path, &hex_len);
	char *cert = slurp(cert_path, &cert_len);
	unsigned char *section = malloc(hex_len), pcr0[48], *again;
	struct eif_error err = { 0 };
	struct eif_pcr_signature sig;
	struct eif_cose_sign1 cose;
	struct eif_cert_info info;

	len = from_hex(hex, section, hex_len);
	from_hex(TV1_PCR0, pcr0, sizeof(pcr0));
	is_int((long long)len, 1829, "TV-14 section is 1829 bytes");
	is_int(eif_signature_verify(section, len, pcr0, &err), EIF_SIGNATURE_VALID,
	       "TV-14 signature verifies against tv1's PCR0");
	if (err.msg[0])
		printf("# %s\n", err.msg);

	ok(eif_signature_section_parse(section, len, &sig, &err) == EIF_OK, "TV-14 section parses");
	ok(sig.cert_len == cert_len && memcmp(sig.cert, cert, cert_len) == 0,
	   "TV-14 certificate is the PEM file, byte for byte (680 bytes)");
	is_int((long long)sig.cose_len, 230, "TV-14 COSE_Sign1 is 230 bytes");
	is_hex(sig.cose, 9, "8444a1013822a0587b", "TV-14 COSE_Sign1 starts 8444a1013822a0587b");
	ok(eif_cose_sign1_parse(sig.cose, sig.cose_len, &cose, &err) == EIF_OK &&
	   cose.alg == EIF_COSE_ALG_ES384 && cose.payload_len == 123 && cose.signature_len == 96,
	   "TV-14 COSE: ES384, 123-byte payload, 96-byte signature");
	is_hex(cose.payload, 20, "a26e7265676973746572 5f696e646578006e7265", "TV-14 payload head");
	is_hex(cose.payload + 32, 8, "983018d818341879", "TV-14 payload register_value head");
	ok(eif_signature_section_encode(sig.cert, sig.cert_len, sig.cose, sig.cose_len, &again,
					&len, &err) == EIF_OK && len == 1829 &&
	   memcmp(again, section, len) == 0, "TV-14 section re-encodes byte for byte");
	free(again);
	eif_pcr_signature_free(&sig);

	ok(eif_signature_cert_info(section, 1829, &info, &err) == EIF_OK, "TV-14 certificate info");
	is_hex(info.pcr8, 48, "d22d54f6435331797fec2b2b162b705f436737eb3a3cf3b50725468e410c4c0e"
	       "3fd693422c7195fd067a214780b311d4", "TV-14 PCR8");
	is_hex(info.fingerprint, 4, "35fd8e61", "TV-14 fingerprint starts 35fd8e61");
	is_hex(info.fingerprint + 44, 4, "c250f769", "TV-14 fingerprint ends c250f769");
	ok(info.issuer_count == 2 && strcmp(info.issuer[0].name, "commonName") == 0 &&
	   strcmp(info.issuer[0].value, "eif-test") == 0 &&
	   strcmp(info.issuer[1].name, "organizationName") == 0 &&
	   strcmp(info.issuer[1].value, "Example") == 0, "TV-14 issuer commonName, organizationName");
	ok(strcmp(info.algorithm, "ecdsa-with-SHA384") == 0, "TV-14 algorithm ecdsa-with-SHA384");
	ok(strcmp(info.not_before, "Nov 22 12:21:50 2026 GMT") == 0 &&
	   strcmp(info.not_after, "Oct 29 12:21:50 2126 GMT") == 0, "TV-14 validity text");
	is_int(info.not_before_unix, 1795350110, "TV-14 notBefore as seconds");
	ok(strncmp(info.signature, "30:64:02:30:72:E7:EC:87", 23) == 0 &&
	   strlen(info.signature) == 102 * 3 - 1, "TV-14 certificate signature XX:XX (102 bytes)");
	eif_cert_info_free(&info);

	unsigned char pcr8[48];
	ok(eif_cert_pcr8_from_pem((unsigned char *)cert, cert_len, pcr8, &err) == EIF_OK,
	   "PCR8 from the PEM file");
	is_hex(pcr8, 48, "d22d54f6435331797fec2b2b162b705f436737eb3a3cf3b50725468e410c4c0e"
	       "3fd693422c7195fd067a214780b311d4", "PCR8 from the PEM file matches TV-14");

	/* tampering */
	pcr0[47] ^= 1;
	is_int(eif_signature_verify(section, 1829, pcr0, &err), EIF_SIGNATURE_WRONG_PCR0,
	       "TV-14 against another PCR0: WRONG_PCR0");
	pcr0[47] ^= 1;
	section[1829 - 3] ^= 0x01;	/* inside the last signature byte (18 xx) */
	is_int(eif_signature_verify(section, 1829, pcr0, &err), EIF_SIGNATURE_BAD,
	       "TV-14 with a flipped signature bit: BAD");
	section[1829 - 3] ^= 0x01;
	int corrupt = 0;
	for (size_t cut = 0; cut < 1829; cut++)
		corrupt += eif_signature_verify(section, cut, pcr0, &err) == EIF_SIGNATURE_CORRUPT;
	is_int(corrupt, 1829, "every truncation of TV-14 is CORRUPT");
	is_int(eif_signature_verify(NULL, 0, pcr0, &err), EIF_SIGNATURE_UNSIGNED, "NULL section: UNSIGNED");
	free(section);
	free(hex);
	free(cert);
}

static void test_cose_parse(void)
{
	static const struct { const char *hex; const char *why; const char *what; } cases[] = {
		{ "8444a1013822a0430102034100", NULL, "untagged ES384" },
		{ "d28444a1013822a0430102034100", NULL, "tag 18" },
		{ "8444a1013822a201020304430102034100", NULL, "unprotected header entries skipped" },
		{ "8543a10126a0404040", "array of 5", "array of 5 (only 4 elements)" },
		{ "d1 8444a1013822a0430102034100", "tag 17", "tag 17 (COSE_Mac0)" },
		{ "d2", "truncated", "tag without content" },
		{ "8340a040", "array of 3", "array of 3" },
		{ "8440a0404100", "protected header: byte 0", "empty protected header" },
		{ "8443a10203a0404100", "no algorithm", "protected header without alg" },
		{ "8447a2013822013822a0404100", "alg appears twice", "alg twice" },
		{ "8444a1016141a0404100", "an integer alg", "alg not an integer" },
		{ "8444a1013822a0f64100", "the payload", "nil (detached) payload" },
		{ "8444a1013822a0408100", "the signature", "signature not a byte string" },
		{ "8444a1013822a040410000", "end of the structure", "trailing byte" },
		{ "8445a101382200a0404100", "end of the header", "bytes after the protected map" },
	};
	unsigned char buf[64];
	struct eif_cose_sign1 cose;
	struct eif_error err;
	char what[96];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = from_hex(cases[i].hex, buf, sizeof(buf));
		err.msg[0] = '\0';
		enum eif_status st = eif_cose_sign1_parse(buf, n, &cose, &err);
		snprintf(what, sizeof(what), "COSE_Sign1 %s: %s", cases[i].what,
			 cases[i].why ? "rejected for that reason" : "accepted");
		ok(cases[i].why ? st == EIF_E_FORMAT && strstr(err.msg, cases[i].why) : st == EIF_OK,
		   what);
		if (st != EIF_OK)
			printf("# %s\n", err.msg);
	}
}

static void test_malformed_sections(void)
{
	static const struct { const char *hex; const char *what; } bad[] = {
		{ "80", "empty signature array" },
		{ "a0", "a map instead of an array" },
		{ "81a0", "PcrSignature without fields" },
		{ "81a1737369676e696e675f636572746966696361746580", "no signature field" },
		{ "81a2737369676e696e675f6365727469666963617465806973"
		  "69676e617475726580" "00", "trailing byte" },
		{ "81a2737369676e696e675f636572746966696361746541006973"
		  "69676e617475726580", "certificate as a byte string" },
		{ "81a2737369676e696e675f636572746966696361746581190100"
		  "697369676e617475726580", "certificate byte 256" },
		{ "81a2737369676e696e675f636572746966696361746580737369676e696e675f63"
		  "65727469666963617465 80", "duplicate certificate field" },
		{ "9f a0 ff", "indefinite array" },
	};
	unsigned char buf[256], pcr0[48] = { 0 };
	struct eif_error err;
	char what[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = from_hex(bad[i].hex, buf, sizeof(buf));
		err.msg[0] = '\0';
		enum eif_signature_result r = eif_signature_verify(buf, n, pcr0, &err);
		snprintf(what, sizeof(what), "corrupt section: %s", bad[i].what);
		is_int(r, EIF_SIGNATURE_CORRUPT, what);
		ok(err.msg[0] != '\0', "  ... with a message");
		printf("# %s\n", err.msg);
	}
	/* a section of valid shape whose certificate is not PEM */
	static const char junk[] = "81a2737369676e696e675f63657274696669636174658118616973"
				   "69676e61747572658a18d21884184418a1011838182218a018401840";
	size_t n = from_hex(junk, buf, sizeof(buf));
	is_int(eif_signature_verify(buf, n, pcr0, &err), EIF_SIGNATURE_CORRUPT,
	       "section whose certificate is not PEM: CORRUPT");
	printf("# %s\n", err.msg);
}

static void test_round_trip(const char *cert, const char *key, const char *other_cert)
{
	struct eif_signer *signer;
	struct eif_error err = { 0 };
	unsigned char pcr0[48], pcr8[48], *s1, *s2;
	size_t n1, n2;
	struct eif_cert_info info;

	for (int i = 0; i < 48; i++)
		pcr0[i] = (unsigned char)(255 - 3 * i);
	ok(eif_signer_load(&signer, cert, key, &err) == EIF_OK, "load the throwaway P-384 pair");
	if (!signer) {
		printf("# %s\n", err.msg);
		return;
	}
	ok(eif_signature_section_build(signer, pcr0, &s1, &n1, &err) == EIF_OK, "sign PCR0");
	ok(eif_signature_section_build(signer, pcr0, &s2, &n2, &err) == EIF_OK, "sign PCR0 again");
	ok(n1 != n2 || memcmp(s1, s2, n1) != 0, "signatures are randomized (as AWS's)");
	is_int(eif_signature_verify(s1, n1, pcr0, &err), EIF_SIGNATURE_VALID, "first verifies");
	is_int(eif_signature_verify(s2, n2, pcr0, &err), EIF_SIGNATURE_VALID, "second verifies");
	eif_signer_pcr8(signer, pcr8);
	ok(eif_signature_cert_info(s1, n1, &info, &err) == EIF_OK &&
	   memcmp(info.pcr8, pcr8, 48) == 0, "signer's PCR8 equals the section's");
	eif_cert_info_free(&info);
	pcr0[0] ^= 0x80;
	is_int(eif_signature_verify(s1, n1, pcr0, &err), EIF_SIGNATURE_WRONG_PCR0,
	       "verify against another PCR0: WRONG_PCR0");
	free(s1);
	free(s2);
	eif_signer_free(signer);

	err.msg[0] = '\0';
	ok(eif_signer_load(&signer, other_cert, key, &err) == EIF_E_USAGE && !signer,
	   "a key that does not match the certificate is refused");
	printf("# %s\n", err.msg);
	ok(eif_signer_load(&signer, cert, "/nonexistent/key.pem", &err) == EIF_E_IO && !signer,
	   "a missing key file is an I/O error");
	printf("# %s\n", err.msg);
	ok(eif_signer_load(&signer, key, key, &err) == EIF_E_FORMAT && !signer,
	   "a key given as certificate is refused");
	printf("# %s\n", err.msg);
	ok(eif_signer_load(&signer, cert, cert, &err) == EIF_E_FORMAT && !signer,
	   "a certificate given as key is refused");
	printf("# %s\n", err.msg);
}

/* Our section for tv1's PCR0 differs from TV-14's only in the certificate and r || s. */
static void test_same_shape_as_tv14(const char *hex_path, const char *cert, const char *key)
{
	size_t hex_len, len, ours_len;
	char *hex = slurp(hex_path, &hex_len);
	unsigned char *tv14 = malloc(hex_len), pcr0[48], *ours = NULL;
	struct eif_pcr_signature a, b;
	struct eif_cose_sign1 ca, cb;
	struct eif_signer *signer;
	struct eif_error err;

	len = from_hex(hex, tv14, hex_len);
	from_hex(TV1_PCR0, pcr0, sizeof(pcr0));
	ok(eif_signer_load(&signer, cert, key, &err) == EIF_OK &&
	   eif_signature_section_build(signer, pcr0, &ours, &ours_len, &err) == EIF_OK,
	   "sign tv1's PCR0 with the throwaway key");
	ok(ours && eif_signature_section_parse(tv14, len, &a, &err) == EIF_OK &&
	   eif_signature_section_parse(ours, ours_len, &b, &err) == EIF_OK &&
	   eif_cose_sign1_parse(a.cose, a.cose_len, &ca, &err) == EIF_OK &&
	   eif_cose_sign1_parse(b.cose, b.cose_len, &cb, &err) == EIF_OK, "both sections parse");
	ok(ca.protected_len == cb.protected_len &&
	   memcmp(ca.protected_hdr, cb.protected_hdr, ca.protected_len) == 0,
	   "protected header bytes equal TV-14's");
	ok(ca.payload_len == cb.payload_len && memcmp(ca.payload, cb.payload, ca.payload_len) == 0,
	   "payload bytes equal TV-14's (123 bytes)");
	ok(a.cose_len == b.cose_len && memcmp(a.cose, b.cose, a.cose_len - 96) == 0,
	   "COSE_Sign1 equals TV-14's up to the 96 signature bytes");
	eif_pcr_signature_free(&a);
	eif_pcr_signature_free(&b);
	eif_signer_free(signer);
	free(ours);
	free(tv14);
	free(hex);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 6) {
		printf("Bail out! usage: %s TV14_CERT TV14_SIGNATURE_HEX CERT KEY OTHER_CERT\n", argv[0]);
		return 1;
	}
	test_tv5_tv6();
	test_tv14(argv[1], argv[2]);
	test_cose_parse();
	test_malformed_sections();
	test_round_trip(argv[3], argv[4], argv[5]);
	test_same_shape_as_tv14(argv[2], argv[3], argv[4]);
	return done();
}
