#!/bin/sh
# eif diff on kernels with an embedded config (IKCONFIG), on xz, zstd and lzma payloads and on
# arm64 Images. Our kernel has none of these (configs/kernel/x86_64.defconfig: gzip, no
# IKCONFIG), and building kernels here is
# too slow, so this test makes small synthetic bzImages: a real x86 setup header (boot
# protocol 2.15: setup_sects, syssize, kernel_version, payload_offset, payload_length) in
# front of a compressed payload that holds what a vmlinux holds for the diff: a
# `Linux version` banner and the IKCFG_ST marker followed by the gzip'd config. The marker
# is placed across the diff's 1 MiB chunk boundary, so the streaming scan is tested there.
# tests/eif-diff-kernel.t does the same on our real bzImage.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/diff.sh"
. "$TOP/tests/lib/eif.sh"
cd "$work" || bail "cd $work"
command -v xz >/dev/null || bail "xz is missing (configs/packages/build: xz-utils)"
command -v zstd >/dev/null || "$TOP/scripts/ensure-packages" check || bail "zstd is missing (configs/packages/check)"

banner_at() { printf 'Linux version 6.12.0-test (builder@buildhost) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC %s\n' "$1"; }

# vmlinux OUT CONFIG TIMESTAMP: 1 MiB - 3 bytes of filler, IKCFG_ST, gzip'd config, IKCFG_ED,
# filler, the banner, filler.
vmlinux() {
	gzip -9 -n <"$2" >"$1.config.gz" || bail "gzip config"
	{ head -c $((1048576 - 3)) /dev/zero | tr '\0' 'v'
	  printf 'IKCFG_ST'; cat "$1.config.gz"; printf 'IKCFG_ED'
	  head -c 5000 /dev/zero; banner_at "$3"; printf '\0'; head -c 3000 /dev/zero; } >"$1"
}

# bzimage OUT PAYLOAD VERSION-STRING: setup (2 sectors) + 16 bytes + payload + 16 bytes.
bzimage() {
	perl -e '
		my ($out, $payload, $version) = @ARGV;
		open my $p, "<:raw", $payload or die; local $/; my $data = <$p>;
		my $setup = "\0" x 1024;
		my $pm = ("\0" x 16) . $data . ("\0" x 16);
		substr($setup, 0x1f1, 1) = pack("C", 1);
		substr($setup, 0x1f4, 4) = pack("V", int((length($pm) + 15) / 16));
		substr($setup, 0x1fe, 2) = pack("v", 0xaa55);
		substr($setup, 0x202, 4) = "HdrS";
		substr($setup, 0x206, 2) = pack("v", 0x020f);
		substr($setup, 0x20e, 2) = pack("v", 0x100);
		substr($setup, 0x300, length($version) + 1) = $version . "\0";
		substr($setup, 0x248, 4) = pack("V", 16);
		substr($setup, 0x24c, 4) = pack("V", length($data));
		open my $o, ">:raw", $out or die; print $o $setup, $pm;' "$1" "$2" "$3" || bail "bzimage $1"
}

printf 'init\n' >init && printf 'file /init init 0755 0 0\n' >sys.list
"$EIF" cpio --list sys.list -o sys.cpio || bail "cpio"
# eif_with KERNEL OUT
eif_with() {
	"$EIF" build --kernel "$1" --cmdline console=ttyS0 --ramdisk sys.cpio --ramdisk sys.cpio \
		--output "$2" --name synthetic --build-time 1970-01-01T00:00:00+00:00 >/dev/null 2>&1 || bail "build $2"
}
# kernel_eif NAME CONFIG TIMESTAMP COMPRESSOR: NAME.vmlinux, NAME.bzImage and NAME.eif.
kernel_eif() {
	vmlinux "$1.vmlinux" "$2" "$3"
	$4 <"$1.vmlinux" >"$1.payload" || bail "$4 $1"
	bzimage "$1.bzImage" "$1.payload" "6.12.0-test (builder@buildhost) #1 SMP PREEMPT_DYNAMIC $3"
	eif_with "$1.bzImage" "$1.eif"
}

