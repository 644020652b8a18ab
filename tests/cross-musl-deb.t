#!/bin/sh
# ARCH=aarch64 unpacks the arm64 musl-dev .deb only when its sha256 is the one in
# configs/sources-aarch64.lock: a .deb altered after the download is refused, with the file and
# the lock named, and nothing is unpacked (cross/cross.mk). Needs no cross tools or network.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/cross/musl-deb
rm -rf "$work" && mkdir -p "$work/dl" || bail "cannot create $work"
deb=$(awk '$1 == "deb" && $2 ~ /\/musl-dev_/ { n = split($2, p, "/"); print p[n] }' "$TOP/configs/sources-aarch64.lock")
[ -n "$deb" ]; ok $? "configs/sources-aarch64.lock pins musl-dev for arm64 ($deb)"
printf 'not the pinned package\n' >"$work/dl/$deb"
env -u O -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -s --no-print-directory -C "$TOP" \
	ARCH=aarch64 O="$work/out" DL="$work/dl" "$work/out/musl/musl-gcc.specs" >"$work/make.out" 2>&1
is "$?" 2 "make refuses the altered .deb"
grep -q "cross: $work/dl/$deb does not match configs/sources-aarch64.lock; delete it and run make again" "$work/make.out"
ok $? "the message names the file, the lock and what to do" || sed 's/^/# /' "$work/make.out"
[ ! -e "$work/out/musl" ]; ok $? "nothing is unpacked"
done_testing
