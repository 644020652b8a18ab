#!/bin/sh
# Bad flags, bad inputs and corrupt EIFs: a clear message naming the thing, exit 1 (2 for
# usage), and never a partial output file, also when the disk is full.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
make_tv1_inputs
cd "$work" || bail "cd $work"
build_tv1 tv1.eif >/dev/null 2>&1 || bail "building tv1 failed"

# expect_fail CODE PATTERN DESCRIPTION -- COMMAND...: exit status CODE, stderr matches PATTERN.
expect_fail() {
	code=$1 pattern=$2 what=$3
	shift 4
	"$@" >out 2>err
	rc=$?
	if [ "$rc" -eq "$code" ] && grep -q -- "$pattern" err; then
		ok 0 "$what"
	else
		ok 1 "$what"
		diag "expected exit $code and stderr matching: $pattern"
		diag "  actual exit $rc, stderr: $(cat err)"
	fi
}
base="--kernel bzImage --cmdline c --ramdisk ramdisk0"

# Usage errors: exit 2.
expect_fail 2 "'--kernel FILE' is required\|--kernel FILE is required" "build without --kernel" -- "$EIF" build --cmdline c --ramdisk ramdisk0 --output x.eif
expect_fail 2 "--output FILE is required" "build without --output" -- "$EIF" build $base
expect_fail 2 "unknown option '--bogus'" "unknown option" -- "$EIF" build $base --output x.eif --bogus
expect_fail 2 "needs a value" "option without its value" -- "$EIF" build $base --output
expect_fail 2 "use x86_64 or aarch64" "bad --arch" -- "$EIF" build $base --output x.eif --arch mips
expect_fail 2 "only sha384" "--algo sha256 refused" -- "$EIF" build $base --output x.eif --algo sha256
expect_fail 2 "kernel_config is not supported" "--kernel_config refused (it stamps the clock)" -- "$EIF" build $base --output x.eif --kernel_config cfg
expect_fail 2 "SOURCE_DATE_EPOCH 'soon'" "non-numeric SOURCE_DATE_EPOCH" -- env SOURCE_DATE_EPOCH=soon "$EIF" build $base --output x.eif
# One rule for SOURCE_DATE_EPOCH in eif build and eif cpio (eif.1, ENVIRONMENT): decimal digits
# only, 0..4294967295. eif build once took whatever strtoll took: a sign, a blank, -1.
for epoch in -1 +5 " 5" 4294967296; do
	expect_fail 2 "SOURCE_DATE_EPOCH '$epoch' is not a number of seconds from 0 to 4294967295" \
		"build refuses SOURCE_DATE_EPOCH '$epoch'" -- env SOURCE_DATE_EPOCH="$epoch" "$EIF" build $base --output x.eif
	expect_fail 2 "SOURCE_DATE_EPOCH '$epoch' is not a number of seconds from 0 to 4294967295" \
		"cpio refuses SOURCE_DATE_EPOCH '$epoch' alike" -- env SOURCE_DATE_EPOCH="$epoch" "$EIF" cpio --list /dev/null -o x.cpio
done
expect_fail 2 "unknown command 'frobnicate'" "unknown subcommand" -- "$EIF" frobnicate
expect_fail 2 "exactly one of" "pcr with two modes" -- "$EIF" pcr --input bzImage tv1.eif
ls x.eif x.cpio >/dev/null 2>&1
ok $((! $?)) "no output written by failed builds"

# Help.
"$EIF" build --help >out 2>&1
ok $? "eif build --help exits 0"
head -1 out | grep -q '^usage: eif build'
ok $? "eif build --help starts with its usage line"
"$EIF" help >out 2>&1 && grep -q '^  build ' out && grep -q '^  describe ' out && grep -q '^  pcr ' out
ok $? "eif help lists build, describe and pcr"

# Input errors: exit 1, the message names the file.
expect_fail 1 "kernel 'nope': cannot open it: No such file" "missing kernel" -- "$EIF" build --kernel nope --cmdline c --ramdisk ramdisk0 --output x.eif
expect_fail 1 "ramdisk '.': not a regular file" "directory as ramdisk" -- "$EIF" build $base --ramdisk . --output x.eif
expect_fail 1 "output 'no/such/dir/x.eif'.*No such file" "output directory missing" -- "$EIF" build $base --output no/such/dir/x.eif
head -c 4097 /dev/zero | tr '\0' ' ' >big.json
expect_fail 1 "4097 bytes exceeds the 4096-byte limit" "metadata file over 4096 bytes" -- "$EIF" build $base --output x.eif --metadata big.json
printf '{"a": [1, 2}' >bad.json
expect_fail 1 "metadata file 'bad.json': invalid JSON at byte 11" "invalid metadata JSON, with the byte offset" -- "$EIF" build $base --output x.eif --metadata bad.json
expect_fail 1 "both a certificate and a private key" "certificate without a key" -- "$EIF" build $base --output x.eif --signing-certificate "$TOP/tests/data/tv14/cert.pem"
many=
for i in $(seq 30); do many="$many --ramdisk ramdisk1"; done
expect_fail 1 "31 ramdisks: an EIF holds at most 29" "too many ramdisks" -- "$EIF" build --kernel bzImage --cmdline c --ramdisk ramdisk0 $many --output x.eif

