#!/bin/sh
# eif sign / eif build --private-key pkcs11:URI with a P-384 key generated on a SoftHSM2 token in
# a temporary directory: the image verifies, openssl verifies its COSE signature over a
# Sig_structure this test builds (tests/sign/cose.pl), and a wrong PIN, a missing token or
# object, a key on another curve, another key and a missing PIN are refused by name with the
# EIF left byte-identical.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"

for tool in softhsm2-util pkcs11-tool openssl perl /usr/lib/*/p11-kit-proxy.so; do
	command -v "$tool" >/dev/null || "$TOP/scripts/ensure-packages" check >&2 ||
		bail "$tool is missing (configs/packages/check)"
done
module=
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
	[ -f "$m" ] && { module=$m; break; }
done
[ -n "$module" ] || bail "libsofthsm2.so not found (package softhsm2)"

# the token lives in $work only
mkdir "$work/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$work" \
	>"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
unset EIF_PKCS11_PIN PKCS11_PROVIDER_MODULE
p11() { pkcs11-tool --module "$module" --token-label eif-test "$@" >>"$work/p11.log" 2>&1; }
softhsm2-util --init-token --free --label eif-test --so-pin 5678 --pin 1234 >"$work/p11.log" 2>&1 ||
	bail "softhsm2-util --init-token failed: $(cat "$work/p11.log")"
p11 --login --pin 1234 --keypairgen --key-type EC:secp384r1 --label enclave --id 01 ||
	bail "pkcs11-tool --keypairgen failed: $(cat "$work/p11.log")"

# a certificate for the token's public key: SubjectPublicKeyInfo from the EC point, issued by a CA
point=$(pkcs11-tool --module "$module" --token-label eif-test --list-objects --type pubkey 2>/dev/null |
	sed -n 's/^ *EC_POINT: *046104/04/p')
[ ${#point} -eq 194 ] || bail "no P-384 EC_POINT from pkcs11-tool --list-objects: '$point'"
printf '3076301006072a8648ce3d020106052b81040022036200%s' "$point" |
	perl -ne 'print pack("H*", $_)' >"$work/token-pub.der"
openssl pkey -pubin -inform DER -in "$work/token-pub.der" -out "$work/token-pub.pem" 2>>"$work/p11.log" &&
	make_pair ca && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes \
		-keyout "$work/throwaway.key" -subj "/CN=token key/O=enclave-kit test" \
		-out "$work/token.csr" 2>>"$work/p11.log" &&
	openssl x509 -req -in "$work/token.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
		-force_pubkey "$work/token-pub.pem" -days 2 -sha384 -out "$work/token.pem" \
		>>"$work/p11.log" 2>&1 || bail "certificate for the token key: $(cat "$work/p11.log")"
# a P-256 key on the same token, for the wrong-curve case
p11 --login --pin 1234 --keypairgen --key-type EC:prime256v1 --label p256 --id 02 ||
	bail "pkcs11-tool --keypairgen P-256 failed: $(cat "$work/p11.log")"
printf '1234\n' >"$work/pin"

uri="pkcs11:token=eif-test;object=enclave;type=private?pin-source=file:$work/pin"
tv1_eif "$work/tv1.eif"
cp "$work/tv1.eif" "$work/t.eif"
"$EIF" sign "$work/t.eif" --signing-certificate "$work/token.pem" --private-key "$uri" \
	--pkcs11-module "$module" >"$work/sign.json" 2>"$work/err"
is "$?" 0 "eif sign --private-key pkcs11:... (PIN from pin-source): exit 0" || diag "$(cat "$work/err")"
out=$("$EIF" verify "$work/t.eif" --signing-certificate "$work/token.pem" 2>&1)
is "$?" 0 "eif verify of the token-signed EIF: exit 0" || diag "$out"
pcr8=$("$EIF" pcr --signing-certificate "$work/token.pem" | json_field PCR8)
is "$(json_field PCR8 <"$work/sign.json")" "$pcr8" "PCR8 is the token certificate's"
"$EIF" verify "$work/t.eif" --pcr8 "$pcr8" >/dev/null 2>&1
is "$?" 0 "eif verify --pcr8 of the token certificate: exit 0"

# openssl checks the COSE signature over a Sig_structure built here, not by libeif
pcr0=$(json_field PCR0 <"$work/sign.json")
perl "$TOP/tests/sign/cose.pl" sig-structure "$pcr0" >"$work/tbs.bin"
perl "$TOP/tests/sign/cose.pl" cose "$work/t.eif" >"$work/cose.bin"
perl "$TOP/tests/sign/cose.pl" cose-prefix "$pcr0" >"$work/prefix.bin"
prefix_len=$(file_size "$work/prefix.bin")
cmp -s -n "$prefix_len" "$work/prefix.bin" "$work/cose.bin"
ok $? "the COSE_Sign1 is ES384 over PcrInfo{0, PCR0} as the spec writes it"
is "$(file_size "$work/cose.bin")" $((prefix_len + 96)) "the COSE_Sign1 ends with a 96-byte r || s"
tail -c 96 "$work/cose.bin" | perl "$TOP/tests/sign/cose.pl" raw2der >"$work/sig.der"
out=$(openssl dgst -sha384 -verify "$work/token-pub.pem" -signature "$work/sig.der" "$work/tbs.bin" 2>&1)
is "$out" "Verified OK" "openssl verifies r || s with the token's public key over our Sig_structure"

# other PIN sources, the default module (p11-kit-proxy, where softhsm2 registers) and eif build
cp "$work/tv1.eif" "$work/t2.eif"
EIF_PKCS11_PIN=1234 "$EIF" sign "$work/t2.eif" --signing-certificate "$work/token.pem" \
	--private-key "pkcs11:token=eif-test;object=enclave" --pkcs11-module "$module" >/dev/null 2>"$work/err"
is "$?" 0 "PIN from EIF_PKCS11_PIN: exit 0" || diag "$(cat "$work/err")"
"$EIF" verify "$work/t2.eif" >/dev/null 2>&1; is "$?" 0 "... and the EIF verifies"
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/token.pem" --output "$work/t3.eif" \
	--private-key "pkcs11:token=eif-test;object=enclave?pin-value=1234" >/dev/null 2>"$work/err"
is "$?" 0 "pin-value and the default module (p11-kit-proxy.so): exit 0" || diag "$(cat "$work/err")"
printf kernel >"$work/bzImage" && printf ramdisk0 >"$work/r0" && printf ramdisk1 >"$work/r1"
"$EIF" build --kernel "$work/bzImage" --cmdline console=ttyS0 --ramdisk "$work/r0" --ramdisk "$work/r1" \
	--output "$work/built.eif" --signing-certificate "$work/token.pem" --private-key "$uri" \
	--pkcs11-module "$module" >/dev/null 2>"$work/err"
is "$?" 0 "eif build --private-key pkcs11:...: exit 0" || diag "$(cat "$work/err")"
"$EIF" verify "$work/built.eif" --pcr8 "$pcr8" >/dev/null 2>&1; is "$?" 0 "... and the EIF verifies"

# the module pkcs11-provider's section of OpenSSL's configuration names (not activated here)
provider_conf() {
	printf 'openssl_conf = init_sect\n[init_sect]\nproviders = provider_sect\n[provider_sect]\n'`
		`'default = default_sect\npkcs11 = pkcs11_sect\n[default_sect]\nactivate = 1\n'`
		`'[pkcs11_sect]\npkcs11-module-path = %s\n' "$1" \
		>"$work/openssl.cnf"
}
provider_conf "$work/no-such-module.so"
OPENSSL_CONF="$work/openssl.cnf" "$EIF" sign "$work/tv1.eif" --signing-certificate "$work/token.pem" \
	--output "$work/t5.eif" --private-key "pkcs11:token=eif-test;object=enclave?pin-value=1234" \
	>/dev/null 2>"$work/err"
grep -q "no-such-module.so' cannot be loaded" "$work/err"
ok $? "the module comes from pkcs11-module-path in OpenSSL's configuration" || diag "$(cat "$work/err")"
provider_conf "$module"
OPENSSL_CONF="$work/openssl.cnf" "$EIF" sign "$work/tv1.eif" --signing-certificate "$work/token.pem" \
	--output "$work/t5.eif" --private-key "pkcs11:token=eif-test;object=enclave?pin-value=1234" \
	>/dev/null 2>"$work/err"
is "$?" 0 "... and signs with it" || diag "$(cat "$work/err")"

# RFC 7512 percent-encoding, and the key named by its CKA_ID
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/token.pem" --output "$work/t4.eif" \
	--private-key "pkcs11:token=eif%2dtest;id=%01?pin-value=%31234" --pkcs11-module "$module" \
	>/dev/null 2>"$work/err"
is "$?" 0 "percent-encoded token, id=%01 and PIN: exit 0" || diag "$(cat "$work/err")"

# refusals: the message names the cause; the EIF is byte-identical afterwards
make_pair other
cp "$work/t.eif" "$work/before.eif"
refused() {	# refused WORD DESCRIPTION CERT URI: in-place signing fails saying WORD
	EIF_PKCS11_PIN= "$EIF" sign "$work/t.eif" --signing-certificate "$3" --private-key "$4" \
		--pkcs11-module "$module" >/dev/null 2>"$work/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "$1" "$work/err"
	ok $? "$2: refused saying '$1'" || diag "exit $rc: $(cat "$work/err")"
	cmp -s "$work/t.eif" "$work/before.eif"; ok $? "$2: the EIF is unchanged"
}
refused "wrong PIN" "wrong PIN" "$work/token.pem" "pkcs11:token=eif-test;object=enclave?pin-value=9999"
refused "token not found" "missing token" "$work/token.pem" "pkcs11:token=no-such-token;object=enclave?pin-value=1234"
refused "object not found" "missing object" "$work/token.pem" "pkcs11:token=eif-test;object=no-such-key?pin-value=1234"
refused "wrong curve" "P-256 key for a P-384 certificate" "$work/token.pem" "pkcs11:token=eif-test;object=p256?pin-value=1234"
refused "another key" "token key of another certificate" "$work/other.pem" "$uri"
refused "needs a PIN" "no PIN given" "$work/token.pem" "pkcs11:token=eif-test;object=enclave"
refused "not supported" "unknown URI attribute" "$work/token.pem" "pkcs11:token=eif-test;color=blue"
softhsm=$module module="$work/no-such-module.so"
refused "cannot be loaded" "missing PKCS#11 module" "$work/token.pem" "$uri"
module=$softhsm
refused "two hex digits" "broken percent-encoding" "$work/token.pem" "pkcs11:token=eif-test%2;object=enclave"
ls -A "$work" | grep -q '^\.'; is "$?" 1 "no temporary files left behind"
done_testing
