#!/bin/sh
# A /cmd that cannot be what its author meant (a NUL byte) is rejected with a message; init
# runs nothing rather than a guess, and still ends the enclave cleanly.
. "$TOP/tests/init/boot.sh"
boot_prepare rejected-cmd
cp "$O/tests/init/bin/probe" "$work/rootfs/bin/sh"
printf '/bin/probe\nbad\000arg\n' >"$work/cmd"
printf '%s\n' PATH=/bin >"$work/env"
boot_run "init: /cmd: rejected"
console_has "init: /cmd: rejected: NUL byte at offset 14 (line 2)" "init says where the NUL byte is"
console_has "init: not starting the command: fix /cmd above" "and that it runs nothing"
console_lacks "probe: started" "neither the command nor the default runs"
console_lacks "Kernel panic" "the kernel did not panic"
boot_ended_by_itself
done_testing
