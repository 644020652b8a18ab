#!/bin/sh
# The kernel boots under QEMU's microvm machine (software emulation) with the AWS command line,
# runs /init from an uncompressed cpio, and finds the virtio-mmio devices QEMU provides: through
# the ACPI DSDT with ACPI on, and through virtio_mmio.device= with ACPI off. A third boot with
# ACPI off and no virtio_mmio.device= must find none (so the second boot proves the cmdline path).
# The /init ends the machine by choosing the triple-fault reboot in /sys/kernel/reboot/type,
# which is how an init can end QEMU despite the cmdline's reboot=k.
# Knobs: KERNEL_TEST_IMAGE, KERNEL_TEST_RELEASE (default $O/bzImage, $O/kernel/release);
# `make kernel-check-hardened` points them at the HARDEN=1 build.
. "$TOP/tests/kernel/lib.sh"
image=${KERNEL_TEST_IMAGE:-$O/bzImage}
release_file=${KERNEL_TEST_RELEASE:-$O/kernel/release}
kernel_require "$image" "$release_file" "$TOP/configs/cmdline/$ARCH"
work=$O/tests/kernel/boot
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
kernel_initramfs "$work"
diag "kernel $image, initramfs written with $cpio_tool"
release=$(cat "$release_file")

# The boot-protocol header: "HdrS" at 0x202 marks an x86 bzImage.
is "$(dd if="$image" bs=1 skip=514 count=4 2>/dev/null)" "HdrS" "$image carries the x86 boot header"

# check_boot NAME ACPI APPEND EXPECTED-DSDT EXPECTED-DEVICES
check_boot() {
	name=$1 acpi=$2 append=$3 dsdt=$4 devices=$5
	console=$work/$name.console
	start=$(date +%s)
	kernel_boot "$image" "$work/initramfs.cpio" "$acpi" "$console" "$append"
	status=$?
	diag "$name: QEMU ended with status $status after $(( $(date +%s) - start )) s"
	is "$status" 0 "$name: the guest ended QEMU itself (124 would be the ${KERNEL_BOOT_TIMEOUT} s timeout)"
	is "$(console_line "$console" 'init started as pid ')" 1 "$name: the kernel ran /init as PID 1"
	is "$(console_line "$console" 'release ')" "$release" "$name: uname -r is the release in $release_file"
	is "$(console_line "$console" 'cmdline ')" "$(cat "$TOP/configs/cmdline/$ARCH")${append:+ $append}" \
		"$name: the kernel saw exactly the command line we passed"
	is "$(console_line "$console" 'acpi dsdt ')" "$dsdt" "$name: ACPI DSDT $dsdt"
	is "$(console_line "$console" 'virtio devices ')" "$devices" "$name: $devices virtio-mmio devices found"
	if [ "$devices" -gt 0 ]; then
		ids=$(tr -d '\r' <"$console" | sed -n 's/^kernel-test: virtio .* device-id //p' | sort | tr '\n' ' ')
		is "$ids" "0x0004 0x0005 " "$name: the devices are QEMU's virtio-rng (4) and virtio-balloon (5)"
	fi
	is "$(console_line "$console" 'done, ')" "0 failure(s)" "$name: /init saw no failed system call"
	is "$(console_line "$console" 'reboot type ')" "triple" "$name: /sys/kernel/reboot/type accepted 'triple'"
	if grep -q 'kernel-test: FAIL\|Kernel panic' "$console"; then
		diag "$name console:"; sed 's/^/#   /' "$console"
	fi
}

check_boot acpi-on on "" present 2
check_boot acpi-off-cmdline off "$(kernel_mmio_cmdline)" absent 2
# Without the cmdline devices nothing describes them: proves the boot above used virtio_mmio.device=.
check_boot acpi-off-bare off "" absent 0
done_testing
