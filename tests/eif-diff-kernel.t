#!/bin/sh
# eif diff on our real kernel: two EIFs whose kernels differ only in the build timestamp
# name exactly that timestamp (banner and setup string), the decompressed payload's first
# differing byte, the setup header sizes that follow from it, and PCR0/PCR1 and nothing else;
# with --config, the one config option that differs.
#
# Building a second kernel takes minutes of both cores, so the variant is derived from
# $O/bzImage the way a later rebuild would differ: the gzip payload is decompressed, every
# copy of the build timestamp (KBUILD_BUILD_TIMESTAMP: the `Linux version` banner, the
# uts version, the setup header's kernel_version string) is replaced by the timestamp one day
# later (same length), the payload is recompressed with `gzip -9 -n` as Kbuild does, and the
# bzImage is reassembled with payload_length and syssize corrected. The reference image A is
# reassembled the same way from the unmodified payload, and is checked to be out/bzImage
# itself. (The decompressor's own copy of the payload length is not rewritten: the variant
# is for comparing, not for booting.)
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/diff.sh"
. "$TOP/tests/lib/eif.sh"
cd "$work" || bail "cd $work"
[ -f "$O/bzImage" ] || bail "$O/bzImage missing; run make (the kernel is part of the default build)"

setup_sects=$(perl -e 'open my $f, "<:raw", $ARGV[0] or die; seek $f, 0x1f1, 0; read $f, my $b, 1; print ord($b), "\n"' "$O/bzImage")
[ "$setup_sects" -eq 0 ] && setup_sects=4
payload_at=$(( (setup_sects + 1) * 512 + $(le32_at "$O/bzImage" 584) ))
payload_len=$(le32_at "$O/bzImage" 588)
tail -c +$((payload_at + 1)) "$O/bzImage" | head -c "$payload_len" >payload.gz
head -c 2 payload.gz | od -An -tx1 | grep -q '1f 8b' || bail "out/bzImage's payload is not gzip (configs/kernel/x86_64.defconfig says CONFIG_KERNEL_GZIP)"
gzip -dc <payload.gz >a.vmlinux 2>/dev/null
# gzip -d warns about the 4-byte size Kbuild may append; the data is whole either way.
[ -s a.vmlinux ] || bail "cannot decompress out/bzImage's payload"

stamp=$(perl -ne 'if (/Linux version [^\n\0]*/) { print "$&\n"; exit }' a.vmlinux |
	sed -n 's/.* \([A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} UTC [0-9]\{4\}\)$/\1/p')
[ -n "$stamp" ] || bail "no build timestamp in out/bzImage's Linux version banner"
later=$(LC_ALL=C TZ=UTC date -u -d "@$(( $(LC_ALL=C TZ=UTC date -u -d "$stamp" +%s) + 86400 ))" '+%a %b %e %H:%M:%S UTC %Y')
[ "${#later}" -eq "${#stamp}" ] || bail "timestamps '$stamp' and '$later' differ in length"
diag "build timestamp '$stamp' -> '$later'"

