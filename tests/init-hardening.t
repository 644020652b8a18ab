#!/bin/sh
# Kernel hardening is all or nothing. Without /lockdown in the system ramdisk init says hardening
# is not requested and runs the command. With /lockdown on the default kernel (which has no
# lockdown LSM and no securityfs) init still disables modules, then fails to raise lockdown and
# refuses to start the command; a /lockdown it cannot parse is refused before anything runs.
# The hardened kernel itself is booted by `make kernel-check-hardened` (tests/kernel/hardened.t).
. "$TOP/tests/init/boot.sh"

boot_command not-requested "probe: pid" /bin/probe
console_has "init: /lockdown: absent; kernel hardening not requested (modules stay loadable, no lockdown)" \
	"without /lockdown init says hardening is not requested"
console_has ", argc 1" "and runs the command"
console_lacks "kernel.modules_disabled" "and leaves module loading alone"

boot_prepare default-kernel
printf '/bin/probe\n' >"$work/cmd" && printf 'PATH=/bin\n' >"$work/env" && printf 'integrity\n' >"$work/lockdown"
boot_run "init: stopping the enclave"
console_has "init: /lockdown: kernel hardening requested: modules off and lockdown integrity after nsm.ko" \
	"init reads the request"
console_has "init: kernel.modules_disabled=1: no module can be loaded from now on" \
	"init disables module loading first"
if grep -qF "CONFIG_SECURITYFS" "$console" || grep -qF "CONFIG_SECURITY_LOCKDOWN_LSM" "$console"; then
	ok 0 "init says the kernel lacks securityfs or the lockdown LSM"
else
	ok 1 "init says the kernel lacks securityfs or the lockdown LSM"
	grep -a '^init: ' "$console" | sed 's/^/#   /'
fi
console_has "init: not starting the command: kernel hardening was requested and failed (above)" \
	"a failed hardening step is fatal"
console_lacks "probe: pid" "the command never ran"
boot_ended_by_itself

boot_prepare bad-request
printf '/bin/probe\n' >"$work/cmd" && printf 'PATH=/bin\n' >"$work/env" && printf 'integrity\nconfidentiality\n' >"$work/lockdown"
boot_run "init: stopping the enclave"
console_has "init: /lockdown: rejected: expected one line, integrity or confidentiality; found 2 line(s), the first 'integrity'" \
	"init rejects a /lockdown of two lines, naming what it found"
console_lacks "kernel.modules_disabled" "nothing is changed for a request init cannot read"
console_has "init: not starting the command: kernel hardening was requested and failed (above)" \
	"an unusable request is fatal too"
console_lacks "probe: pid" "the command never ran"
boot_ended_by_itself
done_testing
