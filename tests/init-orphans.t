#!/bin/sh
# A command that leaves orphans and daemons behind: init reaps the orphan while the command
# runs, and after the command exits sends SIGTERM to everything left, SIGKILL to what ignores
# it, and still ends the enclave.
. "$TOP/tests/init/boot.sh"
boot_command orphans "leave-orphans: started" /bin/leave-orphans
console_has "daemon: pid" "the daemon started"
console_has "stubborn: pid" "the process that ignores SIGTERM started"
if grep -q "leave-orphans: orphan [0-9]* was reaped" "$console"; then ok 0 "init reaped the orphan"
else ok 1 "init reaped the orphan"; grep -a "leave-orphans:" "$console" | sed 's/^/#   /'; fi
console_has "init: command exited with status 0" "the command's status is reported"
console_has "init: reaped 1 orphaned process while the command ran" "init counts the orphan it reaped"
console_has "init: processes left behind; sending SIGTERM to all" "init notices the leftovers"
console_has "daemon: got SIGTERM, exiting" "the daemon gets SIGTERM"
console_has "init: processes still running 2000 ms after SIGTERM; sending SIGKILL" \
	"what ignores SIGTERM gets SIGKILL"
console_has "init: all processes ended after SIGKILL" "then nothing is left"
boot_ended_by_itself
done_testing
