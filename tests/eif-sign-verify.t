#!/bin/sh
# eif sign + eif verify: round trip and one exit code per failure: tampered ramdisk (CRC, then
# PCR0), tampered signature, corrupt section or table, unsigned, expired / not yet valid
# certificate, other signer; failed signing leaves the file as it was.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"

# verify_is FILE EXPECTED_EXIT WORD DESCRIPTION [ARGS...]: exit code and one line containing WORD
verify_is() {
	file=$1 want=$2 word=$3 what=$4
	shift 4
	out=$("$EIF" verify "$file" "$@" 2>&1)
	rc=$?
	is "$rc" "$want" "$what: exit $want"
	case $out in
	*"$word"*) [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; ok $? "$what: one line saying '$word'" ;;
	*) ok 1 "$what: one line saying '$word'"; diag "output: $out" ;;
	esac
}

make_pair signer
make_pair other
tv1_eif "$work/tv1.eif"
cp "$work/tv1.eif" "$work/signed.eif"
chmod 0640 "$work/signed.eif"
"$EIF" sign "$work/signed.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" >/dev/null
is "$?" 0 "eif sign in place: exit 0"
is "$(stat -c %a "$work/signed.eif")" 640 "eif sign in place keeps the file's mode"
verify_is "$work/signed.eif" 0 ": valid: PCR0 " "signed tv1"
verify_is "$work/signed.eif" 0 ": valid: " "signed tv1 with its own certificate" \
	--signing-certificate "$work/signer.pem"
verify_is "$work/signed.eif" 7 "signed by another certificate" "signed tv1 against another certificate" \
	--signing-certificate "$work/other.pem"
verify_is "$work/tv1.eif" 4 ": unsigned: " "unsigned tv1"

pcr8=$("$EIF" pcr --signing-certificate "$work/signer.pem" | json_field PCR8)
is "$("$EIF" describe "$work/signed.eif" | json_field PCR8)" "$pcr8" \
	"eif pcr --signing-certificate = PCR8 in eif describe"
