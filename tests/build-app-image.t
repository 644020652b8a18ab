#!/bin/sh
# An image APP (oci:LAYOUT[:TAG], docker-archive:FILE[:TAG]) is decided by content like a tree:
# a layout or archive replaced by another image under old mtimes rebuilds the user ramdisk and
# everything after it; a layer recompressed (same files, new digests) keeps the ramdisk, EIF and
# pcr.json but redoes the provenance and the SBOM, which name the layer digests and the image's
# hash; a second make with the same image changes nothing.
. "$TOP/tests/lib/build.sh"
. "$TOP/tests/oci/tools.sh"
need_tools python3 skopeo gzip
old=200001010000	# touch -t: older than any ramdisk this test builds
. "$TOP/tests/lib/json.sh"
pcr2() { json_field PCR2 <"$b/pcr.json"; }
# layout DIR WORD [gzip]: an OCI layout of one layer holding bin/app saying WORD, all in 2000.
layout() {
	rm -rf "$1" && printf 'd bin 0755 0 0\nf bin/app 0755 0 0 %s\n' "$2" |
		python3 "$TOP/tests/oci/mklayer" "$work/layer.tar" || bail "cannot make a layer"
	l=$work/layer.tar
	[ "${3-}" != gzip ] || { gzip -n -c "$l" >"$l.gz" && l=$l.gz; } || bail "cannot gzip the layer"
	python3 "$TOP/tests/oci/mklayout" "$1" "$l" && find "$1" -exec touch -h -t $old {} + ||
		bail "cannot make the layout $1"
}
kept() { (cd "$b" && stat -c '%n %Y.%y' ramdisk/user.cpio enclave.eif pcr.json); }

layout "$work/img" alpha
build_ok "make APP=oci:img" APP="oci:$work/img"
outputs_are_fresh "APP=oci:img" "oci:$work/img" "" ""
before=$(mtimes) pcr_a=$(pcr2)
sleep 1	# so that any rewrite shows in the mtimes
build_ok "make APP=oci:img again" APP="oci:$work/img"
is "$(mtimes)" "$before" "the second make rewrites no output"

# 1. The layout replaced by another image, every file of which is older than the ramdisk.
layout "$work/img" bravo
build_ok "make after the layout was replaced under old mtimes" APP="oci:$work/img:latest"
outputs_are_fresh "new layout" "oci:$work/img:latest" "" ""
[ "$(pcr2)" != "$pcr_a" ]; ok $? "PCR2 is no longer the first image's"

# 2. The same files in a gzip layer: new layer, manifest and index digests, the same ramdisk.
before=$(kept)
layout "$work/img" bravo gzip
build_ok "make after the layer was recompressed" APP="oci:$work/img:latest"
is "$(kept)" "$before" "same files: the ramdisk, the EIF and pcr.json are not rewritten"
outputs_are_fresh "recompressed layer" "oci:$work/img:latest" "" ""

# 3. A docker-archive replaced by another one dated in the past.
layout "$work/img2" charlie
skopeo copy -q "oci:$work/img:latest" "docker-archive:$work/app.tar" &&
	skopeo copy -q "oci:$work/img2:latest" "docker-archive:$work/app2.tar:app:1" &&
	touch -t $old "$work/app.tar" "$work/app2.tar" || bail "cannot write the docker-archives"
build_ok "make APP=docker-archive:app.tar" APP="docker-archive:$work/app.tar" CMD=/bin/app ENV=
outputs_are_fresh "docker-archive" "docker-archive:$work/app.tar" /bin/app ""
pcr_b=$(pcr2)
cp -p "$work/app2.tar" "$work/app.tar" || bail "cannot replace the docker-archive"
build_ok "make after the docker-archive was replaced by an old-dated one" \
	APP="docker-archive:$work/app.tar" CMD=/bin/app ENV=
outputs_are_fresh "replaced docker-archive" "docker-archive:$work/app.tar" /bin/app ""
[ "$(pcr2)" != "$pcr_b" ]; ok $? "PCR2 is no longer the first archive's"
done_testing