stamp='Wed Jan  1 00:00:00 UTC 2025'
printf 'CONFIG_64BIT=y\nCONFIG_MODULES=y\nCONFIG_NSM=m\n# CONFIG_IKCONFIG_PROC is not set\nCONFIG_CMDLINE="console=ttyS0"\n' >a.config
sed 's/^CONFIG_NSM=m$/CONFIG_NSM=y/' a.config >b.config
kernel_eif a a.config "$stamp" "gzip -9 -n"
kernel_eif b b.config "$stamp" "gzip -9 -n"

"$EIF" diff a.eif b.eif >config.out
is "$?" 1 "IKCONFIG option: exit 1"
expected="$(kernel_size_changes a.bzImage b.bzImage)
kernel payload: bytes, first difference at byte $(first_diff a.vmlinux b.vmlinux); moves PCR0 PCR1
config CONFIG_NSM: value m -> y; moves PCR0 PCR1"
[ "$(wc -c <a.vmlinux)" = "$(wc -c <b.vmlinux)" ] ||
	expected=$(printf '%s\n' "$expected" | sed "/^kernel payload: bytes/i kernel payload: size $(wc -c <a.vmlinux) -> $(wc -c <b.vmlinux); moves PCR0 PCR1")
is "$(changes config.out)" "$(printf '%s\n' "$expected" | sed '/^$/d')" \
	"IKCONFIG option: names the option, the payload's first differing byte and the header sizes" ||
	diag "$(cat config.out)"
is "$(different_sections config.out)" "kernel: PCR0 PCR1" \
	"IKCONFIG option: only the kernel section differs, moving PCR0 and PCR1"

# --config files take the place of the embedded ones.
sed 's/^CONFIG_MODULES=y$/# CONFIG_MODULES is not set/' a.config >c.config
"$EIF" diff --config a.config --config c.config a.eif b.eif >given.out
is "$(changes given.out | grep '^config ')" "config CONFIG_MODULES: value y -> n; moves PCR0 PCR1" \
	"--config: the given files are compared instead"

# A damaged embedded config (gzip stream cut short) is named, not a crash.
{ head -c $((1048576 - 3)) /dev/zero | tr '\0' 'v'; printf 'IKCFG_ST'; head -c 40 a.vmlinux.config.gz; printf 'IKCFG_ED'; banner_at "$stamp"; } >d.vmlinux
gzip -9 -n <d.vmlinux >d.gz && bzimage d.bzImage d.gz "6.12.0-test" && eif_with d.bzImage d.eif
"$EIF" diff a.eif d.eif >damaged.out
is "$?" 1 "cut IKCONFIG: exit 1"
grep -q '^config IKCONFIG: embedded config present -> unreadable; moves PCR0 PCR1$' damaged.out
ok $? "cut IKCONFIG: named unreadable" || diag "$(cat damaged.out)"

