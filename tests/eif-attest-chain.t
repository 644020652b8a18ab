#!/bin/sh
# eif attest against a chain the test makes (root -> intermediate -> leaf, P-384, the leaf
# without Authority Key Identifier like AWS's) and documents it signs: a good document passes;
# each defect fails with its own exit code and a failing check that names it.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/attest/common.sh"
need_program "$helper"

issue root self ca 20190101000000Z 20400101000000Z
issue inter root ca 20190101000000Z 20400101000000Z
issue leaf inter leaf
issue ca_leaf inter ca
issue old inter leaf 20200101000000Z 20200101030000Z
openssl x509 -in "$work/leaf.pem" -noout -ext authorityKeyIdentifier 2>/dev/null | grep -q keyid
ok $((! $?)) "the test leaf has no Authority Key Identifier, as AWS's leafs"

hex48() { perl -e 'printf "%02x" x 48, map { ($_ * 7 + $ARGV[0]) % 256 } 0 .. 47' "$1"; }
pcr0=$(hex48 1) pcr1=$(hex48 2) pcr2=$(hex48 3) pcr8=$(hex48 4) zero=$(hex48 0 | sed 's/./0/g')
nonce=0123456789abcdef
printf 'user data' >"$work/user"
printf 'public key' >"$work/pub"
printf 'other' >"$work/other.bin"
now_ms=$(($(date +%s) * 1000))
printf '{\n  "PCR0": "%s",\n  "PCR1": "%s",\n  "PCR2": "%s",\n  "PCR8": "%s"\n}\n' \
	"$pcr0" "$pcr1" "$pcr2" "$pcr8" >"$work/pcr.json"

# mkdoc OUT [extra make-doc options...]: a document from the good chain with the good values
mkdoc() {
	out=$1
	shift
	"$helper" make-doc -o "$out" --cert "$work/leaf.pem" --key "$work/leaf.key" \
		--bundle "$work/root.pem" --bundle "$work/inter.pem" --timestamp "$now_ms" \
		--pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2" --pcr 8="$pcr8" --nonce "$nonce" \
		--user-data "$work/user" --public-key "$work/pub" "$@" || bail "make-doc $out failed"
}
# check DOC EXIT CHECK RESULT DESC [ARGS]: eif attest with the good root and expectations
check() {
	doc=$1 want=$2 chk=$3 res=$4 desc=$5
	shift 5
	attest_is "$desc" "$want" "$chk" "$res" "$doc" --root "$work/root.pem" \
		--expected "$work/pcr.json" --nonce "$nonce" --user-data "$work/user" \
		--public-key "$work/pub" "$@"
}

mkdoc "$work/good.cbor"
for c in format root chain validity signature debug_mode pcr0 pcr1 pcr2 pcr8 nonce user_data public_key; do
	check "$work/good.cbor" 0 "$c" pass "good document"
done
attest_is "good document without --root (not AWS's root)" 4 root fail "$work/good.cbor"
base64 "$work/good.cbor" >"$work/good.b64"
check "$work/good.b64" 0 signature pass "good document in base64"

# one flipped bit: payload, signature, each certificate
size=$(file_size "$work/good.cbor")
openssl x509 -in "$work/root.pem" -outform der -out "$work/root.der"
openssl x509 -in "$work/inter.pem" -outform der -out "$work/inter.der"
openssl x509 -in "$work/leaf.pem" -outform der -out "$work/leaf.der"
printf '%s' "$pcr1" | perl -ne 'print pack("H*", $_)' >"$work/pcr1.bin"
flipped() {	# flipped OFFSET: $work/t.cbor = good.cbor with one bit changed at OFFSET
	cp "$work/good.cbor" "$work/t.cbor" && flip_byte "$work/t.cbor" "$1"
}
flipped $(($(offset_in "$work/good.cbor" "$work/pcr1.bin") + 10))
check "$work/t.cbor" 5 signature fail "bit flipped in PCR1 (payload)"
flipped $((size - 2))
check "$work/t.cbor" 5 signature fail "bit flipped in the signature"
for cert in root inter leaf; do
	at=$(offset_in "$work/good.cbor" "$work/$cert.der")
	failing=chain
	[ $cert = root ] && failing=root	# the root is compared byte for byte
	flipped $((at + $(file_size "$work/$cert.der") - 2))
	check "$work/t.cbor" 4 $failing fail "bit flipped in the $cert certificate's signature"
	flipped $((at + 40))
	check "$work/t.cbor" 4 $failing fail "bit flipped in the $cert certificate's body"
