#!/bin/sh
# eif diff: exit 0/1/2 (identical, different, unreadable or usage); the reader's errors for
# damaged EIFs and ramdisks; the JSON form; a signature change moves PCR8 and nothing else.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/diff.sh"
. "$TOP/tests/sign/common.sh"
command -v jq >/dev/null || "$TOP/scripts/ensure-packages" check || bail "jq is missing (configs/packages/check)"
cd "$work" || bail "cd $work"

tv1_eif tv1.eif

# Usage.
"$EIF" diff tv1.eif >out 2>err
is "$?" 2 "one file: exit 2"
grep -q "give two EIF files" err
ok $? "one file: says two are needed" || diag "$(cat err)"
"$EIF" diff --frobnicate tv1.eif tv1.eif >out 2>err
is "$?" 2 "unknown option: exit 2"
"$EIF" diff tv1.eif tv1.eif tv1.eif >out 2>err
is "$?" 2 "three files: exit 2"
"$EIF" diff --config only-one tv1.eif tv1.eif >out 2>err
is "$?" 2 "--config given once: exit 2"
grep -qF -- "--config needs two files: --config A.config --config B.config" err
ok $? "--config given once: says to give it twice" || diag "$(cat err)"
"$EIF" diff --config a --config b --config c tv1.eif tv1.eif >out 2>err
is "$?" 2 "--config given three times: exit 2"
grep -qF -- "--config given a third time ('c')" err
ok $? "--config given three times: names the third" || diag "$(cat err)"
"$EIF" diff --help >out
is "$?" 0 "--help: exit 0"
head -1 out | grep -q '^usage: eif diff '
ok $? "--help prints the usage"
"$EIF" help | grep -q '^  diff '
ok $? "eif help lists diff"

# Unreadable inputs: exit 2 with the reader's message naming the file.
"$EIF" diff tv1.eif missing.eif >out 2>err
is "$?" 2 "missing file: exit 2"
grep -q "missing.eif" err
ok $? "missing file: the message names it" || diag "$(cat err)"
head -c 700 tv1.eif >short.eif
"$EIF" diff tv1.eif short.eif >out 2>err
is "$?" 2 "truncated EIF: exit 2"
"$EIF" describe short.eif >/dev/null 2>describe.err
is "$(cat err)" "$(cat describe.err)" "truncated EIF: the reader's own error, as eif describe prints it"
printf 'not an eif at all' >junk.eif
"$EIF" diff junk.eif tv1.eif >out 2>err
is "$?" 2 "not an EIF: exit 2"
[ ! -s out ]
ok $? "unreadable input: nothing on stdout"

# A ramdisk that is not a cpio archive is not an error of the diff: it is the difference,
# named with the cpio reader's message. tv1's ramdisks are the bytes 'ramdisk0', 'ramdisk1'.
cp tv1.eif ramdisk.eif
printf 'X' | dd of=ramdisk.eif bs=1 seek=$((884 - 1)) conv=notrunc 2>/dev/null
fix_crc ramdisk.eif
"$EIF" diff tv1.eif ramdisk.eif >ramdisk.out 2>&1
is "$?" 1 "damaged ramdisk: exit 1"
is "$(changes ramdisk.out)" "ramdisk 1: cpio cpio archive 0, offset 0: no newc magic (070701 or 070702) where an archive must start; compressed and old-format archives are not read here, unpack or rebuild the ramdisk as uncompressed newc -> cpio archive 0, offset 0: no newc magic (070701 or 070702) where an archive must start; compressed and old-format archives are not read here, unpack or rebuild the ramdisk as uncompressed newc, first difference at byte 7; moves PCR0 PCR2" \
	"damaged ramdisk: the reader's error on each side and the first differing byte" || diag "$(cat ramdisk.out)"

# A CRC-only difference (header field) is a difference that moves no PCR.
cp tv1.eif crc.eif
flip_byte crc.eif 547
"$EIF" diff tv1.eif crc.eif >crc.out
is "$?" 1 "stored CRC differs: exit 1"
grep -q '^header crc32: value 0x[0-9a-f]* -> 0x[0-9a-f]*; moves no PCR$' crc.out
ok $? "stored CRC differs: named as the header's crc32" || diag "$(cat crc.out)"
is "$(grep -c '^PCR[0-9]: same ' crc.out)" 3 "stored CRC differs: every PCR is the same"

# Signed with two certificates: only the signature section differs, and it moves PCR8.
make_pair one
make_pair two
cp tv1.eif one.eif
cp tv1.eif two.eif
"$EIF" sign one.eif --signing-certificate one.pem --private-key one.key >/dev/null || bail "sign one"
"$EIF" sign two.eif --signing-certificate two.pem --private-key two.key >/dev/null || bail "sign two"
"$EIF" diff one.eif two.eif >sig.out
is "$?" 1 "other signer: exit 1"
pcr8_one=$("$EIF" pcr --signing-certificate one.pem | json_field PCR8)
pcr8_two=$("$EIF" pcr --signing-certificate two.pem | json_field PCR8)
is "$(changes sig.out)" "signature certificate: PCR8 $pcr8_one -> $pcr8_two; moves PCR8" \
	"other signer: names the certificate and PCR8" || diag "$(cat sig.out)"
is "$(moved_pcrs sig.out)" "PCR8 " "other signer: only PCR8 differs"
"$EIF" diff tv1.eif one.eif >added.out
is "$(changes added.out)" "sections signature: added $(be_at one.eif $((284 + 8 * 5)) 8) bytes; moves PCR8" \
	"a signature only in B: an added section that moves PCR8" || diag "$(cat added.out)"

# JSON: one object with the same facts.
"$EIF" diff --json tv1.eif crc.eif >crc.json
is "$?" 1 "--json: exit 1 when different"
is "$(jq -r '.identical' crc.json)" false "--json: identical false"
is "$(jq -r '.changes | map(.area + " " + .subject) | join(",")' crc.json)" "header crc32" "--json: the one change"
is "$(jq -r '[.pcrs[] | .same] | all' crc.json)" true "--json: every PCR the same"
is "$(jq -r '.headers | map(.crc32 != 0) | length' crc.json)" 2 "--json: both headers"
is "$(jq -r '.headers[0].crc32 == .headers[1].crc32' crc.json)" false "--json: the stored CRCs differ"
is "$(jq -r '.sections | map(.kind + ":" + (.same | tostring)) | join(",")' crc.json)" \
	"kernel:true,cmdline:true,metadata:true,ramdisk:true,ramdisk:true" "--json: the section table"
"$EIF" diff --json one.eif two.eif >sig.json
is "$(jq -r '.changes[] | select(.area == "signature") | .pcrs | join(",")' sig.json)" PCR8 "--json: the signature change moves PCR8"
"$EIF" diff --json tv1.eif tv1.eif >same.json
is "$?" 0 "--json: exit 0 when identical"
is "$(jq -r '.identical, (.changes | length)' same.json | tr '\n' ' ')" "true 0 " "--json: identical, no changes"

done_testing