# The kernel build timestamp, in the banner and the setup string, with the payload compressed
# by each compressor the diff decodes; then that payload cut short, which is the reader's kind
# of error: exit 2, the file named.
stamp2='Thu Jan  2 00:00:00 UTC 2025'
version="6.12.0-test (builder@buildhost) #1 SMP PREEMPT_DYNAMIC"
# timestamp_case CODEC COMPRESSOR
timestamp_case() {
	kernel_eif "a$1" a.config "$stamp" "$2"
	kernel_eif "t$1" a.config "$stamp2" "$2"
	"$EIF" diff "a$1.eif" "t$1.eif" >"$1.out"
	is "$?" 1 "$1 timestamp: exit 1"
	expected="$(kernel_size_changes "a$1.bzImage" "t$1.bzImage")
kernel setup.kernel_version: string $version $stamp -> $version $stamp2; moves PCR0 PCR1
kernel payload: bytes, first difference at byte $(first_diff "a$1.vmlinux" "t$1.vmlinux"); moves PCR0 PCR1
kernel banner.timestamp: string $stamp -> $stamp2; moves PCR0 PCR1"
	is "$(changes "$1.out")" "$(printf '%s\n' "$expected" | sed '/^$/d')" \
		"$1 timestamp: names the timestamp (setup string and banner) and nothing else" ||
		diag "$(cat "$1.out")"
	head -c 300 "a$1.payload" >"cut$1.payload"
	bzimage "cut$1.bzImage" "cut$1.payload" "6.12.0-test"
	eif_with "cut$1.bzImage" "cut$1.eif"
	"$EIF" diff "a$1.eif" "cut$1.eif" >/dev/null 2>"cut$1.err"
	is "$?" 2 "cut $1 payload: exit 2"
	grep -q "cut$1.eif': the kernel's $1 payload does not decompress" "cut$1.err"
	ok $? "cut $1 payload: says which file and what" || diag "$(cat "cut$1.err")"
}
timestamp_case xz "xz --check=crc32 -9"
timestamp_case zstd "zstd -q -19"

# A compression the diff does not decode (lzma): named, and the compressed bytes compared;
# no banner is looked for in compressed bytes.
kernel_eif al a.config "$stamp" "xz --format=lzma -9"
kernel_eif tl a.config "$stamp2" "xz --format=lzma -9"
"$EIF" diff al.eif tl.eif >lzma.out
is "$?" 1 "lzma timestamp: exit 1"
expected="$(kernel_size_changes al.bzImage tl.bzImage)
kernel setup.kernel_version: string $version $stamp -> $version $stamp2; moves PCR0 PCR1
kernel payload: compression (not decompressed here) lzma -> lzma; moves PCR0 PCR1"
[ "$(wc -c <al.payload)" = "$(wc -c <tl.payload)" ] ||
	expected="$expected
kernel compressed payload: size $(wc -c <al.payload) -> $(wc -c <tl.payload); moves PCR0 PCR1"
expected="$expected
kernel compressed payload: bytes, first difference at byte $(first_diff al.payload tl.payload); moves PCR0 PCR1"
is "$(changes lzma.out)" "$(printf '%s\n' "$expected" | sed '/^$/d')" \
	"lzma: names the compression and the compressed bytes' first difference" || diag "$(cat lzma.out)"

# arm64: an Image is not compressed; its header (text_offset, image_size, flags) is compared
# and the banner is read from the Image itself.
# image OUT IMAGE-SIZE TIMESTAMP: a 64-byte arm64 header, then filler and the banner.
image() {
	{ perl -e 'print pack("V2 Q< Q< Q< Q< Q< Q< a4 V", 0x14000010, 0, 0, $ARGV[0], 0xa, 0, 0, 0, "ARM\x64", 0)' "$2"
	  head -c 4000 /dev/zero; banner_at "$3"; printf '\0'; } >"$1" || bail "image $1"
}
image a.Image 4194304 "$stamp"
image b.Image 8388608 "$stamp2"
for x in a b; do
	"$EIF" build --arch aarch64 --kernel $x.Image --cmdline console=ttyAMA0 --ramdisk sys.cpio \
		--output $x-arm64.eif --name synthetic --build-time 1970-01-01T00:00:00+00:00 >/dev/null 2>&1 ||
		bail "build $x-arm64.eif"
done
"$EIF" diff a-arm64.eif b-arm64.eif >arm64.out
is "$?" 1 "arm64 Image: exit 1"
is "$(changes arm64.out)" "kernel image.image_size: value 0x400000 -> 0x800000; moves PCR0 PCR1
kernel payload: bytes, first difference at byte 18; moves PCR0 PCR1
kernel banner.timestamp: string $stamp -> $stamp2; moves PCR0 PCR1" \
	"arm64 Image: names the header field and the timestamp" || diag "$(cat arm64.out)"

done_testing
