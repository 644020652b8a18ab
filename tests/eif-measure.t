#!/bin/sh
# PCR formulas (docs/eif-format.md#pcr-formulas, TV-2..TV-4) checked against an openssl oracle, on
# tiny inputs and on ramdisks large enough to go through the two hashing threads; eif pcr's four
# modes agree with eif build.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
make_tv1_inputs
cd "$work" || bail "cd $work"
: >empty

tv2=38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b
tv3=21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a
is "$(sha384_hex empty)" "$tv2" "TV-2: the oracle's SHA-384 of nothing"
is "$("$EIF" pcr --input empty | json_field PCR)" "$(extend_hex "$tv2")" "pcr --input of an empty file = extend(TV-2)"
is "$("$EIF" pcr --input empty | json_field PCR)" "$tv3" "TV-3 value"

# TV-4 and TV-3: one ramdisk -> PCR0 == PCR1, PCR2 = extend("").
"$EIF" build --kernel bzImage --cmdline console=ttyS0 --ramdisk ramdisk0 --output one.eif >one.json 2>/dev/null
is "$(json_field PCR0 <one.json)" "$(json_field PCR1 <one.json)" "TV-4: one-ramdisk EIF has PCR0 == PCR1"
is "$(json_field PCR2 <one.json)" "$tv3" "TV-3: one-ramdisk EIF has PCR2 = extend(\"\")"

# Large inputs (threaded path): 3 MiB kernel, 5 MiB bootstrap, 9 MiB + 1 byte and 4 MiB application ramdisks.
head -c 3145728 /dev/urandom >big-kernel
head -c 5242880 /dev/urandom >big-rd0
head -c 9437185 /dev/urandom >big-rd1
head -c 4194304 /dev/urandom >big-rd2
printf 'console=ttyS0 quiet' >cmdline
"$EIF" build --kernel big-kernel --cmdline "$(cat cmdline)" --ramdisk big-rd0 --ramdisk big-rd1 \
	--ramdisk big-rd2 --output big.eif >big.json 2>/dev/null
ok $? "build with 21 MiB of inputs"
is "$(json_field PCR0 <big.json)" "$(extend_hex "$(sha384_hex big-kernel cmdline big-rd0 big-rd1 big-rd2)")" "PCR0 = extend(K||C||D0||D1||D2)"
is "$(json_field PCR1 <big.json)" "$(extend_hex "$(sha384_hex big-kernel cmdline big-rd0)")" "PCR1 = extend(K||C||D0)"
is "$(json_field PCR2 <big.json)" "$(extend_hex "$(sha384_hex big-rd1 big-rd2)")" "PCR2 = extend(D1||D2)"
is "$(wc -c <big.eif | tr -d ' ')" $((548 + 6 * 12 + 3145728 + 19 + $(section_data big.eif 2 | wc -c) + 5242880 + 9437185 + 4194304)) "file size = header + sections, no padding"
section_data big.eif 4 | cmp -s - big-rd1
ok $? "ramdisk 1 is stored verbatim at its table offset"

# eif pcr FILE recomputes what build printed; parts give the same without writing a file.
"$EIF" pcr big.eif >read.json
is "$(cat read.json)" "$(cat big.json)" "pcr FILE = build's measurements (large, threaded reader)"
"$EIF" pcr --kernel big-kernel --cmdline "$(cat cmdline)" --ramdisk big-rd0 --ramdisk big-rd1 --ramdisk big-rd2 >parts.json
is "$(cat parts.json)" "$(cat big.json)" "pcr --kernel/--cmdline/--ramdisk = build's measurements"
ls ./*.tmp.* .*.tmp.* >/dev/null 2>&1
ok $((! $?)) "no temporary files left behind"

# Past 64 MiB the image goes to the disk with O_DIRECT: same layout, CRC and measurements.
head -c 73400321 /dev/urandom >huge-rd1
"$EIF" build --kernel big-kernel --cmdline "$(cat cmdline)" --ramdisk big-rd0 --ramdisk huge-rd1 \
	--output huge.eif >huge.json 2>/dev/null
ok $? "build with a 70 MiB application ramdisk (direct output)"
is "$(json_field PCR0 <huge.json)" "$(extend_hex "$(sha384_hex big-kernel cmdline big-rd0 huge-rd1)")" "direct output: PCR0 = extend(K||C||D0||D1)"
is "$(json_field PCR2 <huge.json)" "$(extend_hex "$(sha384_hex huge-rd1)")" "direct output: PCR2 = extend(D1)"
"$EIF" verify huge.eif >/dev/null 2>&1
is $? 4 "direct output: eif verify finds it well formed (CRC checks), unsigned"
section_data huge.eif 4 | cmp -s - huge-rd1
ok $? "direct output: the 70 MiB ramdisk is stored verbatim at its table offset"
is "$("$EIF" pcr huge.eif)" "$(cat huge.json)" "direct output: pcr FILE = build's measurements"
rm -f huge-rd1 huge.eif

# nitro-cli pcr --input on the application ramdisk = PCR2 of a two-ramdisk EIF.
build_tv1 tv1.eif >tv1.json 2>/dev/null
is "$("$EIF" pcr --input ramdisk1 | json_field PCR)" "$(json_field PCR2 <tv1.json)" "pcr --input ramdisk1 = PCR2 of tv1"
is "$("$EIF" pcr tv1.eif)" "$(cat tv1.json)" "pcr FILE on tv1 (small, single-thread reader)"

# PCR8 = extend(SHA-384 of the certificate DER), oracle: openssl's fingerprint.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 2 -subj "/CN=pcr-test" \
	-keyout key.pem -out cert.pem 2>/dev/null || bail "openssl req failed"
fp=$(openssl x509 -in cert.pem -noout -fingerprint -sha384 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
is "$("$EIF" pcr --signing-certificate cert.pem | json_field PCR8)" "$(extend_hex "$fp")" "pcr --signing-certificate = extend(fingerprint)"
is "$("$EIF" pcr --signing-certificate "$TOP/tests/data/tv14/cert.pem" | json_field PCR8)" \
	d22d54f6435331797fec2b2b162b705f436737eb3a3cf3b50725468e410c4c0e3fd693422c7195fd067a214780b311d4 "PCR8 of the TV-14 certificate"
"$EIF" pcr --kernel bzImage --cmdline console=ttyS0 --ramdisk ramdisk0 --ramdisk ramdisk1 --signing-certificate cert.pem >signed-parts.json
is "$(json_field PCR8 <signed-parts.json)" "$(extend_hex "$fp")" "pcr from parts with a certificate adds PCR8"
is "$(json_field PCR0 <signed-parts.json)" "$(json_field PCR0 <tv1.json)" "... and keeps PCR0"
done_testing
