#!/bin/sh
# Detached signing: eif sign --tbs-out writes the Sig_structure (checked against one built here by
# tests/sign/cose.pl), its SHA-384 and a JSON summary; openssl signs it (DER, as KMS returns, and
# raw r || s; over the bytes and over the digest); eif sign --signature inserts it and the image
# verifies with the PCR8 of a PEM-key signature. Signatures for another PCR0, by another key,
# truncated, padded or on another curve, and certificates outside their dates are refused by
# name, with the EIF left byte-identical. Also eif verify --pcr8.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"
command -v openssl >/dev/null || "$TOP/scripts/ensure-packages" check >&2 ||
	bail "openssl is missing (configs/packages/check)"
cose() { perl "$TOP/tests/sign/cose.pl" "$@"; }
sha384_hex() { openssl dgst -sha384 -r "$1" | cut -d' ' -f1; }

make_pair signer
make_pair other
tv1_eif "$work/tv1.eif"
cp "$work/tv1.eif" "$work/orig.eif"
pcr0=$("$EIF" describe "$work/tv1.eif" | json_field PCR0)
pcr8=$("$EIF" pcr --signing-certificate "$work/signer.pem" | json_field PCR8)

# step 1: what to sign
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --tbs-out "$work/req.tbs" \
	--digest-out "$work/req.dgst" >"$work/out" 2>"$work/err"
is "$?" 0 "--tbs-out --digest-out: exit 0" || diag "$(cat "$work/err")"
cmp -s "$work/tv1.eif" "$work/orig.eif"; ok $? "--tbs-out leaves the EIF as it was"
is "$(file_size "$work/out")" 0 "--tbs-out prints nothing on stdout"
grep -q "PCR0 $pcr0" "$work/err"; ok $? "PCR0 on stderr" || diag "$(cat "$work/err")"
is "$(json_field PCR0 <"$work/req.tbs.json")" "$pcr0" "PCR0 in TBS.json"
is "$(json_field PCR8 <"$work/req.tbs.json")" "$pcr8" "PCR8 the signed image will have in TBS.json"
is "$(json_field Algorithm <"$work/req.tbs.json")" ES384 "ES384 in TBS.json"
cose sig-structure "$pcr0" >"$work/expected.tbs"
cmp -s "$work/req.tbs" "$work/expected.tbs"; ok $? "TBS is the Sig_structure the spec gives for PCR0"
is "$(od -An -v -tx1 "$work/req.dgst" | tr -d ' \n')" "$(sha384_hex "$work/expected.tbs")" \
	"--digest-out holds SHA-384 of the Sig_structure"
is "$(json_field Digest <"$work/req.tbs.json")" "$(sha384_hex "$work/expected.tbs")" "the digest in TBS.json"

# the reference: the same certificate with the PEM key
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" \
	--output "$work/pem.eif" >/dev/null
pem_pcr8=$("$EIF" describe "$work/pem.eif" | json_field PCR8)

# step 2: sign elsewhere, step 3: insert
inserted() {	# inserted DESCRIPTION SIG [ARGS]: in-place insertion of SIG into a copy of tv1 verifies
	cp "$work/tv1.eif" "$work/d.eif"
	what=$1 sig=$2
	shift 2
	"$EIF" sign "$work/d.eif" --signing-certificate "$work/signer.pem" --signature "$sig" "$@" \
		>"$work/d.json" 2>"$work/err"
	is "$?" 0 "$what: inserted" || diag "$(cat "$work/err")"
	out=$("$EIF" verify "$work/d.eif" --signing-certificate "$work/signer.pem" --pcr8 "$pcr8" 2>&1)
	is "$?" 0 "$what: eif verify (certificate and --pcr8 pinned)" || diag "$out"
	is "$("$EIF" describe "$work/d.eif" | json_field PCR8)" "$pem_pcr8" "$what: PCR8 as with the PEM key"
}
openssl dgst -sha384 -sign "$work/signer.key" -out "$work/der.sig" "$work/req.tbs"
inserted "DER signature (openssl dgst -sha384 -sign)" "$work/der.sig" --tbs "$work/req.tbs"
# a raw r || s whose first byte cannot be taken for a DER header (ECDSA is randomized)
for try in 1 2 3 4 5 6 7 8; do
	openssl dgst -sha384 -sign "$work/signer.key" "$work/req.tbs" | cose der2raw >"$work/raw.sig"
	[ "$(od -An -N1 -tx1 "$work/raw.sig" | tr -d ' ')" != 30 ] && break
