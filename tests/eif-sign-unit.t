#!/bin/sh
# eif/lib/cose.c + eif/lib/sign.c: TV-5, TV-6, TV-14, sign/verify round trip, tampering, corrupt sections.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
test_program=$O/tests/sign/sign-unit
if [ ! -x "$test_program" ]; then
	echo "1..1"
	echo "not ok 1 - $test_program exists (build it with: make check, or make $test_program)"
	exit 1
fi
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
# throwaway P-384 pair, and an unrelated certificate
for name in signer other; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 2 \
		-subj "/CN=$name/O=enclave-kit test" -keyout "$work/$name.key" -out "$work/$name.pem" \
		2>"$work/openssl.log" || { echo "Bail out! openssl req failed: $(cat "$work/openssl.log")"; exit 1; }
done
"$test_program" "$TOP/tests/data/tv14/cert.pem" "$TOP/tests/data/tv14/signature.hex" \
	"$work/signer.pem" "$work/signer.key" "$work/other.pem"
