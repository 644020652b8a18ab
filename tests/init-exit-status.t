#!/bin/sh
# The command's fate reaches the console in one line: exit status 3 as 3, a signal as a signal.
. "$TOP/tests/init/boot.sh"
boot_command exit-status "probe: started" /bin/probe --exit 3
console_has "probe: exiting with status 3" "the command exits with 3"
console_has "init: command exited with status 3" "init reports status 3"
console_lacks "init: command exited with status 0" "and no other status"
boot_ended_by_itself

boot_command exit-signal "probe: started" /bin/probe --signal 6
console_has "probe: raising signal 6" "the command kills itself with SIGABRT"
console_has "init: command killed by signal 6 (" "init reports the signal"
boot_ended_by_itself
done_testing