[ ${#pcr8} -eq 96 ]; ok $? "PCR8 is 96 hex digits"
is "$("$EIF" describe "$work/signed.eif" | json_field SignatureCheck)" true "eif describe of the signed EIF: SignatureCheck true"

# a byte of the application ramdisk (tv1: data of ramdisk 1 at 876..883)
cp "$work/signed.eif" "$work/t.eif"; flip_byte "$work/t.eif" 878
verify_is "$work/t.eif" 3 "CRC mismatch" "ramdisk byte flipped"
fix_crc "$work/t.eif"
verify_is "$work/t.eif" 5 "signs another image" "ramdisk byte flipped, CRC fixed (PCR0 changed)"
is "$("$EIF" describe "$work/t.eif" | json_field SignatureCheck)" false "eif describe of that EIF: SignatureCheck false"

# the last byte of the file is inside the COSE signature's r||s
size=$(file_size "$work/signed.eif")
cp "$work/signed.eif" "$work/t.eif"; flip_byte "$work/t.eif" $((size - 1))
verify_is "$work/t.eif" 3 "CRC mismatch" "signature byte flipped"
fix_crc "$work/t.eif"
verify_is "$work/t.eif" 5 "does not verify" "signature byte flipped, CRC fixed"

# the section's CBOR: array(1) -> array(2) with one element
cp "$work/signed.eif" "$work/t.eif"; perl -e 'open my $f, "+<:raw", $ARGV[0]; seek $f, 896, 0; print $f "\x82"' "$work/t.eif"
fix_crc "$work/t.eif"
verify_is "$work/t.eif" 3 ": corrupt: signature section" "signature section CBOR broken"

# header table disagrees with the section: section_sizes[5] + 1
cp "$work/signed.eif" "$work/t.eif"
perl -e 'open my $f, "+<:raw", $ARGV[0]; seek $f, 284 + 40 + 7, 0; read $f, my $b, 1;
	seek $f, 284 + 40 + 7, 0; print $f chr(ord($b) + 1)' "$work/t.eif"
fix_crc "$work/t.eif"
verify_is "$work/t.eif" 3 ": corrupt: " "section_sizes[5] wrong"
head -c $((size - 1)) "$work/signed.eif" >"$work/t.eif"
verify_is "$work/t.eif" 3 ": corrupt: " "last byte cut off"
head -c 1000 /dev/zero >"$work/t.eif"
verify_is "$work/t.eif" 3 ": corrupt: " "1000 zero bytes"
"$EIF" verify "$work/missing.eif" >/dev/null 2>&1; is "$?" 1 "missing file: exit 1"

# certificate dates: eif sign refuses such certificates (tests/eif-sign-detached.t), so these
# images are signed at a time the certificate was valid
command -v faketime >/dev/null || "$TOP/scripts/ensure-packages" check >&2 ||
	bail "faketime is missing (configs/packages/check)"
make_dated_pair expired 20200101000000Z 20200102000000Z
make_dated_pair future 20990101000000Z 21000101000000Z
faketime '2020-01-01 12:00:00' "$EIF" sign "$work/tv1.eif" --signing-certificate "$work/expired.pem" \
	--private-key "$work/expired.key" --output "$work/expired.eif" >/dev/null
is "$?" 0 "sign with a certificate valid on 2020-01-01 (faketime)"
verify_is "$work/expired.eif" 6 "expired" "expired certificate"
verify_is "$work/expired.eif" 0 ": valid: " "expired certificate checked at a time it was valid" \
	--time 1577900000
faketime '2099-06-01 12:00:00' "$EIF" sign "$work/tv1.eif" --signing-certificate "$work/future.pem" \
	--private-key "$work/future.key" --output "$work/future.eif" >/dev/null
is "$?" 0 "sign with a certificate valid in 2099 (faketime)"
verify_is "$work/future.eif" 6 "not yet valid" "certificate valid from 2099"
verify_is "$work/signed.eif" 6 "expired" "2-day certificate checked a year from now" \
	--time $(( $(date +%s) + 366 * 86400 ))

# ES256 (P-256 key) also round-trips
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=p256 \
	-keyout "$work/p256.key" -out "$work/p256.pem" 2>/dev/null
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/p256.pem" --private-key "$work/p256.key" \
	--output "$work/p256.eif" >/dev/null
verify_is "$work/p256.eif" 0 ": valid: " "P-256 key (ES256)"

# eif build --signing-certificate: the same layout as eif sign on the unsigned build
mkdir "$work/in" && printf kernel >"$work/in/bzImage" && printf ramdisk0 >"$work/in/ramdisk0" &&
	printf ramdisk1 >"$work/in/ramdisk1"
"$EIF" build --kernel "$work/in/bzImage" --cmdline console=ttyS0 --ramdisk "$work/in/ramdisk0" \
	--ramdisk "$work/in/ramdisk1" --build-time 1970-01-01T00:00:00+00:00 --build-tool eif_build \
	--build-tool-version 0.3.1 --img-os OS --img-kernel kernel --output "$work/built.eif" \
	--signing-certificate "$work/signer.pem" --private-key "$work/signer.key" >"$work/build.json" 2>/dev/null
is "$?" 0 "eif build --signing-certificate --private-key: exit 0"
verify_is "$work/built.eif" 0 ": valid: " "EIF signed by eif build"
is "$(json_field PCR8 <"$work/build.json")" "$pcr8" "eif build's PCR8 = eif pcr --signing-certificate"
is "$(be_at "$work/built.eif" 26 2)" 6 "eif build signed: 6 sections"
cmp -s -i 548 -n 336 "$work/built.eif" "$work/tv1.eif"; ok $? "eif build signed: sections 0-4 are tv1's"

# failures leave the target untouched
cp "$work/signed.eif" "$work/before.eif"
cp "$work/signed.eif" "$work/t.eif"; flip_byte "$work/t.eif" 878; cp "$work/t.eif" "$work/damaged.eif"
"$EIF" sign "$work/t.eif" --signing-certificate "$work/other.pem" --private-key "$work/other.key" >/dev/null 2>"$work/err"
rc=$?; [ $rc -ne 0 ]; ok $? "eif sign refuses a damaged EIF (exit $rc)"
grep -q "CRC mismatch" "$work/err"; ok $? "eif sign says why: $(cat "$work/err")"
cmp -s "$work/t.eif" "$work/damaged.eif"; ok $? "the damaged EIF is left as it was"
"$EIF" sign "$work/signed.eif" --signing-certificate "$work/other.pem" --private-key "$work/signer.key" >/dev/null 2>"$work/err"
rc=$?; [ $rc -ne 0 ]; ok $? "eif sign refuses a key that is not the certificate's (exit $rc)"
cmp -s "$work/signed.eif" "$work/before.eif"; ok $? "the EIF is left as it was"
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" \
	--output "$work/no/such/dir/out.eif" >/dev/null 2>&1
rc=$?; [ $rc -ne 0 ] && [ ! -e "$work/no/such/dir/out.eif" ]; ok $? "unwritable --output: error, no file"
"$EIF" sign "$work/tv1.eif" --private-key "$work/signer.key" >/dev/null 2>&1
is "$?" 2 "eif sign without --signing-certificate: usage error"
"$EIF" verify "$work/signed.eif" --time soon >/dev/null 2>&1
is "$?" 2 "eif verify --time soon: usage error"
"$EIF" verify >/dev/null 2>&1; is "$?" 2 "eif verify without a file: usage error"
"$EIF" verify --help | grep -q '^  5  bad signature'; ok $? "eif verify --help documents the exit codes"
ls -A "$work" | grep -q '^\.'; is "$?" 1 "no temporary files left behind"
done_testing
