#!/bin/sh
# eif pcr FILE prints PCR8 only for a signature that verifies (Nitro refuses to launch any
# other, so that PCR8 never exists): a COSE_Sign1 that does not parse, or a kernel byte
# changed after signing, give exit 1, nothing on stdout and the reason on stderr. eif describe
# names the signature section once in that reason.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"

signed_tv1
"$EIF" pcr "$work/signed.eif" >"$work/out" 2>"$work/err"
is "$?" 0 "a signature that verifies: exit 0"
grep -q '"PCR8"' "$work/out"; ok $? "a signature that verifies: PCR8 printed"

# replace_cose IN OUT HEX: keep the certificate, replace the COSE_Sign1 bytes of the (last,
# table entry 5 in tv1) signature section by HEX (stored, as serde_cbor does, as an array of
# small integers); fix the section size, table and CRC.
replace_cose() {
	perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
		my $start = 884 + 12; my $key = "\x69signature"; my $at = rindex($d, $key);
		die "no signature key" if $at < $start;
		my $cose = pack("H*", $ARGV[2]);
		my $data = substr($d, $start, $at + length($key) - $start) . chr(0x80 + length $cose) .
			join("", map { $_ < 24 ? chr($_) : "\x18" . chr($_) } unpack("C*", $cose));
		substr($d, 884 + 4, 8) = pack("Q>", length $data);
		substr($d, 284 + 8 * 5, 8) = pack("Q>", length $data);
		$d = substr($d, 0, $start) . $data;
		open my $o, ">:raw", $ARGV[1] or die; print $o $d' "$1" "$2" "$3" || bail "replace_cose failed"
	fix_crc "$2"
}

expect_no_pcr8() {	# expect_no_pcr8 FILE WHAT REASON
	"$EIF" pcr "$1" >"$work/out" 2>"$work/err"
	is "$?" 1 "$2: eif pcr exits 1"
	is "$(cat "$work/out")" "" "$2: nothing on stdout"
	grep -q "no PCR8: .*$3" "$work/err"; ok $? "$2: stderr says why"
	grep -q "no PCR8" "$work/err" || diag "stderr: $(cat "$work/err")"
}

replace_cose "$work/signed.eif" "$work/cose.eif" 83010203
"$EIF" verify "$work/cose.eif" >/dev/null 2>&1
is "$?" 3 "COSE bytes 83 01 02 03: eif verify says corrupt (exit 3), so the edit is sound"
expect_no_pcr8 "$work/cose.eif" "COSE bytes 83 01 02 03" "COSE_Sign1"

cp "$work/signed.eif" "$work/kernel.eif"
flip_byte "$work/kernel.eif" 560
fix_crc "$work/kernel.eif"
expect_no_pcr8 "$work/kernel.eif" "kernel byte changed after signing" "signs another image"

"$EIF" describe "$work/cose.eif" >/dev/null 2>"$work/err"
is "$?" 1 "eif describe of the bad COSE: exit 1"
is "$(grep -o 'signature section' "$work/err" | wc -l)" 1 "eif describe names the signature section once"
grep -q "signature section" "$work/err" || diag "stderr: $(cat "$work/err")"
done_testing
