#!/bin/sh
# Images built with umoci and converted with skopeo (the tools users have) flatten to exactly
# what `umoci unpack` makes on disk.  The image: a first layer with non-root owners, a setuid
# and a setgid file, a sticky directory, symlinks, a FIFO, a file hard-linked within the layer;
# a second layer with whiteouts of a file and a directory, an opaque directory, hard links to a
# file of the first layer and a replaced file; a third layer made by umoci repack (its own
# whiteout).  Compared:
#  - eif cpio --oci and --docker-archive, with /cmd and /env from the config, against a list of
#    the unpacked tree with its owners and modes (tests/oci/tree-list): same bytes;
#  - the user ramdisk (PCR2's input) from APP=oci: and APP=docker-archive: against the one from
#    the unpacked tree given as a directory APP with the same CMD and ENV, for a root-owned
#    variant of the image without setuid bits (a directory APP drops owners and those bits).
. "$TOP/tests/oci/common.sh"
. "$TOP/tests/lib/json.sh"
need_tools --root "umoci unpack keeps owners only as root" umoci skopeo
plan 10

layer1() {	# $1: owner of the non-root entries; $2: setuid/setgid prefix
	cat <<SPEC
d bin 0755 0 0
f bin/hello 0755 0 0 #!/bin/sh echo hello v1
f bin/su ${2}755 0 0 setuid
f bin/sg ${3}711 0 $1 setgid
d etc 0755 0 0
f etc/passwd 0644 0 0 root:x:0:0
f etc/gone 0644 0 0 to be whited out
d etc/gonedir 0750 $1 $1
f etc/gonedir/x 0644 $1 $1 x
d opq 0755 0 0
f opq/old1 0644 0 0 old1
d opq/sub 0755 0 0
f opq/sub/old2 0644 0 0 old2
d tmp 1777 0 0
d home 0755 0 0
d home/user 0700 $1 $1
f home/user/file 0600 $1 $1 user data
d data 0755 0 0
f data/orig 0640 $1 $1 shared content
h data/same-layer data/orig
l lib usr/lib
d usr 0755 0 0
d usr/lib 0755 0 0
f usr/lib/libx.so.1 0644 0 0 ELF ELF ELF
l usr/lib/libx.so libx.so.1
p run.fifo 0644 $1 $1
SPEC
}
layer2() {
	cat <<'SPEC'
d etc 0755 0 0
f etc/.wh.gone 0644 0 0
f etc/.wh.gonedir 0644 0 0
d opq 0755 0 0
f opq/.wh..wh..opq 0644 0 0
f opq/new 0644 0 0 new
d data 0755 0 0
h data/link data/orig
h data/link2 data/orig
f bin/hello 0755 0 0 #!/bin/sh echo hello v2
d var 0755 0 0
l var/run ../run
SPEC
}

# build TAG OWNER SETUID SETGID: the image img:TAG, unpacked into ref-TAG/rootfs.
build() {
	layer1 "$2" "$3" "$4" | mklayer "l1-$1.tar" && layer2 | mklayer "l2-$1.tar" &&
	umoci new --image "img:$1" &&
	umoci raw add-layer --image "img:$1" "l1-$1.tar" &&
	umoci raw add-layer --image "img:$1" "l2-$1.tar" &&
	umoci unpack --image "img:$1" "bundle-$1" >/dev/null &&
	rm "bundle-$1/rootfs/usr/lib/libx.so.1" && echo added >"bundle-$1/rootfs/etc/added" &&
	umoci repack --image "img:$1" "bundle-$1" >/dev/null &&
	umoci config --image "img:$1" --config.entrypoint /bin/hello --config.cmd arg1 \
		--config.cmd "arg 2" --config.env A=1 --config.env "B=two words" \
		--config.workingdir /home --config.user 1000 &&
	umoci unpack --image "img:$1" "ref-$1" >/dev/null &&
	skopeo copy -q "oci:img:$1" "docker-archive:$1.tar:test/img:$1"
}
listing() { cpio -itv <"$1" >"$1.txt" 2>&1; cpio -itv <"$2" >"$2.txt" 2>&1; diff "$1.txt" "$2.txt"; }
umoci init --layout img && build full 1000 4 2 && build plain 0 0 0 || bail "cannot build the images with umoci and skopeo"
full=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "full") | .digest[7:]' img/index.json)
layers=$(jq '.layers | length' "img/blobs/sha256/$full")
is "$layers" 3 "the image has three layers, the last from umoci repack"

