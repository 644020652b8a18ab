#!/bin/sh
# A command that does not exist: init names it and the PATH it searched, reports status 127 like
# a shell, and still ends the enclave.
. "$TOP/tests/init/boot.sh"
boot_prepare not-found
printf '%s\n' no-such-command --flag >"$work/cmd"
printf '%s\n' PATH=/opt/nothing:/bin >"$work/env"
boot_run "init: cannot run"
console_has "init: cannot run 'no-such-command': No such file or directory (searched PATH=/opt/nothing:/bin)" \
	"init says what it could not find and where it looked"
console_has "init: command exited with status 127" "status 127 is reported"
boot_ended_by_itself

boot_command not-found-path "init: cannot run" /bin/missing
console_has "init: cannot run '/bin/missing': No such file or directory" "an absolute path that does not exist"
console_has "init: command exited with status 127" "status 127 is reported"
boot_ended_by_itself
done_testing
