#!/bin/sh
# make ARCH=aarch64 on this host builds a whole arm64 enclave in its own tree: the arm64 Image
# at text_offset 2 MiB, nsm.ko for it, static musl init, nsm and hello for aarch64, both
# ramdisks and an EIF with the arm64 header flag and AWS's arm64 cmdline. Its pcr.json equals
# what `eif pcr` reads back from the EIF and what openssl computes from the parts
# (docs/eif-format.md#pcr-formulas; the cmdline is measured in PCR0 and PCR1, so this also
# checks that it is configs/cmdline/aarch64). A default build has the PCRs published in
# configs/expected-pcr-aarch64.json. Everything after the kernel (musl programs, nsm.ko, both
# ramdisks, the EIF) is then built a second time, under another umask, time zone, locale and -j,
# and must give the same bytes. Costs a cross kernel build from cold (make check-full).
# tests/run: alone
# tests/run: full
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
a=$O/aarch64
# The inner make must not inherit the outer one's jobserver or command-line knobs.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES nice -n 10 make -C "$TOP" --no-print-directory \
	ARCH=aarch64 O="$a" >"$work/make.out" 2>&1
ok $? "make ARCH=aarch64 O=$a succeeds" || { tail -n 30 "$work/make.out" | sed 's/^/# /'; bail "no aarch64 build"; }

# elf_machine FILE: the ELF e_machine as readelf names it; static: no program interpreter.
elf_machine() { LC_ALL=C readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }
is "$(od -An -tx1 -j 56 -N 4 "$a/Image" | tr -d ' ')" 41524d64 "Image: the magic at 0x38 of an uncompressed arm64 Image"
is "$(od -An -tx1 -j 8 -N 8 "$a/Image" | tr -d ' ')" 0000200000000000 "Image: text_offset 2 MiB for the Nitro loader"
for f in init bin/nsm examples/hello/rootfs/bin/hello; do
	is "$(elf_machine "$a/$f")" AArch64 "$f is an aarch64 program"
	LC_ALL=C readelf -l "$a/$f" 2>/dev/null | grep -q 'Requesting program interpreter'
	is "$?" 1 "$f is static (no program interpreter)"
done
is "$(elf_machine "$a/nsm.ko")" AArch64 "nsm.ko is an aarch64 module"
vermagic=$(LC_ALL=C readelf -p .modinfo "$a/nsm.ko" 2>/dev/null | sed -n 's/.*vermagic=\([^ ]*\).*/\1/p')
is "$vermagic" "$(cat "$a/kernel/release")" "nsm.ko's vermagic names the arm64 kernel's release"
grep -q '^CONFIG_RTC_DRV_PL031=y$' "$a/kernel/config" && ! grep -q '^CONFIG_ACPI=y$' "$a/kernel/config"
ok $? "the resolved config has the PL031 RTC and no ACPI"

eif=$a/enclave.eif
is "$(od -An -tx1 -j 6 -N 2 "$eif" | tr -d ' ')" 0001 "EIF header flags: bit 0, aarch64"
"$EIF" verify "$eif" >"$work/verify.out" 2>&1
is $? 4 "eif verify finds it well formed (header, CRC, sections), unsigned" || sed 's/^/# /' "$work/verify.out"

"$EIF" pcr "$eif" >"$work/pcr.json" 2>&1 || diag "$(cat "$work/pcr.json")"
printf '%s' "$(cat "$TOP/configs/cmdline/aarch64")" >"$work/cmdline"
k=$a/Image s=$a/ramdisk/system.cpio u=$a/ramdisk/user.cpio
want0=$(extend_hex "$(sha384_hex "$k" "$work/cmdline" "$s" "$u")")
want1=$(extend_hex "$(sha384_hex "$k" "$work/cmdline" "$s")")
want2=$(extend_hex "$(sha384_hex "$u")")
for pcr in PCR0 PCR1 PCR2; do
	eval want=\$want${pcr#PCR}
	is "$(json_field $pcr <"$a/pcr.json")" "$want" "$pcr of pcr.json equals openssl's from Image, cmdline, ramdisks"
	is "$(json_field $pcr <"$work/pcr.json")" "$want" "$pcr read back by eif pcr equals it too"
done

# The published PCRs are those of the default knobs (make check sets DEFAULT_BUILD, as for
# tests/e2e-expected-pcr.t); the file has pcr.json's format, so eif attest --expected takes it.
expected=$TOP/configs/expected-pcr-aarch64.json
if [ "${DEFAULT_BUILD:-}" = yes ]; then
	for pcr in PCR0 PCR1 PCR2; do
		want=$(json_field $pcr <"$expected")
		[ -n "$want" ] || { ok 1 "$pcr is in $expected"; continue; }
		is "$(json_field $pcr <"$a/pcr.json")" "$want" "$pcr equals $expected"
	done
else
	skip "this build changed APP, CMD, ENV, KERNEL_CONFIG, KERNEL_SOURCE, SOURCE_DATE_EPOCH or HARDEN;" \
		"the published aarch64 PCRs are those of the default build"
fi

# Two builds, equal bytes: every output after the kernel is removed and built again.
parts="Image nsm.ko init bin/nsm examples/hello/rootfs/bin/hello ramdisk/system.cpio ramdisk/user.cpio enclave.eif pcr.json"
# shellcheck disable=SC2086 # $parts is a list of names
(cd "$a" && sha256sum $parts) >"$work/first.sums"
rm -rf "$a/obj/nsm" "$a/obj/init" "$a/examples" "$a/lib/libnsm.a" "$a/ramdisk" \
	"$a/nsm.ko" "$a/init" "$a/bin/nsm" "$a/enclave.eif" "$a/pcr.json" "$a/enclave.record"
(umask 077 && TZ=Asia/Kathmandu LC_ALL=C.UTF-8 LANG=C.UTF-8 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	-u MAKEOVERRIDES nice -n 10 make -C "$TOP" --no-print-directory -j1 ARCH=aarch64 O="$a") \
	>"$work/make2.out" 2>&1
ok $? "the second build of the parts after the kernel succeeds" || tail -n 30 "$work/make2.out" | sed 's/^/# /'
# shellcheck disable=SC2086
(cd "$a" && sha256sum $parts) >"$work/second.sums" 2>&1
cmp -s "$work/first.sums" "$work/second.sums"
ok $? "the second build gives the same bytes: $parts" ||
	diff "$work/first.sums" "$work/second.sums" | sed 's/^/# /'
done_testing