# Owners and modes kept: the image against the unpacked tree, as a list.
printf '/bin/hello\narg1\narg 2\n' >cmd && printf 'A=1\nB=two words\n' >env
{ python3 "$TOP/tests/oci/tree-list" ref-full/rootfs /rootfs && printf 'file /cmd cmd 0644 0 0\nfile /env env 0644 0 0\n'; } >ref.list ||
	bail "cannot list the unpacked tree"
grep -q '^file /rootfs/bin/su .* 4755 0 0' ref.list && grep -q '^dir /rootfs/home/user 0700 1000 1000' ref.list &&
	grep -q '^file /rootfs/data/[a-z0-9-]* .* 0640 1000 1000 /rootfs/data/[a-z0-9-]* /rootfs/data/[a-z0-9-]* /rootfs/data/' ref.list
ok $? "umoci unpack kept the setuid bit, the owners and the 4-name hard-link group" || diag "$(cat ref.list)"
"$EIF" cpio --base "$work" --list ref.list -o ref.cpio || bail "cannot pack the reference"
"$EIF" cpio --oci rootfs=img:full --image-cmd --image-env -o oci.cpio 2>msg.txt
ok $? "eif cpio --oci packs the image" || diag "$(cat msg.txt)"
is "$(cat msg.txt)" "eif cpio: from the image config: /cmd from Entrypoint+Cmd, /env from Env; ignored: WorkingDir '/home', User '1000'" \
	"one line says what the config gave and what it ignored"
cmp oci.cpio ref.cpio
ok $? "the image's archive equals the unpacked tree's, owners and modes included" ||
	diag "$(listing ref.cpio oci.cpio)"
"$EIF" cpio --docker-archive rootfs=full.tar --image-cmd --image-env -o da.cpio 2>/dev/null
cmp da.cpio ref.cpio
ok $? "the docker-archive from skopeo gives the same bytes"

# The user ramdisk from a root-owned image equals the one from its unpacked tree as a directory.
"$TOP/scripts/user-ramdisk" "$EIF" "$work/ref-plain/rootfs" '/bin/hello arg1 "arg 2"' "$work/env" "$work/dir.cpio" ||
	bail "user-ramdisk failed for the directory"
"$TOP/scripts/user-ramdisk" "$EIF" "oci:$work/img:plain" '' '' "$work/user-oci.cpio" 2>/dev/null
ok $? "user-ramdisk takes APP=oci:LAYOUT:TAG with CMD and ENV from the image"
cmp user-oci.cpio dir.cpio
ok $? "the user ramdisk (PCR2) from APP=oci: equals the one from the unpacked directory" ||
	diag "$(listing dir.cpio user-oci.cpio)"
"$TOP/scripts/user-ramdisk" "$EIF" "docker-archive:$work/plain.tar" '' '' "$work/user-da.cpio" 2>/dev/null
cmp user-da.cpio dir.cpio
ok $? "the user ramdisk (PCR2) from APP=docker-archive: equals it too"
"$TOP/scripts/user-ramdisk" "$EIF" "oci:$work/img:plain" '/bin/hello arg1 "arg 2"' "$work/env" "$work/user-given.cpio" 2>/dev/null
cmp user-given.cpio dir.cpio
ok $? "with CMD and ENV given instead, the user ramdisk is the same"
