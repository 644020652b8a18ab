#!/bin/sh
# A user ramdisk that lost everything (no rootfs/, no /cmd, no /env: initramfs unpacking ran out of
# memory, docs/boot-contract.md#unpacking): init says what is missing, runs nothing, and still ends
# the enclave, where the AWS init segfaults and the kernel panics.
. "$TOP/tests/init/boot.sh"
boot_prepare no-rootfs
rm -rf "$work/rootfs"
boot_run "init: cannot enter /rootfs"
console_has "init: /cmd: missing; using the default command 'sh'" "init reports the missing /cmd"
console_has "init: /env: missing; using the default environment" "init reports the missing /env"
console_has "init: bind-mount /rootfs onto itself: No such file or directory" \
	"init says which step failed and why"
console_has "init: cannot enter /rootfs; not starting the command" "and that it runs nothing"
console_lacks "Kernel panic" "the kernel did not panic"
boot_ended_by_itself
done_testing