done
inserted "raw 96-byte r || s" "$work/raw.sig"
openssl pkeyutl -sign -inkey "$work/signer.key" -in "$work/req.dgst" -out "$work/digest.sig"
inserted "signature over the digest (as KMS MessageType DIGEST)" "$work/digest.sig"
cmp -s "$work/d.eif" "$work/pem.eif"; is "$?" 1 "(ECDSA is randomized: the images differ in r || s only)"
cose cose-prefix "$pcr0" >"$work/prefix.bin"
cose cose "$work/d.eif" >"$work/cose.bin"
cmp -s -n "$(file_size "$work/prefix.bin")" "$work/prefix.bin" "$work/cose.bin" &&
	is "$(file_size "$work/cose.bin")" $(($(file_size "$work/prefix.bin") + 96)) \
		"the inserted COSE_Sign1 is the spec's for PCR0, with a 96-byte r || s"
openssl x509 -in "$work/signer.pem" -pubkey -noout >"$work/signer.pub"
tail -c 96 "$work/cose.bin" | cose raw2der >"$work/inserted.der"
out=$(openssl dgst -sha384 -verify "$work/signer.pub" -signature "$work/inserted.der" \
	"$work/expected.tbs" 2>&1)
is "$out" "Verified OK" "openssl verifies the inserted r || s over our Sig_structure"

# refusals
cp "$work/tv1.eif" "$work/t.eif"
refused() {	# refused WORD DESCRIPTION SIGNATURE [ARGS]: in-place insertion fails saying WORD
	word=$1 what=$2 sig=$3
	shift 3
	"$EIF" sign "$work/t.eif" --signing-certificate "$work/signer.pem" --signature "$sig" "$@" \
		>/dev/null 2>"$work/err"
	rc=$?
	[ $rc -eq 1 ] && grep -q "$word" "$work/err"
	ok $? "$what: refused saying '$word'" || diag "exit $rc: $(cat "$work/err")"
	cmp -s "$work/t.eif" "$work/orig.eif"; ok $? "$what: the EIF is unchanged"
}
# another PCR0: the TBS of a changed image (a ramdisk byte flipped, CRC fixed)
cp "$work/tv1.eif" "$work/changed.eif"; flip_byte "$work/changed.eif" 878; fix_crc "$work/changed.eif"
"$EIF" sign "$work/changed.eif" --signing-certificate "$work/signer.pem" --tbs-out "$work/changed.tbs" 2>/dev/null
openssl dgst -sha384 -sign "$work/signer.key" -out "$work/changed.sig" "$work/changed.tbs"
refused "another PCR0" "signature for another PCR0" "$work/changed.sig" --tbs "$work/changed.tbs"
refused "another image or with another key" "signature for another PCR0, no --tbs" "$work/changed.sig"
openssl dgst -sha384 -sign "$work/other.key" -out "$work/other.sig" "$work/req.tbs"
refused "another key" "signature by another key" "$work/other.sig" --tbs "$work/req.tbs"
n=$(file_size "$work/der.sig")
head -c $((n - 3)) "$work/der.sig" >"$work/short.sig"
refused "truncated" "DER signature cut by 3 bytes" "$work/short.sig"
{ cat "$work/der.sig"; printf '\0\0'; } >"$work/long.sig"
refused "padded" "DER signature with 2 bytes appended" "$work/long.sig"
head -c 95 "$work/raw.sig" >"$work/short-raw.sig"
refused "truncated" "raw signature of 95 bytes" "$work/short-raw.sig"
{ cat "$work/raw.sig"; printf '\0'; } >"$work/long-raw.sig"
refused "padded" "raw signature of 97 bytes" "$work/long-raw.sig"
openssl ecparam -name prime256v1 -genkey -noout -out "$work/p256.key" 2>/dev/null
openssl dgst -sha384 -sign "$work/p256.key" -out "$work/p256.sig" "$work/req.tbs"
refused "wrong curve" "DER signature by a P-256 key" "$work/p256.sig"
head -c 64 "$work/raw.sig" >"$work/raw64.sig"
refused "wrong curve" "64-byte raw signature (P-256 size)" "$work/raw64.sig"
: >"$work/empty.sig"
refused "truncated" "empty signature file" "$work/empty.sig"

