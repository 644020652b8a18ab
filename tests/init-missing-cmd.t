#!/bin/sh
# No /cmd (a truncated ramdisk): init says so and runs the documented default, 'sh', found in
# the PATH from /env, instead of crashing like the AWS init.  Here /bin/sh is the probe.
. "$TOP/tests/init/boot.sh"
boot_prepare missing-cmd
cp "$O/tests/init/bin/probe" "$work/rootfs/bin/sh"
printf '%s\n' PATH=/bin >"$work/env"
boot_run "probe: started"
console_has "init: /cmd: missing; using the default command 'sh'" "init reports the missing /cmd"
console_has "probe: argv[0]=<sh>" "the default command runs"
console_has "probe: env <PATH=/bin>" "with the environment from /env"
console_has "init: command exited with status 0" "its status is reported"
console_lacks "segfault" "init did not crash"
boot_ended_by_itself

boot_prepare empty-cmd
cp "$O/tests/init/bin/probe" "$work/rootfs/bin/sh"
: >"$work/cmd"
printf '%s\n' PATH=/bin >"$work/env"
boot_run "probe: started"
console_has "init: /cmd: empty; using the default command 'sh'" "an empty /cmd gets the default too"
console_has "probe: argv[0]=<sh>" "and the default command runs"
boot_ended_by_itself
done_testing
