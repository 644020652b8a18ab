#!/bin/sh
# TV-14 (docs/eif-format.md#test-vectors): tv2 = tv1 + the signature section in tests/data/tv14,
# verifies, describes and measures as specified; eif sign on tv1 and on tv2 lays out the header
# table as tv2's.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"

TV1_PCR0=d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8a409f42073234d1c5c990a787dbf0b61
TV14_PCR8=d22d54f6435331797fec2b2b162b705f436737eb3a3cf3b50725468e410c4c0e3fd693422c7195fd067a214780b311d4
# inside the TV-14 certificate's validity (2026-11-22 .. 2126-10-29), whatever the clock says
AT=1900000000

tv1_eif "$work/tv1.eif"
is "$(file_size "$work/tv1.eif")" 884 "tv1 is 884 bytes"
# tv2: num_sections 6, offset[5] 884, size[5] 1829, CRC 33078956, then header + section
hex_to_file "$TOP/tests/data/tv14/signature.hex" "$work/section.bin"
perl -e '
	open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
	open my $s, "<:raw", $ARGV[1] or die; my $sec = <$s>;
	substr($d, 26, 2) = pack "n", 6;
	substr($d, 28 + 5 * 8, 8) = pack "NN", 0, 884;
	substr($d, 284 + 5 * 8, 8) = pack "NN", 0, length $sec;
	substr($d, 544, 4) = pack "N", 0x33078956;
	print $d, pack("nnNN", 4, 0, 0, length $sec), $sec' \
	"$work/tv1.eif" "$work/section.bin" >"$work/tv2.eif"
is "$(file_size "$work/tv2.eif")" 2725 "tv2 is 2725 bytes"
is "$(crc_of "$work/tv2.eif")" "$(printf %d 0x33078956)" "tv2 CRC is 0x33078956 (our CRC agrees)"

out=$("$EIF" verify "$work/tv2.eif" --time $AT 2>&1); rc=$?
is "$rc" 0 "eif verify tv2: exit 0"
case $out in *": valid: PCR0 $TV1_PCR0 signed by 'commonName=eif-test, organizationName=Example'"*) ok 0 "eif verify tv2: one valid line naming PCR0 and signer";;
	*) ok 1 "eif verify tv2: one valid line naming PCR0 and signer"; diag "output: $out";; esac
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "eif verify prints exactly one line"
"$EIF" verify "$work/tv2.eif" --time $AT --signing-certificate "$TOP/tests/data/tv14/cert.pem" >/dev/null 2>&1
is "$?" 0 "eif verify tv2 --signing-certificate (the TV-14 certificate): exit 0"

describe=$("$EIF" describe "$work/tv2.eif" 2>&1)
is "$(printf '%s' "$describe" | json_field PCR8)" "$TV14_PCR8" "eif describe tv2: PCR8 of TV-14"
is "$(printf '%s' "$describe" | json_field PCR0)" "$TV1_PCR0" "eif describe tv2: PCR0 = tv1's"
is "$(printf '%s' "$describe" | json_field SignatureCheck)" true "eif describe tv2: SignatureCheck true"
is "$(printf '%s' "$describe" | json_field CheckCRC)" true "eif describe tv2: CheckCRC true"
pcr8=$("$EIF" pcr --signing-certificate "$TOP/tests/data/tv14/cert.pem" | json_field PCR8)
is "$pcr8" "$TV14_PCR8" "eif pcr --signing-certificate: TV-14 PCR8"

# eif sign tv1 with a throwaway key: same table layout as tv2, size and CRC of the new section
make_pair signer
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" \
	--output "$work/signed.eif" >"$work/sign.json" 2>"$work/sign.err"
is "$?" 0 "eif sign tv1 --output: exit 0"
is "$(head -c 26 "$work/signed.eif" | od -An -tx1 | tr -d ' \n')" \
	"$(head -c 26 "$work/tv1.eif" | od -An -tx1 | tr -d ' \n')" "signed: header fields before num_sections unchanged"
is "$(be_at "$work/signed.eif" 26 2)" 6 "signed: num_sections 6"
is "$(be_at "$work/signed.eif" $((28 + 5 * 8)) 8)" 884 "signed: section_offsets[5] = 884"
size=$(be_at "$work/signed.eif" $((884 + 4)) 8)
is "$(be_at "$work/signed.eif" $((284 + 5 * 8)) 8)" "$size" "signed: section_sizes[5] = the section's size ($size)"
is "$(be_at "$work/signed.eif" 884 2)" 4 "signed: section 5 is a signature (type 4)"
is "$(file_size "$work/signed.eif")" $((884 + 12 + size)) "signed: file = 884 + 12 + section size"
is "$(be_at "$work/signed.eif" 544 4)" "$(crc_of "$work/signed.eif")" "signed: stored CRC = CRC of the bytes"
cmp -n 884 "$work/tv1.eif" "$work/signed.eif" >/dev/null 2>&1
is "$?" 1 "signed: the header changed (sections, CRC)"
perl -e 'open my $a, "<:raw", $ARGV[0]; open my $b, "<:raw", $ARGV[1]; local $/;
	my ($x, $y) = (<$a>, <$b>); exit(substr($x, 548) eq substr($y, 548, 336) ? 0 : 1)' \
	"$work/tv1.eif" "$work/signed.eif"
ok $? "signed: tv1's sections are copied unchanged"
is "$(json_field PCR0 <"$work/sign.json")" "$TV1_PCR0" "eif sign prints PCR0 of tv1"
pcr8=$("$EIF" pcr --signing-certificate "$work/signer.pem" | json_field PCR8)
is "$(json_field PCR8 <"$work/sign.json")" "$pcr8" "eif sign prints PCR8 = eif pcr --signing-certificate"
"$EIF" verify "$work/signed.eif" >/dev/null 2>&1
is "$?" 0 "eif verify of the freshly signed tv1: exit 0"

# re-sign tv2 in place: the section is replaced, not added, and section_sizes follows it
cp "$work/tv2.eif" "$work/resigned.eif"
"$EIF" sign "$work/resigned.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" >/dev/null 2>&1
is "$?" 0 "eif sign tv2 in place: exit 0"
is "$(be_at "$work/resigned.eif" 26 2)" 6 "re-signed: still 6 sections"
size=$(be_at "$work/resigned.eif" $((884 + 4)) 8)
is "$(be_at "$work/resigned.eif" $((284 + 5 * 8)) 8)" "$size" "re-signed: section_sizes[5] updated to $size (upstream #54)"
[ "$size" -ne 1829 ]; ok $? "re-signed: the section size changed from 1829 (other certificate)"
is "$(file_size "$work/resigned.eif")" $((884 + 12 + size)) "re-signed: file = 884 + 12 + new size"
"$EIF" verify "$work/resigned.eif" --signing-certificate "$work/signer.pem" >/dev/null 2>&1
is "$?" 0 "re-signed tv2 verifies with the new certificate"
"$EIF" verify "$work/resigned.eif" --time $AT --signing-certificate "$TOP/tests/data/tv14/cert.pem" >/dev/null 2>&1
is "$?" 7 "re-signed tv2 against the old TV-14 certificate: exit 7 (other signer)"
ls -A "$work" | grep -q '^\.' ; is "$?" 1 "no temporary files left behind"
done_testing
