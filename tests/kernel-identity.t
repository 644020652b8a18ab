#!/bin/sh
# kernel/check-identity, run by every kernel build before out/bzImage is written, accepts version
# strings with exactly the pinned user, host and timestamp, and refuses, naming the string, an
# image whose setup header or vmlinux banner carries another user, host or build time (what a
# leaked KBUILD_BUILD_* from the build machine looks like); also the real out/bzImage passes.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/identity
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
ts='Wed Jan  1 00:00:00 UTC 2025'

# fake_bzimage FILE VERSION-STRING: 0x600 bytes, "HdrS" at 0x202, the string at 0x200 + 0x300.
fake_bzimage() {
	head -c 1536 /dev/zero >"$1" &&
	printf 'HdrS' | dd of="$1" bs=1 seek=514 conv=notrunc status=none &&
	printf '\000\003' | dd of="$1" bs=1 seek=526 conv=notrunc status=none &&
	printf '%s\000' "$2" | dd of="$1" bs=1 seek=1280 conv=notrunc status=none
}
fake_vmlinux() { { head -c 64 /dev/zero; printf 'Linux version %s\n\000' "$2"; head -c 64 /dev/zero; } >"$1"; }
check() { "$TOP/kernel/check-identity" "$work/bzImage" "$work/vmlinux" 6.12.118 enclave-kit enclave-kit "$ts" >"$work/out" 2>&1; }

fake_bzimage "$work/bzImage" "6.12.118 (enclave-kit@enclave-kit) #1 SMP $ts"
fake_vmlinux "$work/vmlinux" "6.12.118 (enclave-kit@enclave-kit) (gcc 12.2.0, GNU ld 2.40) #1 SMP $ts"
check
ok $? "the pinned user, host and timestamp pass" || sed 's/^/#   /' "$work/out"

fake_bzimage "$work/bzImage" "6.12.118 (builder@ci-runner-42) #1 SMP $ts"
check
is "$?" 1 "a build machine's user and host in the setup header fail"
grep -qF "setup header kernel_version: '6.12.118 (builder@ci-runner-42) #1 SMP $ts'" "$work/out"
ok $? "the message quotes the offending string" || sed 's/^/#   /' "$work/out"

fake_bzimage "$work/bzImage" "6.12.118 (enclave-kit@enclave-kit) #1 SMP $ts"
fake_vmlinux "$work/vmlinux" "6.12.118 (enclave-kit@enclave-kit) (gcc 12.2.0, GNU ld 2.40) #1 SMP Mon Dec  7 11:49:57 UTC 2026"
check
is "$?" 1 "the build machine's clock in the /proc/version banner fails"
grep -qF "banner (/proc/version)" "$work/out"
ok $? "the message names the banner" || sed 's/^/#   /' "$work/out"

printf 'not a kernel' >"$work/bzImage"
check
is "$?" 1 "a file without the x86 boot header is refused"
grep -qF "no x86 boot header" "$work/out"
ok $? "saying it is not a bzImage" || sed 's/^/#   /' "$work/out"

if [ -r "$O/bzImage" ] && [ -r "$O/kernel/build/vmlinux" ] && [ -r "$O/kernel/release" ]; then
	epoch=${SOURCE_DATE_EPOCH:-1735689600}
	"$TOP/kernel/check-identity" "$O/bzImage" "$O/kernel/build/vmlinux" "$(cat "$O/kernel/release")" enclave-kit enclave-kit \
		"$(LC_ALL=C TZ=UTC date -u -d "@$epoch" '+%a %b %e %H:%M:%S UTC %Y')" >"$work/real.out" 2>&1
	ok $? "out/bzImage and its vmlinux carry the pinned identity" || sed 's/^/#   /' "$work/real.out"
else
	ok 1 "$O/bzImage, $O/kernel/build/vmlinux and $O/kernel/release exist (run make kernel)"
fi
done_testing
