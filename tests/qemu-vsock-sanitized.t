#!/bin/sh
# The back-end built with ASan and UBSan (aborting on the first error) meets garbage, random
# framed messages with fds over random guest RAM, the malformed messages and the hostile guest
# rings of the other tests, and real heartbeat and sink sessions: it must end each with
# status 0 and without one sanitizer report.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
export QEMU_BACKEND=$O/tests/vsock/vhost-user-vsock-sanitized
qemu_backend_test_setup vsock-sanitized
# SEED0=N reruns a failed run's seeds (its log names them).
seed0=${SEED0:-$(date +%s)}
diag "random seeds start at $seed0 (rerun this test with SEED0=$seed0, or one fuzz run with: vhost-user-probe fuzz SOCKET SEED 2000)"

# run NAME PROBE-ARGS...: a fresh sanitized back-end, the probe against it, then a clean
# session so that a back-end still waiting for a connection ends; checks both.
run() {
	name=$1 sock=$tmp/$1.sock log=$tmp/$1.log
	shift
	qemu_backend_start "$sock" "$log" --guest-cid "$cid" --sink "7000=$tmp/$name.sink" ||
		bail "cannot start the back-end"
	probe_args=$(echo "$@" | sed "s|@SOCK@|$sock|")
	# shellcheck disable=SC2086
	timeout 120 "$probe" $probe_args >"$tmp/$name.out" 2>&1
	[ ! -S "$sock" ] || timeout 10 "$probe" config "$sock" >/dev/null 2>&1
	qemu_backend_wait 10
	status=$?
	if grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$log"; then
		ok 1 "$name: no sanitizer report"
		grep -E -A12 "AddressSanitizer|LeakSanitizer|runtime error" "$log" | head -30 | sed 's/^/#   /'
	else
		ok 0 "$name: no sanitizer report"
	fi
	is "$status" 0 "$name: the back-end ended with status 0"
}

run garbage-1 garbage @SOCK@ "$seed0"
run garbage-2 garbage @SOCK@ $((seed0 + 1))
run hostile hostile @SOCK@
run hostile-guest hostile-guest @SOCK@ "$cid"
run bad-mem-table bad-mem-table @SOCK@ "$cid"
run heartbeat connect @SOCK@ "$cid" 9000 0xb7
run wrong-byte connect @SOCK@ "$cid" 9000 0x00
run sink send @SOCK@ "$cid" 7000 300000
for i in 1 2 3 4; do
	run fuzz-$i fuzz @SOCK@ $((seed0 + 100 + i)) 2000
done
done_testing
