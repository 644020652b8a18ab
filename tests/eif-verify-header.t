#!/bin/sh
# eif verify refuses header fields no AWS tool writes (the header is not measured, so verify
# is where they are caught) and names the field: version 65535, reserved flag bits, 0
# default_mem, 0 default_cpus, non-zero reserved or unused; a version-3 image without
# metadata gets its own exit status 8. Genuine images (tv1, signed and not) still pass.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"

signed_tv1
"$EIF" verify "$work/signed.eif" >/dev/null 2>&1
is "$?" 0 "genuine signed tv1: valid"
"$EIF" verify "$work/tv1.eif" >/dev/null 2>&1
is "$?" 4 "genuine unsigned tv1: unsigned, not corrupt"

# poke FILE OFFSET HEX: overwrite bytes, then fix the CRC
poke() {
	perl -e 'open my $f, "+<:raw", $ARGV[0] or die; seek $f, $ARGV[1], 0; print $f pack("H*", $ARGV[2])' \
		"$1" "$2" "$3"
	fix_crc "$1"
}
refused() {	# refused OFFSET HEX FIELD WHAT
	cp "$work/signed.eif" "$work/t.eif"
	poke "$work/t.eif" "$1" "$2"
	"$EIF" verify "$work/t.eif" >/dev/null 2>"$work/err"
	is "$?" 3 "$4: corrupt (exit 3)"
	grep -q "corrupt: header field $3 " "$work/err"
	ok $? "$4: names the field $3" || diag "stderr: $(cat "$work/err")"
}
refused 4 ffff version "version 65535"
refused 4 0005 version "version 5"
refused 6 0002 flags "flag bit 1"
refused 6 8000 flags "flag bit 15"
refused 8 0000000000000000 default_mem "0 memory"
refused 16 0000000000000000 default_cpus "0 CPUs"
refused 24 0001 reserved "reserved field 1"
refused 540 00000001 unused "unused field 1"

cp "$work/signed.eif" "$work/t.eif"
poke "$work/t.eif" 6 0001
"$EIF" verify "$work/t.eif" >/dev/null 2>&1
is "$?" 0 "flag bit 0 (aarch64) is a defined flag: valid"

# A version-3 image: tv1 without its metadata section (table entry 2), then version 3.
perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
	my @off = unpack("Q>32", substr($d, 28, 256)); my @size = unpack("Q>32", substr($d, 284, 256));
	my ($at, $cut) = ($off[2], 12 + $size[2]); my $data = substr($d, 0, $at) . substr($d, $at + $cut);
	splice(@off, 2, 1); splice(@size, 2, 1); push @off, 0; push @size, 0;
	@off = map { $_ > $at ? $_ - $cut : $_ } @off;
	substr($data, 4, 2) = pack("n", 3); substr($data, 26, 2) = pack("n", unpack("n", substr($d, 26, 2)) - 1);
	substr($data, 28, 256) = pack("Q>32", @off); substr($data, 284, 256) = pack("Q>32", @size);
	open my $o, ">:raw", $ARGV[1] or die; print $o $data' "$work/tv1.eif" "$work/v3.eif"
fix_crc "$work/v3.eif"
"$EIF" pcr "$work/v3.eif" >/dev/null 2>"$work/err"
is "$?" 0 "the version-3 image is well formed (eif pcr reads it)" || diag "$(cat "$work/err")"
"$EIF" verify "$work/v3.eif" >/dev/null 2>"$work/err"
is "$?" 8 "version 3 without metadata: outdated (exit 8)"
grep -q "outdated: header field version is 3" "$work/err"
ok $? "version 3: names the field" || diag "stderr: $(cat "$work/err")"
done_testing
