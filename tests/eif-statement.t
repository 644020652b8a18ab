#!/bin/sh
# eif statement writes the in-toto build statement (subject sha256, PCRs, PCR8 when signed,
# locks, SBOM, commit), and eif attest --statement takes its PCRs as the expectation.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/attest/common.sh"
need_program "$helper"

tv1_eif "$work/tv1.eif"
printf '{"spdxVersion": "SPDX-2.3"}\n' >"$work/sbom.json"
lock=$TOP/configs/sources.lock
commit=0123456789abcdef0123456789abcdef01234567
sha() { sha256sum "$1" | cut -c1-64; }

"$EIF" statement "$work/tv1.eif" --sbom "$work/sbom.json" --lock "$lock" --commit "$commit" \
	-o "$work/st.json"
is "$?" 0 "eif statement -o: exit 0"
st=$work/st.json
is "$(jq -r ._type "$st")" https://in-toto.io/Statement/v1 "_type is in-toto Statement v1"
is "$(jq -r .predicateType "$st")" https://enclave-kit.dev/eif-build/v1 "predicateType is ours"
is "$(jq -r '.subject[0].name' "$st")" tv1.eif "subject name"
is "$(jq -r '.subject[0].digest.sha256' "$st")" "$(sha "$work/tv1.eif")" "subject sha256"
"$EIF" pcr "$work/tv1.eif" >"$work/pcr.json"
is "$(jq -c .predicate.measurements "$st")" "$(jq -c . "$work/pcr.json")" \
	"measurements equal eif pcr's"
is "$(jq -r '.predicate.measurements.PCR8 // "none"' "$st")" none "unsigned: no PCR8"
is "$(jq -r '.predicate.locks[0].name' "$st")" "$lock" "lock name"
is "$(jq -r '.predicate.locks[0].sha256' "$st")" "$(sha "$lock")" "lock sha256"
is "$(jq -r '.predicate.sbom.sha256' "$st")" "$(sha "$work/sbom.json")" "SBOM sha256"
is "$(jq -r '.predicate.source.commit' "$st")" "$commit" "source commit"
"$EIF" statement "$work/tv1.eif" --sbom "$work/sbom.json" --lock "$lock" --commit "$commit" \
	>"$work/st2.json"
cmp -s "$st" "$work/st2.json"
ok $? "standard output equals -o, byte for byte (no clock, no paths but the given ones)"

# signed: PCR8 appears
make_pair signer
cp "$work/tv1.eif" "$work/signed.eif"
"$EIF" sign "$work/signed.eif" --signing-certificate "$work/signer.pem" \
	--private-key "$work/signer.key" >/dev/null
"$EIF" statement "$work/signed.eif" --sbom "$work/sbom.json" --lock "$lock" --commit "$commit" \
	-o "$work/signed.json"
is "$(jq -r .predicate.measurements.PCR8 "$work/signed.json")" \
	"$("$EIF" pcr --signing-certificate "$work/signer.pem" | jq -r .PCR8)" "signed: PCR8 of the certificate"

# refusals leave no output
cp "$work/tv1.eif" "$work/bad.eif"; flip_byte "$work/bad.eif" 878
"$EIF" statement "$work/bad.eif" --sbom "$work/sbom.json" --lock "$lock" --commit "$commit" \
	-o "$work/bad.json" 2>"$work/err"
is "$?/$(test -e "$work/bad.json"; echo $?)" "1/1" "an EIF with a wrong CRC: exit 1, no output"
grep -q CRC "$work/err"; ok $? "... the message says CRC"
"$EIF" statement "$work/tv1.eif" --sbom "$work/missing" --lock "$lock" --commit "$commit" \
	-o "$work/bad.json" 2>/dev/null
is "$?/$(test -e "$work/bad.json"; echo $?)" "1/1" "a missing SBOM: exit 1, no output"
"$EIF" statement "$work/tv1.eif" --sbom "$work/sbom.json" --commit "$commit" 2>/dev/null
is "$?" 2 "no --lock: usage error"

# eif attest --statement: a document with tv1's PCRs passes, another fails
issue root self ca
issue inter root ca
issue leaf inter leaf
pcr() { jq -r ".PCR$1" "$work/pcr.json"; }
"$helper" make-doc -o "$work/doc.cbor" --cert "$work/leaf.pem" --key "$work/leaf.key" \
	--bundle "$work/root.pem" --bundle "$work/inter.pem" --timestamp $(($(date +%s) * 1000)) \
	--pcr 0="$(pcr 0)" --pcr 1="$(pcr 1)" --pcr 2="$(pcr 2)"
attest_is "--statement with the document's PCRs" 0 pcr2 pass "$work/doc.cbor" --root "$work/root.pem" --statement "$st"
attest_is "--statement of the signed image (PCR8 expected)" 7 pcr8 fail "$work/doc.cbor" --root "$work/root.pem" --statement "$work/signed.json"
"$EIF" attest "$work/doc.cbor" --statement "$st" --expected "$work/pcr.json" >/dev/null 2>&1
is "$?" 2 "--statement and --expected together: usage error"
"$EIF" attest "$work/doc.cbor" --root "$work/root.pem" --statement "$work/pcr.json" >/dev/null 2>"$work/err"
is "$?" 1 "--statement of a pcr.json (not a statement): exit 1"
grep -q "in-toto Statement" "$work/err"; ok $? "... the message says what a statement is"

done_testing
