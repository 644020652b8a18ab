#!/bin/sh
# make ARCH=aarch64 on this host builds a whole arm64 enclave in its own tree: the arm64 Image
# at text_offset 2 MiB, nsm.ko for it, static musl init, nsm and hello for aarch64, both
# ramdisks and an EIF with the arm64 header flag and AWS's arm64 cmdline. Its pcr.json equals
# what `eif pcr` reads back from the EIF and what openssl computes from the parts
# (docs/eif-format.md#pcr-formulas; the cmdline is measured in PCR0 and PCR1, so this also
# checks that it is configs/cmdline/aarch64). A default build has the PCRs published in
# configs/expected-pcr-aarch64.json. The SBOM is valid SPDX, names the Image (not a bzImage)
# and every input of both locks (the cross gcc, the arm64 musl-dev .deb) with its sha256; eif
# audit accounts for every byte with the provenance and finds a tampered line; the statement
# holds the EIF's sha256, its PCRs, both locks and the SBOM. make kernel-audit reports the arm64
# policy and hardening options, HARDEN=1 and KERNEL_CONFIG resolve the aarch64 config (Kconfig
# only: every option of the hardening fragments holds on arm64), repro-check compares the
# aarch64 tree. Everything after the kernel (musl programs, nsm.ko, both ramdisks, the EIF, the
# SBOM, provenance and statement) is then built a second time, under another umask, time zone,
# locale and -j, and must give the same bytes. Costs a cross kernel build from cold (make
# check-full).
# tests/run: alone
# tests/run: full
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
. "$TOP/tests/lib/json.sh"
. "$TOP/tests/lib/sbom.sh"
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

# The SBOM: SPDX, the arm64 kernel Image and the inputs of both locks, the cross tools among them.
sbom=$a/sbom.spdx.json
sbom_check_spdx "$sbom"
missing=$(sbom_lock_missing "$sbom" "$TOP/configs/sources.lock" "$TOP/configs/sources-aarch64.lock")
is "${missing:-none}" none "every input of configs/sources.lock and configs/sources-aarch64.lock is listed with its version and sha256"
sbom_check_outputs "$sbom" "$a" Image nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif
is "$(jq -r '[.files[] | select(.fileName == "./bzImage")] | length' "$sbom")" 0 "the SBOM names no bzImage"
for tool in gcc-12-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64; do
	id=$(jq -r --arg n "$tool" '.packages[] | select(.name == $n) | .SPDXID' "$sbom")
	is "$(jq -r --arg id "$id" '[.relationships[] | select(.spdxElementId == $id and .relationshipType == "BUILD_TOOL_OF"
		and .relatedSpdxElement == "SPDXRef-File-enclave.eif")] | length' "$sbom")" 1 "$tool is a BUILD_TOOL_OF the EIF"
done

# The provenance: eif audit accounts for every byte with it, and finds one changed line.
prov=$a/provenance
"$EIF" audit "$eif" --provenance "$prov" >"$work/audit.out" 2>&1
ok $? "eif audit $eif --provenance $prov passes" || tail -n 20 "$work/audit.out" | sed 's/^/# /'
grep -q '^section	0	kernel	.*configs/kernel/aarch64.defconfig .*built with gcc-12-aarch64-linux-gnu ' "$prov"
ok $? "the kernel section comes from configs/kernel/aarch64.defconfig, built with the cross gcc"
grep -q '^section	1	cmdline	.*configs/cmdline/aarch64 ' "$prov"
ok $? "the cmdline section comes from configs/cmdline/aarch64"
grep -q '^entry	0	init	.*built with musl-dev:arm64 .*(gcc-12-aarch64-linux-gnu ' "$prov"
ok $? "init is built with the arm64 musl-dev and the cross gcc"
init_sha=$(sha256sum "$a/init" | cut -d' ' -f1)
sed "/^entry	0	init	/s/$init_sha/$(echo "$init_sha" | tr 0-9a-f 1-9a-f0)/" "$prov" >"$work/tampered"
cmp -s "$prov" "$work/tampered" && bail "the tampered provenance equals the real one"
"$EIF" audit "$eif" --provenance "$work/tampered" >"$work/tampered.out" 2>&1
is "$?" 1 "eif audit fails with a provenance whose init sha256 was changed" || tail -n 5 "$work/tampered.out" | sed 's/^/# /'
grep -q 'mismatch.*init' "$work/tampered.out"
ok $? "... and names init as a mismatch" || grep init "$work/tampered.out" | sed 's/^/# /'

# The statement: the EIF's sha256, its PCRs, both locks and the SBOM.
st=$a/statement.json
jq empty "$st" 2>/dev/null
ok $? "the statement is valid JSON"
is "$(jq -r '.subject[0].digest.sha256' "$st")" "$(sha256sum "$eif" | cut -d' ' -f1)" "the statement's subject is the EIF's sha256"
for pcr in PCR0 PCR1 PCR2; do
	is "$(jq -r --arg p $pcr '.predicate.measurements[$p]' "$st")" "$(json_field $pcr <"$a/pcr.json")" "the statement's $pcr is pcr.json's"
done
for lock in configs/sources.lock configs/sources-aarch64.lock; do
	is "$(jq -r --arg n "$lock" '.predicate.locks[] | select(.name == $n) | .sha256' "$st")" \
		"$(sha256sum "$TOP/$lock" | cut -d' ' -f1)" "the statement names $lock with its sha256"
