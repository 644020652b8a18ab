#!/bin/sh
# kernel/arm64-text-offset sets an arm64 Image's text_offset (le64 at 8) to 2 MiB, where the
# Nitro loader places the kernel (docs/boot-contract.md#the-arm64-kernel-image); nothing else
# in the file changes, a 2 MiB Image stays as it is, and anything else is refused untouched.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/arm64-text-offset
rm -rf "$work" && mkdir -p "$work" && cd "$work" || bail "cannot create $work"
tool=$TOP/kernel/arm64-text-offset

# image OUT TEXT-OFFSET [MAGIC]: a 64-byte arm64 header (booting.rst layout), then 4 KiB of code.
image() {
	{ perl -e 'print pack("V2 Q< Q< Q< Q< Q< Q< a4 V", 0x91005a4d, 0x14000010, $ARGV[0], 0x10000, 0xa, 0, 0, 0, $ARGV[1], 0x40)' \
		"$2" "${3:-ARM$(printf '\144')}"
	  head -c 4096 /dev/urandom; } >"$1" || bail "image $1"
}
hex8() { od -An -v -tx1 -j 8 -N 8 "$1" | tr -d ' \n'; }

image zero.Image 0
cp zero.Image before.Image
"$tool" zero.Image 2>err.txt
ok $? "a text_offset of 0 is accepted" || diag "$(cat err.txt)"
is "$(hex8 zero.Image)" 0000200000000000 "text_offset becomes 0x200000 (little-endian)"
cmp -s -n 8 zero.Image before.Image && cmp -s -i 16 zero.Image before.Image
ok $? "every other byte is unchanged"
is "$(wc -c <zero.Image)" "$(wc -c <before.Image)" "the size is unchanged"

cp zero.Image again.Image
"$tool" again.Image 2>err.txt
ok $? "an Image already at 2 MiB is accepted" || diag "$(cat err.txt)"
cmp -s again.Image zero.Image
ok $? "and left as it is"

# refused NAME TEXT-OFFSET MAGIC WHAT MESSAGE: such an Image is refused, named, left untouched.
refused() {
	image "$1.Image" "$2" "$3"
	cp "$1.Image" "$1.before"
	"$tool" "$1.Image" 2>err.txt
	is "$?" 1 "$4 is refused"
	grep -q "$5" err.txt
	ok $? "$4: the message names what was found" || diag "$(cat err.txt)"
	cmp -s "$1.Image" "$1.before"
	ok $? "$4: the file is not modified"
}
refused odd 524288 "" "another text_offset (0x80000, pre-5.8 kernels)" \
	"text_offset is 0x0000080000000000 .*neither 0 nor 2 MiB"
refused bz 0 HdrS "a file without the ARM\\x64 magic at 0x38" \
	"no arm64 Image header (magic at 0x38 is '48647253'"

head -c 20 zero.Image >short.Image
"$tool" short.Image 2>err.txt
is "$?" 1 "a file shorter than the header is refused"
done_testing