done

# chain shape
"$helper" make-doc -o "$work/t.cbor" --cert "$work/leaf.pem" --key "$work/leaf.key" \
	--bundle "$work/root.pem" --pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "bundle skips the intermediate" 4 chain fail "$work/t.cbor" --root "$work/root.pem"
reason_has "is not issued by" "reason: the leaf is not issued by the bundle's last"
"$helper" make-doc -o "$work/t.cbor" --cert "$work/leaf.pem" --key "$work/leaf.key" \
	--bundle "$work/inter.pem" --bundle "$work/root.pem" --pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "bundle in leaf-to-root order" 4 root fail "$work/t.cbor" --root "$work/root.pem"
"$helper" make-doc -o "$work/t.cbor" --cert "$work/ca_leaf.pem" --key "$work/ca_leaf.key" \
	--bundle "$work/root.pem" --bundle "$work/inter.pem" --pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "leaf certificate is a CA" 4 chain fail "$work/t.cbor" --root "$work/root.pem"
# time: an expired leaf (2020, three hours), checked now and at the document's time
# the signer refuses an expired certificate: sign with a current one for the same key
openssl req -x509 -key "$work/old.key" -subj /CN=old-signer -days 2 -out "$work/old-signer.pem" \
	2>/dev/null || bail "openssl req for old-signer failed"
"$helper" make-doc -o "$work/old.cbor" --cert "$work/old.pem" --key "$work/old.key" \
	--signer-cert "$work/old-signer.pem" \
	--bundle "$work/root.pem" --bundle "$work/inter.pem" --timestamp 1577840400000 \
	--pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "expired leaf, checked now" 6 validity fail "$work/old.cbor" --root "$work/root.pem"
reason_has "certificate is expired" "reason names the leaf as expired"
attest_is "expired leaf, --time doc" 0 validity pass "$work/old.cbor" --root "$work/root.pem" --time doc
attest_is "expired leaf, --time after its end" 6 validity fail "$work/old.cbor" --root "$work/root.pem" --time 2020-01-01T03:00:01Z
attest_is "good leaf, --time before it existed" 6 validity fail "$work/good.cbor" --root "$work/root.pem" --time 2020-01-01T00:00:00Z

# expectations
check "$work/good.cbor" 7 pcr0 fail "wrong PCR0" --pcr 0="$pcr1"
check "$work/good.cbor" 7 pcr8 fail "wrong PCR8" --pcr 8="$pcr0"
check "$work/good.cbor" 7 nonce fail "wrong nonce" --nonce 0123456789abcdee
printf '%s' "$nonce" | perl -ne 'print pack("H*", $_)' >"$work/nonce.bin"
attest_is "--nonce-file with the nonce's bytes" 0 nonce pass "$work/good.cbor" --root "$work/root.pem" --nonce-file "$work/nonce.bin"
attest_is "--nonce-file with other bytes" 7 nonce fail "$work/good.cbor" --root "$work/root.pem" --nonce-file "$work/other.bin"
check "$work/good.cbor" 7 user_data fail "wrong user data" --user-data "$work/other.bin"
check "$work/good.cbor" 7 public_key fail "wrong public key" --public-key "$work/other.bin"
mkdoc "$work/t.cbor" --pcr 3="$pcr0" --pcr 4="$pcr1"
check "$work/t.cbor" 7 pcr4 fail "PCR4 given with --pcr differs" --pcr 4="$pcr0"
"$helper" make-doc -o "$work/t.cbor" --cert "$work/leaf.pem" --key "$work/leaf.key" \
	--bundle "$work/root.pem" --bundle "$work/inter.pem" --pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "expected nonce, document's is null" 7 nonce fail "$work/t.cbor" --root "$work/root.pem" --nonce "$nonce"
