#!/bin/sh
# eif build's direct output (images of 64 MiB or more: O_DIRECT, each input read straight into
# the output's aligned stages and hashed from there; docs/eif-format.md#writing-an-eif) gives
# the bytes and PCRs of ordinary writes: on the disk, on a tmpfs, and on a ramfs, which
# refuses O_DIRECT so the build writes there as it does small images. Inputs that change size
# while being read fail cleanly and leave the previous output alone.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
cd "$work" || bail "cd $work"

# Odd sizes, so every section starts at another offset within a 4 KiB block and a 4 MiB stage.
head -c 3145729 /dev/urandom >kernel
head -c 5242883 /dev/urandom >rd0
head -c 69206023 /dev/urandom >rd1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 2 \
	-subj "/CN=direct-test" -keyout key.pem -out cert.pem 2>/dev/null || bail "openssl req failed"
printf 'console=ttyS0 quiet' >cmdline
# build DIR [flags...]: the image in DIR/out.eif, its measurements in DIR.json.
build() {
	dir=$1
	shift
	"$EIF" build --kernel kernel --cmdline "$(cat cmdline)" --ramdisk rd0 --ramdisk rd1 \
		--build-time 2024-01-01T00:00:00Z --output "$dir/out.eif" "$@" >"$dir.json" 2>"$dir.err"
}
mkdir disk
build disk
ok $? "build a 74 MiB image to the disk (direct output)" || diag "$(cat disk.err)"
is "$(json_field PCR0 <disk.json)" "$(extend_hex "$(sha384_hex kernel cmdline rd0 rd1)")" "PCR0 = extend(K||C||D0||D1)"
is "$(json_field PCR1 <disk.json)" "$(extend_hex "$(sha384_hex kernel cmdline rd0)")" "PCR1 = extend(K||C||D0)"
is "$(json_field PCR2 <disk.json)" "$(extend_hex "$(sha384_hex rd1)")" "PCR2 = extend(D1)"
"$EIF" verify disk/out.eif >/dev/null 2>&1
is $? 4 "eif verify: well formed (CRC checks), unsigned"

mkdir ramfs tmpfs
if [ "$(id -u)" -eq 0 ] && mount -t ramfs ramfs ramfs 2>/dev/null; then
	trap 'umount "$work/ramfs" "$work/tmpfs" 2>/dev/null; rm -rf "$work"' EXIT
	build ramfs
	ok $? "build the same image to a ramfs (no O_DIRECT: ordinary writes)" || diag "$(cat ramfs.err)"
	cmp disk/out.eif ramfs/out.eif
	ok $? "direct output = ordinary writes, byte for byte"
	is "$(cat ramfs.json)" "$(cat disk.json)" "same measurements"
	# ECDSA signatures differ from one signing to the next: compare all sections but the
	# signature, the measurements, and check the signature.
	same_but_signature() {
		for i in 0 1 2 3 4; do
			section_data "$1" $i >a && section_data "$2" $i >b && cmp -s a b || return 1
		done
	}
	build disk --signing-certificate cert.pem --private-key key.pem && cp disk.json signed.json
	"$EIF" verify --signing-certificate cert.pem disk/out.eif >/dev/null 2>&1
	is $? 0 "signed, direct output: eif verify finds the signature good"
	build ramfs --signing-certificate cert.pem --private-key key.pem
	same_but_signature disk/out.eif ramfs/out.eif
	ok $? "signed: direct output = ordinary writes, section for section"
	is "$(cat ramfs.json)" "$(cat signed.json)" "signed: same measurements, PCR8 included"
	mount -t tmpfs -o size=200m tmpfs tmpfs || bail "tmpfs mount failed"
	build tmpfs --signing-certificate cert.pem --private-key key.pem
	same_but_signature disk/out.eif tmpfs/out.eif
	ok $? "signed, to a tmpfs: the same sections"
	"$EIF" verify --signing-certificate cert.pem tmpfs/out.eif >/dev/null 2>&1
	is $? 0 "signed, to a tmpfs: eif verify finds the signature good"
	umount ramfs tmpfs
else
	skip "ramfs and tmpfs outputs: mounting needs root"
	skip "direct output = ordinary writes (needs root)"
	skip "same measurements (needs root)"
	for what in "signed, direct output: verify" "signed: the same sections" \
		"signed: same measurements" "signed, to a tmpfs: the same sections" \
		"signed, to a tmpfs: verify"; do
		skip "$what (needs root)"
	done
fi

# An input that turns out shorter than its size said (a sysfs file claims 4096 bytes), or
# longer (a procfs file claims 0), in an image large enough for direct output.
cp disk/out.eif previous.eif
shrinks=/sys/kernel/mm/transparent_hugepage/enabled
[ -f "$shrinks" ] || shrinks=/sys/kernel/profiling
"$EIF" build --kernel kernel --cmdline c --ramdisk rd1 --ramdisk "$shrinks" --output disk/out.eif \
	>/dev/null 2>err
is $? 1 "an input that shrinks while being read: exit 1"
grep -q "ramdisk '$shrinks': file shrank while being read" err
ok $? "... says which input shrank" || diag "$(cat err)"
"$EIF" build --kernel kernel --cmdline c --ramdisk rd1 --ramdisk /proc/self/status \
	--output disk/out.eif >/dev/null 2>err
is $? 1 "an input that grows while being read: exit 1"
grep -q "ramdisk '/proc/self/status': file grew while being read" err
ok $? "... says which input grew" || diag "$(cat err)"
cmp -s disk/out.eif previous.eif
ok $? "the previous output is untouched"
is "$(ls -a disk | grep -c '\.tmp\.')" 0 "no temporary file is left"
done_testing