done
is "$(jq -r '.predicate.sbom.sha256' "$st")" "$(sha256sum "$sbom" | cut -d' ' -f1)" "the statement names the SBOM with its sha256"

# make kernel-audit: the arm64 policy and hardening options, none of x86's.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -C "$TOP" --no-print-directory ARCH=aarch64 "$@"; }
mk O="$a" kernel-audit >"$work/kernel-audit.out" 2>&1
ok $? "make kernel-audit ARCH=aarch64 passes" || tail -n 20 "$work/kernel-audit.out" | sed 's/^/# /'
grep -q '^Kernel policy for aarch64: .*aarch64.policy$' "$work/kernel-audit.out" &&
	grep -q '^Recommended hardening (configs/kernel/hardening.fragment + configs/kernel/hardening-aarch64.fragment;' "$work/kernel-audit.out"
ok $? "it checks the aarch64 policy and reports the common and arm64 hardening fragments"
is "$(grep -c 'X86\|IA32\|CONFIG_MITIGATION_' "$work/kernel-audit.out")" 0 "it reports no x86-only option"

# HARDEN=1 and KERNEL_CONFIG pick the aarch64 fragments (make -n: the config step's message)...
config_from() { mk -n O="$work/o" "$@" "$work/o/kernel/config" 2>/dev/null | sed -n 's/^  CONFIG  .* from //p'; }
is "$(config_from HARDEN=1)" "configs/kernel/aarch64.defconfig configs/kernel/hardening.fragment configs/kernel/hardening-aarch64.fragment" \
	"HARDEN=1 configures from aarch64.defconfig, hardening.fragment and hardening-aarch64.fragment"
cp "$TOP/configs/kernel/aarch64.defconfig" "$work/my.defconfig"
is "$(config_from KERNEL_CONFIG="$work/my.defconfig")" "$work/my.defconfig" "KERNEL_CONFIG replaces aarch64.defconfig"
# ... and every option of them holds on arm64 (Kconfig only, in the built tree, into our own file).
kb=$a/kernel/build
frags="$TOP/configs/kernel/aarch64.defconfig $TOP/configs/kernel/hardening.fragment $TOP/configs/kernel/hardening-aarch64.fragment"
# shellcheck disable=SC2086 # $frags: paths without blanks
cat $frags >"$work/hardened.in"
kconfig() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES flock "$a/kernel/kbuild.lock" make -s -C "$kb" O= ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		CC=aarch64-linux-gnu-gcc LD=aarch64-linux-gnu-ld HOSTCC=gcc KCONFIG_CONFIG="$work/hardened.config" "$@" \
		>>"$work/kconfig.log" 2>&1
}
kconfig allnoconfig KCONFIG_ALLCONFIG="$work/hardened.in" && kconfig olddefconfig
ok $? "the hardened arm64 config resolves (Kconfig in $kb)" || tail -n 20 "$work/kconfig.log" | sed 's/^/# /'
# shellcheck disable=SC2086
"$TOP/kernel/check-config" "$work/hardened.config" $frags >"$work/check.out" 2>&1
ok $? "every option of the hardening fragments survives in it" || sed 's/^/# /' "$work/check.out"
pin=$(awk '$1 == "source" && $2 == "linux-source-6.12" { sub(/-.*/, "", $3); print $3; exit }' "$TOP/configs/sources.lock")
"$TOP/kernel/audit" --arch aarch64 --config "$work/hardened.config" --source "$kb" --patches "$TOP/kernel/patches" \
	--pin "$pin" >"$work/hardened-audit.out" 2>&1
ok $? "the hardened arm64 config keeps the policy" || tail -n 20 "$work/hardened-audit.out" | sed 's/^/# /'

# repro-check compares the aarch64 tree (make -n: the target; --second: no build).
mk -n O="$a" repro-check 2>/dev/null | grep -q '^ARCH=aarch64 scripts/repro-check$'
ok $? "make repro-check ARCH=aarch64 runs scripts/repro-check with ARCH=aarch64"
ARCH=aarch64 "$TOP/scripts/repro-check" --reference "$a" --second "$a" >"$work/repro.out" 2>&1
grep -q '^SAME     Image  ' "$work/repro.out" && grep -q 'all 7 artifacts identical' "$work/repro.out"
ok $? "scripts/repro-check with ARCH=aarch64 compares the Image and the other artifacts" || sed 's/^/# /' "$work/repro.out"

# Two builds, equal bytes: every output after the kernel is removed and built again.
parts="Image nsm.ko init bin/nsm examples/hello/rootfs/bin/hello ramdisk/system.cpio ramdisk/user.cpio enclave.eif pcr.json
	sbom.spdx.json provenance statement.json"
# shellcheck disable=SC2086 # $parts is a list of names
(cd "$a" && sha256sum $parts) >"$work/first.sums"
rm -rf "$a/obj/nsm" "$a/obj/init" "$a/examples" "$a/lib/libnsm.a" "$a/ramdisk" \
	"$a/nsm.ko" "$a/init" "$a/bin/nsm" "$a/enclave.eif" "$a/pcr.json" "$a/enclave.record" \
	"$a/sbom.spdx.json" "$a/provenance" "$a/statement.json"
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
