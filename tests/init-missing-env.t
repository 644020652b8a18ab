#!/bin/sh
# No /env: init says so and gives the command the documented default environment, whose PATH
# also finds a bare command name.
. "$TOP/tests/init/boot.sh"
boot_prepare missing-env
printf '%s\n' probe >"$work/cmd"
boot_run "probe: started"
console_has "init: /env: missing; using the default environment PATH=/sbin:/usr/sbin:/bin:/usr/bin" \
	"init reports the missing /env"
console_has "probe: argv[0]=<probe>" "the bare command name is found in the default PATH"
console_has "probe: env <PATH=/sbin:/usr/sbin:/bin:/usr/bin>" "the command gets the default PATH"
is "$(grep -c '^probe: env <' "$console")" 1 "and nothing else in its environment"
console_has "init: command exited with status 0" "its status is reported"
console_lacks "segfault" "init did not crash"
boot_ended_by_itself
done_testing