attest_is "no expectations: null optional fields are fine" 0 format pass "$work/t.cbor" --root "$work/root.pem"
"$helper" make-doc -o "$work/t.cbor" --cert "$work/leaf.pem" --key "$work/leaf.key" \
	--bundle "$work/root.pem" --bundle "$work/inter.pem" --pcr 0="$zero" --pcr 1="$zero" --pcr 2="$zero" --pcr 4="$pcr1"
attest_is "all-zero PCR0-2 (debug mode)" 7 debug_mode fail "$work/t.cbor" --root "$work/root.pem"
attest_is "all-zero PCR0-2 expected as zero" 7 debug_mode fail "$work/t.cbor" --root "$work/root.pem" \
	--pcr 0="$zero" --pcr 1="$zero" --pcr 2="$zero"

# format
mkdoc "$work/t.cbor" --trailing
check "$work/t.cbor" 3 format fail "a byte after the COSE_Sign1"
mkdoc "$work/t.cbor" --trailing-payload
check "$work/t.cbor" 3 format fail "a byte after the payload map (signed)"
reason_has "the end of the payload" "reason: the end of the payload"
mkdoc "$work/t.cbor" --digest SHA256
check "$work/t.cbor" 3 format fail "digest SHA256"
reason_has "SHA384" "reason names SHA384"
big=$(perl -e 'print "ab" x 1025')
mkdoc "$work/t.cbor" --nonce "$big"
check "$work/t.cbor" 3 format fail "a 1025-byte nonce"
perl -e 'print "ab" x 1024' >"$work/n1024"
mkdoc "$work/t.cbor" --nonce "$(cat "$work/n1024")"
check "$work/t.cbor" 0 format pass "a 1024-byte nonce" --nonce "$(cat "$work/n1024")"

# a test NSM's self-signed document: --skip-chain says so instead of passing silently
"$helper" make-doc -o "$work/t.cbor" --cert "$work/root.pem" --key "$work/root.key" \
	--bundle "$work/root.pem" --pcr 0="$pcr0" --pcr 1="$pcr1" --pcr 2="$pcr2"
attest_is "self-signed leaf, --skip-chain" 0 chain skipped "$work/t.cbor" --skip-chain --pcr 0="$pcr0"
is "$(jq -r .chain_checked "$work/verdict.json")" false "verdict says chain_checked false"
flip_byte "$work/t.cbor" $(($(file_size "$work/t.cbor") - 2))
attest_is "self-signed leaf, --skip-chain still checks the signature" 5 signature fail "$work/t.cbor" --skip-chain

# an unsigned test NSM's document (QEMU's: alg -1, zero signature, zero certificates)
perl -e 'local $/; my $d = <STDIN>; $d =~ s/\x44\xa1\x01\x38\x22/\x43\xa1\x01\x20/; print $d' \
	<"$work/good.cbor" >"$work/t.cbor"
attest_is "alg -1 document: signature fails" 5 signature fail "$work/t.cbor" --root "$work/root.pem"
attest_is "alg -1 document, --skip-signature" 0 signature skipped "$work/t.cbor" --root "$work/root.pem" --skip-signature
is "$(jq -r '.signature_checked' "$work/verdict.json")" false "verdict says signature_checked false"
attest_is "alg -1 document, --skip-signature: expectations still checked" 7 pcr0 fail "$work/t.cbor" \
	--root "$work/root.pem" --skip-signature --pcr 0="$pcr1"

# every one-byte change of the good document is rejected
n=$(nice -n 10 "$helper" flip-all "$work/good.cbor" --root "$work/root.pem" 2>"$work/stderr")
is "$?/$n" "0/$size" "each of the $size bytes changed alone fails verification" ||
	diag "$(cat "$work/stderr")"

done_testing
