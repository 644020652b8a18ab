#!/bin/sh
# The heartbeat (vsock CID 3 port 9000, 0xB7 echoed).  With no listener on the parent, init
# reports why it failed, within its time bound, and runs the command anyway instead of
# panicking like the AWS init; with a listener that echoes, init says the parent answered.
. "$TOP/tests/init/boot.sh"
QEMU_HEARTBEAT=off boot_command heartbeat-no-listener "probe: started" /bin/probe
if grep -q "^init: heartbeat: .* vsock 3:9000: .*; continuing without a parent" "$console"; then
	ok 0 "no listener: init reports the failed heartbeat and continues"
else
	ok 1 "no listener: init reports the failed heartbeat and continues"
	grep -a "^init:" "$console" | sed 's/^/#   /'
fi
console_lacks "init: heartbeat: parent answered" "no listener: no answer is claimed"
console_has "init: command exited with status 0" "no listener: the command still runs"
console_lacks "Kernel panic" "no listener: the kernel did not panic"
boot_ended_by_itself

QEMU_HEARTBEAT=on boot_command heartbeat-listener "probe: started" /bin/probe
console_has "init: heartbeat: parent answered on vsock 3:9000" "listener: the parent's echo is seen"
console_lacks "continuing without a parent" "listener: no failure is reported"
console_has "init: command exited with status 0" "listener: the command runs"
boot_ended_by_itself
done_testing
