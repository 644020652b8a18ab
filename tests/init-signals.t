#!/bin/sh
# SIGTERM and SIGINT sent to PID 1 are forwarded to the command (here the command sends them
# to PID 1 itself, the only sender there is inside an enclave), and init keeps running.
. "$TOP/tests/init/boot.sh"
boot_command signals "probe: started" /bin/probe --signal-init 15 --signal-init 2 --exit 0
console_has "probe: init forwarded signal 15" "SIGTERM to PID 1 reaches the command"
console_has "probe: init forwarded signal 2" "SIGINT to PID 1 reaches the command"
console_has "init: command exited with status 0" "init survives both and reports the status"
boot_ended_by_itself
done_testing
