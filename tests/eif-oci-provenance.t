#!/bin/sh
# eif cpio --image-info names the selected manifest (its digest as index.json gives it), each
# layer's digest and diff_id, and the layer that made each entry; scripts/provenance turns that
# into entry records, so eif audit traces every user-ramdisk entry of an image to its layer.
. "$TOP/tests/oci/common.sh"
. "$TOP/tests/lib/json.sh"
plan 7
printf 'd bin 0755 0 0\nf bin/a 0755 0 0 one\nf bin/b 0644 0 0 b\n' | mklayer l1.tar &&
	printf 'd bin 0755 0 0\nf bin/a 0755 0 0 two\nf bin/.wh.b 0644 0 0\n' | mklayer l2.tar && gzip -n l2.tar &&
	mklayout img --tag v1 l1.tar l2.tar.gz || bail "cannot make the image"
"$EIF" cpio --oci rootfs=img:v1 --image-info info.txt -o a.cpio 2>err.txt
ok $? "eif cpio --image-info runs" || diag "$(cat err.txt)"
want=$(jq -r '.manifests[0].digest' img/index.json)
is "$(awk -F '\t' '$1 == "manifest" { print $2 }' info.txt)" "$want" "the manifest digest is the one index.json names"
l2=$(sha256sum l2.tar.gz | cut -c1-64)
is "$(awk -F '\t' '$1 == "layer" && $2 == 2 { print $3 }' info.txt)" "sha256:$l2" "layer 2 is named by its blob digest"
is "$(awk -F '\t' '$1 == "entry" { print $2 "=" $3 }' info.txt | LC_ALL=C sort | tr '\n' ' ')" "rootfs/bin/a=2 rootfs/bin=2 " \
	"each entry names the last layer that set it; the whited-out file is gone"
rm -rf bad && mkdir bad
"$EIF" cpio --oci rootfs=img:v2 --image-info bad/info.txt -o bad/a.cpio 2>/dev/null
is "$(ls -A bad)" "" "a failing run leaves neither the archive nor the info file"

# Provenance of an EIF built from the image: every entry accounted for by eif audit.
mkdir -p out/ramdisk out/kernel out/bin && head -c 4096 /dev/urandom >out/bzImage && echo init >out/init &&
	echo nsm >out/nsm.ko && echo 6.12.0 >out/kernel/release && cp "$EIF" out/bin/eif &&
	"$EIF" cpio --base out --list "$TOP/configs/ramdisk/system.list" -o out/ramdisk/system.cpio &&
	"$TOP/scripts/user-ramdisk" "$EIF" "oci:$work/img:v1" '' '' out/ramdisk/user.cpio 2>/dev/null &&
	"$EIF" build --kernel out/bzImage --cmdline "$(cat "$TOP/configs/cmdline/x86_64")" \
		--ramdisk out/ramdisk/system.cpio --ramdisk out/ramdisk/user.cpio --name enclave --version 0.1.0 \
		--arch x86_64 --build-tool enclave-kit --build-tool-version 0.1.0 --img-os Linux \
		--img-kernel 6.12.0 --output out/enclave.eif >/dev/null || bail "cannot build the EIF"
NAME=enclave VERSION=0.1.0 "$TOP/scripts/provenance" "$work/out" "oci:$work/img:v1" '' '' >prov 2>err.txt
grep -q "^entry	1	rootfs/bin/a	file	0755	0:0	4	.*	app	image oci:$work/img:v1 (manifest $want) layer 2 (sha256:$l2)\$" prov
ok $? "provenance traces rootfs/bin/a to layer 2 of the manifest" || diag "$(cat err.txt; grep bin/a prov)"
"$EIF" audit out/enclave.eif --provenance prov >audit.txt 2>&1
ok $? "eif audit accounts for every entry of the image's user ramdisk" || diag "$(tail -5 audit.txt)"
