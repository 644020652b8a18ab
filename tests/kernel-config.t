#!/bin/sh
# The resolved kernel config holds every line of the defconfig, has what the enclave needs, and
# kernel/check-config catches an option that olddefconfig dropped or changed, naming it.
# Also: the cmdline file is the AWS one byte for byte, the build leaks no absolute path, the
# image carries our fixed build identity, and a second `make kernel` has nothing to do.
. "$TOP/tests/lib/tap.sh"
ARCH=${ARCH:-x86_64}
config=$O/kernel/config
defconfig=$TOP/configs/kernel/$ARCH.defconfig
vmlinux=$O/kernel/build/vmlinux
for need in "$config" "$vmlinux" "$O/bzImage"; do
	[ -e "$need" ] || { plan 1; ok 1 "$need exists (run make kernel)"; exit 1; }
done
work=$O/tests/kernel/config
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"

"$TOP/kernel/check-config" "$config" "$defconfig" >"$work/check.out" 2>&1
ok $? "every line of configs/kernel/$ARCH.defconfig holds in $config"
[ -s "$work/check.out" ] && sed 's/^/# /' "$work/check.out"

# What the Nitro boot chain and our own parts need (docs/boot-contract.md#kernel-requirements),
# whatever the defconfig says.
for option in 64BIT SMP ACPI VIRTIO_MMIO VIRTIO_MMIO_CMDLINE_DEVICES VSOCKETS VIRTIO_VSOCKETS \
	SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD DEVTMPFS TMPFS PROC_FS SYSFS UNIX98_PTYS \
	CGROUPS NAMESPACES USER_NS SECCOMP MODULES MODULE_UNLOAD MODVERSIONS HW_RANDOM BINFMT_ELF \
	BINFMT_SCRIPT MULTIUSER FUTEX EPOLL UNIX INET PRINTK; do
	is "$(grep "^CONFIG_$option=" "$config")" "CONFIG_$option=y" "CONFIG_$option=y"
done
for option in NSM MODULE_SIG VIRTIO_PCI BLOCK IKCONFIG IKHEADERS LOCALVERSION_AUTO RANDSTRUCT; do
	is "$(grep "^CONFIG_$option=" "$config")" "" "CONFIG_$option is off"
done
# Kconfig records the versions of host tools it probes; none of rustc, bindgen and pahole is
# pinned or used, so whatever the host has (a rustup toolchain, dwarves) must not show.
for option in RUSTC_VERSION RUSTC_LLVM_VERSION PAHOLE_VERSION; do
	is "$(grep "^CONFIG_$option=" "$config")" "CONFIG_$option=0" "CONFIG_$option=0 whatever the host has"
done
is "$(grep -c "^CONFIG_RUSTC_HAS_\|^CONFIG_RUST_IS_AVAILABLE" "$config")" 0 "no CONFIG_RUSTC_HAS_* from a host rustc"

# check-config must fail, naming the option and the fragment line, when an option was dropped,
# changed, or forced on against an "is not set" line; and pass for a string that holds.
printf 'CONFIG_A=y\nCONFIG_B=m\nCONFIG_S="x y"\n# CONFIG_C is not set\n' >"$work/resolved"
printf '# c\nCONFIG_A=y\n\nCONFIG_S="x y"\n' >"$work/good"
"$TOP/kernel/check-config" "$work/resolved" "$work/good" >"$work/good.out" 2>&1
ok $? "check-config accepts a fragment that holds"
printf 'CONFIG_A=y\nCONFIG_D=y\n' >"$work/dropped"
"$TOP/kernel/check-config" "$work/resolved" "$work/dropped" >"$work/dropped.out" 2>&1
is "$?" 1 "check-config fails when an option was dropped"
is "$(grep -c "$work/dropped:2: CONFIG_D=y did not survive olddefconfig (now not set)" "$work/dropped.out")" 1 \
	"check-config names the dropped option and its file:line"
printf 'CONFIG_B=y\n# CONFIG_A is not set\n' >"$work/changed"
"$TOP/kernel/check-config" "$work/resolved" "$work/changed" >"$work/changed.out" 2>&1
is "$?" 1 "check-config fails when an option changed value or was forced on"
is "$(grep -c 'CONFIG_B=y did not survive olddefconfig (now CONFIG_B=m)' "$work/changed.out") $(grep -c '# CONFIG_A is not set did not survive olddefconfig (now CONFIG_A=y)' "$work/changed.out")" \
	"1 1" "check-config reports both options with their resolved values"
printf 'CONFIG_A=n\n' >"$work/override"
"$TOP/kernel/check-config" "$work/resolved" "$work/good" "$work/override" >"$work/override.out" 2>&1
is "$?" 1 "a later fragment overrides an earlier one (HARDEN=1 fragment after the defconfig)"

# The AWS x86_64 command line (docs/boot-contract.md#the-kernel-command-line), 119 bytes, no
# trailing newline.
cmdline=$TOP/configs/cmdline/$ARCH
is "$(wc -c <"$cmdline" | tr -d ' ')" 119 "configs/cmdline/$ARCH is 119 bytes"
is "$(tail -c 1 "$cmdline" | od -An -c | tr -d ' ')" "n" "configs/cmdline/$ARCH ends without a newline"
is "$(cat "$cmdline")" \
	"reboot=k panic=30 pci=off nomodules console=ttyS0 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd random.trust_cpu=on" \
	"configs/cmdline/$ARCH is the AWS command line"

# No absolute build path in the image (docs/reproducibility.md#build-paths), fixed identity in the
# version banner.
is "$(grep -c -a -F "$(cd "$O/kernel/build" && pwd)" "$vmlinux")" 0 "vmlinux holds no absolute path of the build tree"
banner=$(strings -a "$vmlinux" | grep -m 1 '^Linux version ')
case $banner in
*"(enclave-kit@enclave-kit)"*"#1 SMP"*) ok 0 "version banner has the fixed user, host and build number" ;;
*) ok 1 "version banner has the fixed user, host and build number"; diag "banner: $banner" ;;
esac
is "$(cat "$O/kernel/release")" "$(cat "$O/kernel/build/include/config/kernel.release")" \
	"out/kernel/release is the tree's kernel release"
is "$(wc -l <"$O/kernel/release" | tr -d ' ')" 0 "out/kernel/release has no trailing newline"

# Nothing to do the second time: every kernel output is a real, up-to-date file target.
make -C "$TOP" O="$O" -n kernel >"$work/again.out" 2>&1
is "$(grep -v -e "Nothing to be done for 'kernel'" -e 'Entering directory' -e 'Leaving directory' "$work/again.out")" "" \
	"a second make kernel would run nothing"
done_testing
