#!/bin/sh
# init runs the command from /cmd with the environment from /env, a bare name found through
# that PATH; the command's output reaches the console; the enclave then ends QEMU by itself.
. "$TOP/tests/init/boot.sh"
boot_prepare console
printf '%s\n' local-probe 'two words' 'tab	and "quotes"' '' >"$work/cmd"
printf '%s\n' 'PATH=/nonexistent:/usr/local/bin' 'GREETING=hello world' 'EMPTY=' >"$work/env"
boot_run "probe: started"
console_has "probe: started" "the command's output reaches the console"
console_has "probe: argv[0]=<local-probe>" "a bare name is found through the PATH from /env"
console_has "probe: argv[1]=<two words>" "an argument with a space stays one argument"
console_has 'probe: argv[2]=<tab	and "quotes">' "tabs and quotes pass unchanged"
console_has "probe: argv[3]=<>" "an empty line is an empty argument"
console_has "probe: env <GREETING=hello world>" "the environment comes from /env"
console_has "probe: env <EMPTY=>" "an empty value is kept"
console_has "probe: mount /proc: yes" "/proc is mounted"
console_has "probe: mount /sys: yes" "/sys is mounted"
for mount_point in /tmp /run /dev/pts /dev/shm /sys/fs/cgroup /sys/fs/cgroup/pids; do
	console_has "probe: mount $mount_point: yes" "$mount_point is mounted"
done
console_has "probe: link /dev/fd -> /proc/self/fd" "/dev/fd links to /proc/self/fd"
for n in 0:stdin 1:stdout 2:stderr; do
	console_has "probe: link /dev/${n#*:} -> /proc/self/fd/${n%%:*}" "/dev/${n#*:} links to fd ${n%%:*}"
done
console_has "probe: unshare CLONE_NEWUSER: ok" "user namespaces work in the moved root"
console_has "init: command exited with status 0" "the exit status is reported"
console_lacks "Kernel panic" "the kernel did not panic"
boot_ended_by_itself
diag "boot time from QEMU start to the command's first output: ${marker_ms} ms"
done_testing
