#!/bin/sh
# TV-7: eif build with eif_build's flags writes the 884-byte tv1 (docs/eif-format.md#test-vectors)
# byte for byte, prints eif_build's measurements JSON, and is reproducible.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
make_tv1_inputs
cd "$work" || bail "cd $work"

build_tv1 tv1.eif >stdout 2>stderr
ok $? "eif build exits 0"
is "$(cat stderr)" "Output file: tv1.eif" "stderr names the output file"
is "$(wc -c <tv1.eif | tr -d ' ')" 884 "tv1 is 884 bytes"
is "$(hex_of tv1.eif)" "$(tr -d ' \n' <"$TOP/tests/data/tv14/tv1.hex")" "tv1 equals tests/data/tv14/tv1.hex byte for byte"
is "$(sha256sum tv1.eif | cut -d' ' -f1)" 2618c51bd6d4176723da1bc0dc269d308c791595c8fbc2930107e1c00ee0fabe "tv1 SHA-256"
is "$(dd if=tv1.eif bs=1 skip=544 count=4 2>/dev/null | od -An -tx1 | tr -d ' \n')" 27849440 "stored CRC 0x27849440"
is "$(section_data tv1.eif 2)" \
	'{"ImageName":"bzImage","ImageVersion":"1.0","BuildMetadata":{"BuildTime":"1970-01-01T00:00:00+00:00","BuildTool":"eif_build","BuildToolVersion":"0.3.1","OperatingSystem":"OS","KernelVersion":"kernel"},"DockerInfo":null,"CustomMetadata":null}' \
	"metadata section is TV-7's 241 bytes"
expected='{
  "HashAlgorithm": "Sha384 { ... }",
  "PCR0": "d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8a409f42073234d1c5c990a787dbf0b61",
  "PCR1": "fd73f54410dbf232bc7b66664cc18e9145505715707e0077bc0f2a5adf645db5485b81f11b18fdf0ad431595d4368310",
  "PCR2": "361b4f176971a5893fc98afbed75853fdc33c130370ca7cf9fa27578446d3708611d899a2703095c7335733c0d099d46"
}'
is "$(cat stdout)" "$expected" "measurements JSON as eif_build prints it (the worked example's values)"

# eif_build's defaults for the five metadata flags, with BuildTime from SOURCE_DATE_EPOCH (unset: 0).
"$EIF" build --kernel bzImage --cmdline console=ttyS0 --ramdisk ramdisk0 --ramdisk ramdisk1 \
	--output defaults.eif >/dev/null 2>&1
is "$(hex_of defaults.eif)" "$(hex_of tv1.eif)" "defaults reproduce tv1 when SOURCE_DATE_EPOCH is unset"
SOURCE_DATE_EPOCH=1735689600 "$EIF" build --kernel bzImage --cmdline console=ttyS0 --ramdisk ramdisk0 \
	--ramdisk ramdisk1 --output epoch.eif >/dev/null 2>&1
section_data epoch.eif 2 | grep -q '"BuildTime":"2025-01-01T00:00:00+00:00"'
ok $? "BuildTime comes from SOURCE_DATE_EPOCH in RFC 3339"
build_tv1 again.eif >/dev/null 2>&1
cmp -s tv1.eif again.eif
ok $? "a second build is byte-identical"

# Our --version sets ImageVersion (eif_build ignores it); --name sets ImageName; --arch aarch64 sets flag bit 0.
build_tv1 named.eif --name hello --version 2.5 --arch aarch64 >/dev/null 2>&1
meta=$(section_data named.eif 2)
case $meta in '{"ImageName":"hello","ImageVersion":"2.5",'*) r=0 ;; *) r=1 ;; esac
ok $r "--name and --version set ImageName and ImageVersion"
[ $r -eq 0 ] || diag "metadata: $meta"
is "$(dd if=named.eif bs=1 skip=6 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')" 0001 "--arch aarch64 sets header flags to 1"
build_tv1 nameonly.eif --name hello >/dev/null 2>&1
meta=$(section_data nameonly.eif 2)
case $meta in '{"ImageName":"hello","ImageVersion":"hello",'*) r=0 ;; *) r=1 ;; esac
ok $r "--name without --version stores the name as ImageVersion, as eif_build does"
[ $r -eq 0 ] || diag "metadata: $meta"

# Custom metadata: re-emitted compact with sorted keys, numbers as serde_json prints them.
printf '{ "zeta": [1, 2.50, -0], "alpha": {"y": "\\u00e9", "x": null}, "big": 310243859851456237655 }\n' >meta.json
build_tv1 meta.eif --metadata meta.json >/dev/null 2>&1
ok $? "build with --metadata succeeds"
meta=$(section_data meta.eif 2)
case $meta in *'"CustomMetadata":{"alpha":{"x":null,"y":"é"},"big":3.102438598514563e20,"zeta":[1,2.5,-0.0]}}') r=0 ;; *) r=1 ;; esac
ok $r "CustomMetadata is compact, key-sorted, with serde_json's numbers"
[ $r -eq 0 ] || diag "metadata: $meta"
done_testing