# certificates outside their validity dates, in every mode
make_dated_pair expired 20200101000000Z 20200102000000Z
make_dated_pair future 20990101000000Z 21000101000000Z
for dated in expired future; do
	word=expired; [ $dated = future ] && word="not yet valid"
	"$EIF" sign "$work/t.eif" --signing-certificate "$work/$dated.pem" --tbs-out "$work/$dated.tbs" \
		2>"$work/err"
	[ $? -eq 1 ] && grep -q "$word" "$work/err" && [ ! -e "$work/$dated.tbs" ]
	ok $? "$dated certificate: --tbs-out refused saying '$word', no TBS" || diag "$(cat "$work/err")"
	"$EIF" sign "$work/t.eif" --signing-certificate "$work/$dated.pem" --signature "$work/der.sig" \
		>/dev/null 2>"$work/err"
	[ $? -eq 1 ] && grep -q "$word" "$work/err"
	ok $? "$dated certificate: --signature refused saying '$word'" || diag "$(cat "$work/err")"
	"$EIF" sign "$work/t.eif" --signing-certificate "$work/$dated.pem" --private-key "$work/$dated.key" \
		>/dev/null 2>"$work/err"
	[ $? -eq 1 ] && grep -q "$word" "$work/err"
	ok $? "$dated certificate: --private-key refused saying '$word'" || diag "$(cat "$work/err")"
	cmp -s "$work/t.eif" "$work/orig.eif"; ok $? "$dated certificate: the EIF is unchanged"
done

# eif verify --pcr8
"$EIF" verify "$work/pem.eif" --pcr8 "$pcr8" >/dev/null 2>&1; is "$?" 0 "verify --pcr8 of the signer: exit 0"
other8=$("$EIF" pcr --signing-certificate "$work/other.pem" | json_field PCR8)
out=$("$EIF" verify "$work/pem.eif" --pcr8 "$other8" 2>&1)
is "$?" 7 "verify --pcr8 of another certificate: exit 7"
case $out in *"PCR8 is $pcr8, not $other8"*) ok 0 "... saying both PCR8 values" ;;
*) ok 1 "... saying both PCR8 values"; diag "$out" ;; esac
"$EIF" verify "$work/pem.eif" --pcr8 1234 >/dev/null 2>&1; is "$?" 2 "verify --pcr8 1234: usage error"
"$EIF" sign "$work/t.eif" --signing-certificate "$work/signer.pem" --tbs-out "$work/t.eif" 2>"$work/err"
[ $? -eq 1 ] && grep -q "must name other files" "$work/err"
ok $? "--tbs-out naming the EIF itself: refused" || diag "$(cat "$work/err")"
cmp -s "$work/t.eif" "$work/orig.eif"; ok $? "... and the EIF is unchanged"
"$EIF" sign "$work/t.eif" --signing-certificate "$work/signer.pem" --digest-out "$work/x" >/dev/null 2>&1
is "$?" 2 "--digest-out without --tbs-out: usage error"
"$EIF" sign "$work/t.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" \
	--signature "$work/der.sig" >/dev/null 2>&1
is "$?" 2 "--private-key with --signature: usage error"
ls -A "$work" | grep -q '^\.'; is "$?" 1 "no temporary files left behind"
done_testing
