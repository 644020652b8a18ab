#!/bin/sh
# The test bed end to end: tests/lib/qemu.sh boots out/enclave.eif under nitro-enclave, with
# ACPI off and on; the guest's heartbeat reaches our back-end over the vsock data path and is
# answered (or reset with QEMU_HEARTBEAT=off); qemu_boot_until stops a run early and a timeout ends a run with
# 124, each leaving no process and no file behind.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
eif=$O/enclave.eif
[ -r "$eif" ] || bail "$eif missing: run make first"
work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-boot.XXXXXX") || bail "no temporary directory"
trap 'rm -rf "$work"' EXIT
# The helper's own temporary directories go here, so leftovers can be found.
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
plan 14

# leftovers: processes still running on a socket under $TMPDIR, and files left in it
leftovers() {
	procs=$(ps -eo pid=,args= | grep -F "$TMPDIR/" | grep -v grep)
	files=$(ls -A "$TMPDIR")
	echo "${procs:-no processes}, ${files:-no files}"
}
show() { diag "$1:"; tail -n "${3:-20}" "$2" | sed 's/^/#   /'; }

QEMU_ACPI=off QEMU_HEARTBEAT=on qemu_boot_eif "$eif" "$work/listen" 120
status=$?
is "$status" 0 "ACPI off, parent listening: QEMU ends by itself with status 0"
grep -q "heartbeat 0xb7 from guest port [0-9]*, answered 0xb7" "$work/listen.vsock.log"
ok $? "the guest's heartbeat crossed the vsock data path and was answered" ||
	{ show "back-end log" "$work/listen.vsock.log"; show "console" "$work/listen"; }
is "$(leftovers)" "no processes, no files" "a finished run leaves nothing behind"

# ACPI on: the devices come from the DSDT; with -icount the kernel measures the TSC itself,
# so nothing is added to the EIF's command line.
QEMU_ACPI=on QEMU_HEARTBEAT=on qemu_boot_eif "$eif" "$work/acpi" 120
is "$?" 0 "ACPI on, parent listening: QEMU ends by itself with status 0"
grep -q "heartbeat 0xb7 from guest port [0-9]*, answered 0xb7" "$work/acpi.vsock.log"
ok $? "with ACPI on the guest found the vsock device and its heartbeat was answered" ||
	{ show "back-end log" "$work/acpi.vsock.log"; show "console" "$work/acpi"; }
cmdline=$(tr -d '\r' <"$work/acpi" | sed -n 's/^.*\] Command line: //p' | head -n 1)
is "$(printf '%s' "$cmdline" | sed 's/ *$//')" "$(cat "$TOP/configs/cmdline/x86_64")" \
	"with ACPI on the guest's command line is exactly the EIF's"

QEMU_ACPI=off QEMU_HEARTBEAT=off qemu_boot_eif "$eif" "$work/none" 120
status=$?
grep -q "connected to cid 3 port 9000: no listener, reset" "$work/none.vsock.log"
ok $? "parent not listening: the guest's heartbeat connection is reset" ||
	show "back-end log" "$work/none.vsock.log"
grep -q "answered" "$work/none.vsock.log"
ok $((!$?)) "and nothing is answered"
diag "QEMU status with no listener: $status"

start=$(date +%s)
QEMU_ACPI=off qemu_boot_until "$eif" "$work/until" 120 "Run /init as init process"
found=$?
ok $found "qemu_boot_until sees the text appear on the console"
ok $(( qemu_status != 0 && qemu_status != 143 )) "the run ended by the early stop (143) or by itself (0), status $qemu_status" ||
	show "console" "$work/until"
is "$(leftovers)" "no processes, no files" "a run stopped early leaves nothing behind"

err=$(qemu_boot_eif "$work/no-such.eif" "$work/missing" 5 2>&1)
is "$?:$err" "125:qemu.sh: EIF '$work/no-such.eif' is not readable; build it first (make)" \
	"a missing EIF: status 125 and the reason, before anything starts"

QEMU_ACPI=off qemu_boot_eif "$eif" "$work/short" 1
is "$?" 124 "a run past its timeout ends with status 124"
is "$(leftovers)" "no processes, no files" "a timed-out run leaves nothing behind"
diag "boot to exit (ACPI off, listening) and the early stop: $(( $(date +%s) - start )) s for the last two runs"
