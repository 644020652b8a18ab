#!/bin/sh
# eif attest on real AWS attestation documents (tests/data/attest/README): they verify with
# --time doc and the pinned root; the pinned PEM is AWS's (SHA-256 fingerprint); expectations
# match and mismatch; debug mode never passes; every one-byte change is rejected.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/attest/common.sh"
need_program "$helper"

data=$TOP/tests/data/attest
b64=$data/aws-2024-09-07.b64
root=$TOP/configs/aws-nitro-enclaves-root.pem
base64 -d "$b64" >"$work/doc.cbor" || bail "base64 -d $b64 failed"
pcr0=e72a46ca80a260fb044a125442f0c7e331813bcbaf9724d9f3857758992766f2d65710a27aa94ae3949dd54e7c9fe86a
pcr1=0343b056cd8485ca7890ddd833476d78460aed2aa161548e4e26bedf321726696257d623e8805f3f605946b3d8b0c6aa
pcr2=d5dcbdea0aa39c802f9d55ced2ea6e4d74ecec5f08fe40c508882639c9090642669106a062a3e24ee2805a3024b9b75c
pcr4=45706d7b621e4620a332e147a5ddb000b049f73d47d3e61f6b03d2069152d4df6a4a786ad1c10102b955799a9dc96b44

# the shipped root is AWS's, and the fingerprint compiled into eif is the same value
fp=$(openssl x509 -in "$root" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g')
is "$fp" 641A0321A3E244EFE456463195D606317ED7CDCC3C1756E09893F3C68F79BB5B \
	"configs/aws-nitro-enclaves-root.pem has AWS's published SHA-256 fingerprint"
compiled=$(sed -n 's/^[[:space:]]*"\([0-9a-f]\{64\}\)"$/\1/p' "$TOP/eif/include/eif/attest.h")
is "$compiled" "$(echo "$fp" | tr 'A-F' 'a-f')" "eif/attest.h pins the same fingerprint"

for chk in format root chain validity signature debug_mode; do
	attest_is "base64 document at its own time" 0 "$chk" pass "$b64" --time doc
done
is "$(jq -r .verdict "$work/verdict.json")" pass "verdict pass"
is "$(jq -r .document.timestamp "$work/verdict.json")" 1725719859545 "document timestamp in ms"
is "$(jq -r '.document.nonce | length' "$work/verdict.json")" 2048 "1024-byte nonce decoded"
attest_is "raw CBOR document" 0 signature pass "$work/doc.cbor" --time doc
attest_is "with --root the shipped PEM" 0 root pass "$work/doc.cbor" --time doc --root "$root"
attest_is "RFC 3339 time inside the leaf's 3 hours" 0 validity pass "$b64" --time 2024-09-07T16:00:00Z
attest_is "RFC 3339 time with offset" 0 validity pass "$b64" --time 2024-09-07T18:00:00+02:00
attest_is "epoch seconds after the leaf expired" 6 validity fail "$b64" --time 1725730800
reason_has "certificate is expired" "reason names the expired leaf"
attest_is "now (the leaf lived three hours in 2024)" 6 validity fail "$b64"
attest_is "before the leaf existed" 6 validity fail "$b64" --time 2024-09-07T14:00:00Z
reason_has "not yet valid" "reason says not yet valid"

# option values that mean nothing are usage errors
"$EIF" attest "$b64" --time yesterday >/dev/null 2>&1; is "$?" 2 "--time yesterday: usage error"
"$EIF" attest "$b64" --time 2024-09-07T14:37:39 >/dev/null 2>&1; is "$?" 2 "--time without zone: usage error"
"$EIF" attest "$b64" --pcr 32="$pcr0" >/dev/null 2>&1; is "$?" 2 "--pcr 32: usage error"
"$EIF" attest "$b64" --pcr 0=abc >/dev/null 2>&1; is "$?" 2 "--pcr odd hex: usage error"
"$EIF" attest "$b64" --nonce xyz >/dev/null 2>&1; is "$?" 2 "--nonce not hex: usage error"

# expectations
printf '{\n  "HashAlgorithm": "Sha384 { ... }",\n  "PCR0": "%s",\n  "PCR1": "%s",\n  "PCR2": "%s"\n}\n' \
	"$pcr0" "$pcr1" "$pcr2" >"$work/pcr.json"
attest_is "--expected with the document's PCRs" 0 pcr2 pass "$b64" --time doc --expected "$work/pcr.json"
sed "s/$pcr1/$pcr2/" "$work/pcr.json" >"$work/wrong.json"
attest_is "--expected with a wrong PCR1" 7 pcr1 fail "$b64" --time doc --expected "$work/wrong.json"
attest_is "--pcr overrides --expected" 0 pcr1 pass "$b64" --time doc --expected "$work/wrong.json" --pcr 1=$pcr1
attest_is "--pcr 4 (the instance)" 0 pcr4 pass "$b64" --time doc --pcr 4=$pcr4
attest_is "--pcr 4 wrong" 7 pcr4 fail "$b64" --time doc --pcr 4=$pcr0
ones=$(perl -e 'print "01" x 1024')
perl -e 'print "\x01" x 1024' >"$work/ones"
perl -e 'print "\x01" x 1023, "\x02"' >"$work/other"
attest_is "--nonce of 1024 bytes" 0 nonce pass "$b64" --time doc --nonce "$ones"
attest_is "--nonce wrong" 7 nonce fail "$b64" --time doc --nonce 0101
attest_is "--user-data file" 0 user_data pass "$b64" --time doc --user-data "$work/ones"
attest_is "--user-data wrong" 7 user_data fail "$b64" --time doc --user-data "$work/other"
attest_is "--public-key file" 0 public_key pass "$b64" --time doc --public-key "$work/ones"
attest_is "--public-key wrong" 7 public_key fail "$b64" --time doc --public-key "$work/other"

# debug mode: signed and chained, yet never a match
debug=$data/aws-2024-09-07-debug.b64
attest_is "debug-mode document: signature" 7 signature pass "$debug" --time doc
attest_is "debug-mode document: chain" 7 chain pass "$debug" --time doc
attest_is "debug-mode document: debug_mode" 7 debug_mode fail "$debug" --time doc
attest_is "debug-mode document against all-zero PCRs" 7 debug_mode fail "$debug" --time doc \
	--pcr 0="$(perl -e 'print "00" x 48')"

# single changes through the CLI, each with its class
cert_at=$(offset_of "$work/doc.cbor" certificate)
bundle_at=$(offset_of "$work/doc.cbor" cabundle)
size=$(file_size "$work/doc.cbor")
cp "$work/doc.cbor" "$work/t.cbor"; flip_byte "$work/t.cbor" 0
attest_is "first byte changed" 3 format fail "$work/t.cbor" --time doc
cp "$work/doc.cbor" "$work/t.cbor"; flip_byte "$work/t.cbor" $((size - 1))
attest_is "last signature byte changed" 5 signature fail "$work/t.cbor" --time doc
cp "$work/doc.cbor" "$work/t.cbor"; flip_byte "$work/t.cbor" 120
attest_is "a PCR0 byte changed" 5 signature fail "$work/t.cbor" --time doc
cp "$work/doc.cbor" "$work/t.cbor"; flip_byte "$work/t.cbor" $((cert_at + 400))
attest_is "a leaf certificate byte changed" 4 chain fail "$work/t.cbor" --time doc
cp "$work/doc.cbor" "$work/t.cbor"; flip_byte "$work/t.cbor" $((bundle_at + 300))
attest_is "a root certificate byte changed" 4 root fail "$work/t.cbor" --time doc
cp "$work/doc.cbor" "$work/t.cbor"; printf '\0' >>"$work/t.cbor"
attest_is "a byte appended" 3 format fail "$work/t.cbor" --time doc
reason_has "the end of the structure" "reason: bytes after the COSE_Sign1"
perl -pe 's/^(.{200})(.)/$1 . ($2 eq "A" ? "B" : "A")/e' "$b64" >"$work/t.b64"
attest_is "a base64 character changed" 5 signature fail "$work/t.b64" --time doc
head -c 5000 "$b64" >"$work/t.b64"
attest_is "truncated base64" 3 format fail "$work/t.b64" --time doc
make_pair other 2
attest_is "--root another certificate" 4 root fail "$b64" --time doc --root "$work/other.pem"

# every one-byte change of the raw document is rejected (in-process: one verify per byte)
n=$(nice -n 10 "$helper" flip-all "$work/doc.cbor" 2>"$work/stderr")
is "$?/$n" "0/$size" "each of the $size bytes changed alone fails verification" ||
	diag "$(cat "$work/stderr")"

done_testing