# A failed build leaves the old output in place and no temporary file.
printf 'old content' >keep.eif
"$EIF" build --kernel bzImage --cmdline c --ramdisk ramdisk0 --ramdisk missing --output keep.eif >/dev/null 2>&1
is "$(cat keep.eif)" "old content" "failed build keeps the previous output"
is "$(ls -a | grep -c '\.tmp\.')" 0 "... and leaves no temporary file"

# Corrupt EIFs: rejected with the reason, never a crash.
head -c 700 tv1.eif >truncated.eif
expect_fail 1 "metadata section 2 at offset 591 claims 241 bytes but only 97 remain" "truncated EIF" -- "$EIF" describe truncated.eif
: >empty.eif
expect_fail 1 "shorter than the 548-byte EIF header" "empty file" -- "$EIF" pcr empty.eif
{ printf 'XEIF'; tail -c +5 tv1.eif; } >magic.eif
expect_fail 1 "no '.eif' magic" "bad magic" -- "$EIF" describe magic.eif
{ cat tv1.eif; printf 'abc'; } >trailing.eif
expect_fail 1 "3 stray bytes at offset 884" "trailing bytes after the last section" -- "$EIF" describe trailing.eif
cp tv1.eif table.eif
printf '\011' | dd of=table.eif bs=1 seek=$((284 + 8 * 4 + 7)) conv=notrunc 2>/dev/null
expect_fail 1 "section table entry 4 has size 9, the section holds 8 bytes" "table disagrees with the sections" -- "$EIF" describe table.eif
cp tv1.eif type.eif
printf '\011' | dd of=type.eif bs=1 seek=$((0x360 + 1)) conv=notrunc 2>/dev/null
expect_fail 1 "section 4 at offset 864 has invalid type 9" "invalid section type" -- "$EIF" describe type.eif
cp tv1.eif huge.eif
printf '\377\377\377\377\377\377\377\377' | dd of=huge.eif bs=1 seek=$((0x360 + 4)) conv=notrunc 2>/dev/null
expect_fail 1 "claims 18446744073709551615 bytes" "section size near 2^64 (overflow)" -- "$EIF" describe huge.eif
cp tv1.eif count.eif
printf '\377' | dd of=count.eif bs=1 seek=27 conv=notrunc 2>/dev/null
expect_fail 1 "header claims 255 sections" "num_sections beyond 32" -- "$EIF" describe count.eif
expect_fail 1 "EIF 'nothing.eif': cannot open it" "missing EIF" -- "$EIF" describe nothing.eif

# Disk full: a 64 KiB tmpfs cannot hold a 200 KiB EIF; the old file must survive intact.
mkdir full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	head -c 204800 /dev/urandom >big-rd
	printf 'previous' >full/out.eif
	expect_fail 1 "output 'full/out.eif': write failed: No space left on device" "ENOSPC is reported" -- "$EIF" build --kernel bzImage --cmdline c --ramdisk big-rd --output full/out.eif
	is "$(cat full/out.eif)" previous "ENOSPC keeps the previous output"
	is "$(ls -a full | grep -c '\.tmp\.')" 0 "ENOSPC leaves no temporary file"
	umount full
	# The same with an input large enough for the two hashing threads (abort while they run).
	mount -t tmpfs -o size=8m tmpfs full || bail "second tmpfs mount failed"
	head -c 20971520 /dev/urandom >huge-rd
	expect_fail 1 "No space left on device" "ENOSPC while the hashing threads run" -- "$EIF" build --kernel bzImage --cmdline c --ramdisk ramdisk0 --ramdisk huge-rd --output full/out.eif
	is "$(ls -a full | grep -c '\.tmp\.')" 0 "... leaves no temporary file"
	# And past 64 MiB, where the image is written with O_DIRECT from an aligned stage.
	head -c 73400320 /dev/urandom >huge-rd
	expect_fail 1 "No space left on device" "ENOSPC in direct output" -- "$EIF" build --kernel bzImage --cmdline c --ramdisk ramdisk0 --ramdisk huge-rd --output full/out.eif
	is "$(ls -a full | grep -c '\.tmp\.')" 0 "... leaves no temporary file"
	rm -f huge-rd
	umount full
else
	ok 1 "mount a small tmpfs for the disk-full test (needs root)"
fi
done_testing
