#!/bin/sh
# ARCH picks the output tree, the kernel image and the target tools; the default x86_64 build
# keeps its old values (out/, out/bzImage, musl-gcc, strip, CROSS_COMPILE empty), and neither an
# environment CROSS_COMPILE nor an unknown ARCH changes what gets built. Reads make's database
# (make -p help: no recipe that builds anything runs).
. "$TOP/tests/lib/tap.sh"
# var NAME [ARGS...]: NAME's value as make sees it with ARGS (and no O from tests/run), expanded.
var() {
	name=$1
	shift
	env -u O -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -s --no-print-directory -C "$TOP" \
		-p "$@" help 2>/dev/null | sed -n "s/^$name :\{0,1\}= //p" | head -n 1
}
host=$(uname -m)
[ "$host" = x86_64 ] || bail "this test describes an x86_64 host (this one is $host)"

is "$(var KERNEL_IMAGE)" out/bzImage "default: the kernel is out/bzImage"
is "$(var CROSS_COMPILE)" "" "default: no cross prefix"
is "$(var MUSL_CC)" musl-gcc "default: musl programs use musl-gcc"
is "$(var TARGET_STRIP) $(var TARGET_AR)" "strip ar" "default: the host's strip and ar"
is "$(var CROSS_LOCK)" "" "default: no extra lock"
is "$(var INIT_UAPI_ASM)" "/usr/include/$(gcc -print-multiarch)/asm" "default: init's asm headers are the host's"
is "$(CROSS_COMPILE=aarch64-linux-gnu- var CROSS_COMPILE)" "" "a CROSS_COMPILE in the environment is ignored"

is "$(var KERNEL_IMAGE ARCH=aarch64)" out/aarch64/Image "aarch64: the Image in out/aarch64"
is "$(var CROSS_COMPILE ARCH=aarch64)" aarch64-linux-gnu- "aarch64: Debian's cross prefix"
is "$(var TARGET_STRIP ARCH=aarch64)" aarch64-linux-gnu-strip "aarch64: the cross strip"
is "$(var MUSL_CC ARCH=aarch64)" "aarch64-linux-gnu-gcc -specs $TOP/out/aarch64/musl/musl-gcc.specs" \
	"aarch64: the cross gcc with the unpacked arm64 musl's specs"
is "$(var CROSS_LOCK ARCH=aarch64)" configs/sources-aarch64.lock "aarch64: configs/sources-aarch64.lock"
is "$(var INIT_UAPI_ASM ARCH=aarch64)" /usr/aarch64-linux-gnu/include/asm "aarch64: init's asm headers for arm64"
is "$(var KERNEL_IMAGE ARCH=aarch64 O=/tmp/elsewhere)" /tmp/elsewhere/Image "O= still moves the tree"

out=$(env -u O -u MAKEFLAGS -u MAKELEVEL make -s --no-print-directory -C "$TOP" ARCH=arm64 help 2>&1)
is "$?" 2 "ARCH=arm64 (the kernel's name) stops make"
case $out in *"ARCH=arm64 is not supported; use ARCH=x86_64 (default) or ARCH=aarch64"*) r=0 ;; *) r=1 ;; esac
ok $r "and says which names work" || diag "$out"
done_testing
