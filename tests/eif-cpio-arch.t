#!/bin/sh
# eif cpio --arch checks what it packs: a regular file that is an ELF object for another
# machine than the enclave's (little- or big-endian e_machine, as the ELF header says) gets a
# warning that names the first of them and counts the rest, and the archive is written
# unchanged; files that only start like ELF are not counted; an unknown --arch is refused.
# scripts/user-ramdisk (what make runs for APP) passes ARCH on, so a wrong-architecture app
# is named at build time instead of failing with "Exec format error" inside the enclave.
. "$TOP/tests/cpio/common.sh"

# elf FILE DATA MACHINE-BYTES: the first 20 bytes of an ELF header (class 64, the byte order
# DATA: 1 little, 2 big; e_type EXEC) with e_machine as two octal-escaped bytes.
elf() {
	# shellcheck disable=SC2059
	printf "\\177ELF\\002\\00$2\\001\\000\\000\\000\\000\\000\\000\\000\\000\\000$3$4padding" >"$1"
}
tree=$work/tree
mkdir -p "$tree/bin" "$tree/lib"
elf "$tree/bin/amd" 1 '\002\000' '\076\000'        # x86_64, EM_X86_64 = 62
elf "$tree/bin/arm" 1 '\002\000' '\267\000'        # aarch64, EM_AARCH64 = 183
elf "$tree/lib/s390.so" 2 '\000\003' '\000\026'    # big-endian s390x, EM_S390 = 22
elf "$tree/lib/odd" 1 '\002\000' '\064\022'        # e_machine 0x1234, no name we know
printf '\177ELF' >"$tree/lib/short"                 # too short for a header
printf '\177ELF\003rest of some data file' >"$tree/lib/notelf"   # EI_DATA 0: not ELF
printf 'text\n' >"$tree/readme"

"$EIF" cpio --mtime 0 --dir "rootfs=$tree" -o "$work/plain.cpio" 2>"$work/err"
ok $? "without --arch the tree packs" || diag "$(cat "$work/err")"
is "$(cat "$work/err")" "" "without --arch nothing is checked, nothing is said"

"$EIF" cpio --mtime 0 --arch x86_64 --dir "rootfs=$tree" -o "$work/x86.cpio" 2>"$work/err"
ok $? "--arch x86_64 with foreign programs still writes the archive (a warning, exit 0)"
is "$(cat "$work/err")" "eif cpio: warning: 'rootfs/bin/arm' is an ELF file for aarch64 (e_machine 183), not x86_64, and 2 more files are ELF for another machine; the enclave cannot run them: rebuild them for x86_64 (or give the right ARCH)" \
	"the warning names the first foreign program in archive order and counts the others"
cmp -s "$work/plain.cpio" "$work/x86.cpio"
ok $? "the archive is the same bytes with and without the check"

"$EIF" cpio --mtime 0 --arch arm64 --dir "rootfs=$tree" -o "$work/arm.cpio" 2>"$work/err"
ok $? "--arch arm64 (Docker's name) is aarch64"
is "$(cat "$work/err")" "eif cpio: warning: 'rootfs/bin/amd' is an ELF file for x86_64 (e_machine 62), not arm64, and 2 more files are ELF for another machine; the enclave cannot run them: rebuild them for arm64 (or give the right ARCH)" \
	"for aarch64 the x86_64 program is the first one named"

rm "$tree/bin/arm" "$tree/bin/amd" "$tree/lib/s390.so"
"$EIF" cpio --mtime 0 --arch aarch64 --dir "rootfs=$tree" -o "$work/one.cpio" 2>"$work/err"
is "$(cat "$work/err")" "eif cpio: warning: 'rootfs/lib/odd' is an ELF file for e_machine 4660, not aarch64; the enclave cannot run them: rebuild them for aarch64 (or give the right ARCH)" \
	"an e_machine without a name is shown as its number; one file, no count"
rm "$tree/lib/odd"
"$EIF" cpio --mtime 0 --arch x86_64 --dir "rootfs=$tree" -o "$work/none.cpio" 2>"$work/err"
is "$(cat "$work/err")" "" "short and invalid ELF-looking data files are not programs: no warning"

"$EIF" cpio --mtime 0 --arch mips --dir "rootfs=$tree" -o "$work/mips.cpio" 2>"$work/err"
is "$?" 2 "an --arch that is no enclave architecture is a usage error"
grep -q "'mips' is not an enclave architecture; give x86_64 or aarch64" "$work/err"
ok $? "and says which ones are" || diag "$(cat "$work/err")"
[ ! -e "$work/mips.cpio" ]
ok $? "and writes nothing"

# The same through scripts/user-ramdisk, as make runs it for APP, with the real hello.
hello=$O/examples/hello/rootfs
need_files "$hello/bin/hello"
ARCH=aarch64 "$TOP/scripts/user-ramdisk" "$EIF" "$hello" /bin/hello '' "$work/u.cpio" 2>"$work/err"
ok $? "user-ramdisk packs an x86_64 app for ARCH=aarch64 (it warns, the user decides)"
grep -q "warning: 'rootfs/bin/hello' is an ELF file for x86_64 (e_machine 62), not aarch64" "$work/err"
ok $? "and the warning names the app's program" || diag "$(cat "$work/err")"
ARCH=x86_64 "$TOP/scripts/user-ramdisk" "$EIF" "$hello" /bin/hello '' "$work/u.cpio" 2>"$work/err"
is "$(cat "$work/err")" "" "for ARCH=x86_64 the x86_64 app packs without a word"
done_testing
