#!/bin/sh
# The exit path.  The measured AWS command line keeps reboot=k, which never ends QEMU's
# nitro-enclave machine (docs/qemu-test-bed.md#the-command-line: the firmware boots the kernel
# again); init switches the kernel to the triple-fault method, which QEMU's -no-reboot ends.  ACPI:
# see QEMU_ACPI in tests/init/boot.sh (INIT_EXIT_PATH_ACPI="on off" tries both once acpi=on boots).
. "$TOP/tests/init/boot.sh"
for acpi in ${INIT_EXIT_PATH_ACPI:-off}; do
	QEMU_ACPI=$acpi boot_command exit-path-acpi-$acpi "probe: started" /bin/probe
	grep -q 'Command line: reboot=k ' "$console"
	ok $? "acpi=$acpi: the kernel runs with the AWS command line (reboot=k)"
	console_has "probe: reboot type <triple>" "acpi=$acpi: init set the reboot method to triple fault"
	console_has "init: command exited with status 0" "acpi=$acpi: the command ran"
	boot_ended_by_itself
done
done_testing