# reassemble VMLINUX OUT: out/bzImage with VMLINUX as its payload, sizes corrected, and
# every copy of the timestamp outside the payload replaced by $2's (when given).
reassemble() {
	gzip -9 -n <"$1" >"$1.gz" || bail "gzip"
	perl -e '
		my ($in, $payload, $out, $at, $len, $from, $to) = @ARGV;
		local $/;
		open my $f, "<:raw", $in or die; my $img = <$f>;
		open my $p, "<:raw", $payload or die; my $data = <$p>;
		my $head = substr($img, 0, $at); my $tail = substr($img, $at + $len);
		if ($to ne "") { s/\Q$from\E/$to/g for $head, $tail; }
		my $new = $head . $data . $tail;
		my $setup = (ord(substr($new, 0x1f1, 1)) || 4) * 512 + 512;
		substr($new, 0x24c, 4) = pack("V", length($data));
		substr($new, 0x1f4, 4) = pack("V", int((length($new) - $setup + 15) / 16));
		open my $o, ">:raw", $out or die; print $o $new;' \
		"$O/bzImage" "$1.gz" "$2" "$payload_at" "$payload_len" "$stamp" "${3:-}" || bail "reassemble $2"
}
perl -pe 'BEGIN { ($from, $to) = splice @ARGV, 0, 2 } s/\Q$from\E/$to/g' "$stamp" "$later" a.vmlinux >b.vmlinux
reassemble a.vmlinux a.bzImage
reassemble b.vmlinux b.bzImage "$later"
cmp -s a.bzImage "$O/bzImage"
ok $? "the reference rebuilt from the unmodified payload is out/bzImage byte for byte"
copies=$(grep -a -o -F "$stamp" a.vmlinux | wc -l)
chars=$(perl -e '($x, $y) = @ARGV; print scalar(grep { substr($x, $_, 1) ne substr($y, $_, 1) } 0 .. length($x) - 1)' "$stamp" "$later")
diag "$copies copies of the timestamp in the payload, $chars characters differ in each"
is "$(cmp -l a.vmlinux b.vmlinux | wc -l | tr -d ' ')" "$((copies * chars))" \
	"the variant's payload differs only in the timestamp's characters"

printf 'init\n' >init && printf 'file /init init 0755 0 0\n' >sys.list
"$EIF" cpio --list sys.list -o sys.cpio || bail "cpio"
for k in a b; do
	"$EIF" build --kernel $k.bzImage --cmdline console=ttyS0 --ramdisk sys.cpio --ramdisk sys.cpio \
		--output $k.eif --name kernel-test --build-time 1970-01-01T00:00:00+00:00 >/dev/null 2>&1 ||
		bail "build $k.eif"
done

version_a=$(perl -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>; my $at = unpack("v", substr($d, 0x20e, 2)) + 0x200; print unpack("Z*", substr($d, $at, 256))' a.bzImage)
version_b=$(printf '%s' "$version_a" | sed "s/$stamp/$later/")
first=$(first_diff a.vmlinux b.vmlinux)

"$EIF" diff a.eif b.eif >stamp.out
is "$?" 1 "timestamp: exit 1"
expected="$(kernel_size_changes a.bzImage b.bzImage)
kernel setup.kernel_version: string $version_a -> $version_b; moves PCR0 PCR1
kernel payload: bytes, first difference at byte $first; moves PCR0 PCR1
kernel banner.timestamp: string $stamp -> $later; moves PCR0 PCR1"
is "$(changes stamp.out)" "$(printf '%s\n' "$expected" | sed '/^$/d')" \
	"timestamp: names the build timestamp, the payload's first differing byte and the header sizes, nothing else" ||
	diag "$(cat stamp.out)"
is "$(different_sections stamp.out)" "kernel: PCR0 PCR1" \
	"timestamp: only the kernel section differs, moving PCR0 and PCR1"
is "$(moved_pcrs stamp.out)" "PCR0 PCR1 " \
	"timestamp: the recomputed PCR0 and PCR1 differ, PCR2 does not"

# Our kernel has no IKCONFIG: --config compares the build's config with one option flipped.
[ -f "$O/kernel/config" ] || bail "$O/kernel/config missing; run make"
option=$(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' "$O/kernel/config" | head -1)
sed "s/^$option=y\$/# $option is not set/" "$O/kernel/config" >b.config
"$EIF" diff --config "$O/kernel/config" --config b.config a.eif b.eif >config.out
is "$(changes config.out | grep '^config ')" "config $option: value y -> n; moves PCR0 PCR1" \
	"--config: names the one option that differs"
"$EIF" diff --config "$O/kernel/config" --config "$O/kernel/config" a.eif b.eif >same-config.out
is "$(changes same-config.out | grep -c '^config ')" 0 "--config with equal configs: no config line"

done_testing
