#!/bin/sh
# The back-end's strict mode, without QEMU: the probe plays the guest driver and sends one
# test-stream packet (tests/vsock/stream.h) whose payload spans 0 (shared with the header),
# 1, 2 or 5 descriptors. Every port counts the packets with a payload in several
# descriptors; --stream-strict also resets such a connection and makes the back-end exit 1.
# (tests/qemu-vsock-stream.t sees the same on a real guest kernel, in the direction its
# kernel/patches call for.) Also: --fault must be well-formed.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
qemu_backend_test_setup vsock-strict

# stream NAME DESCRIPTORS BACKEND-FLAGS...: one test stream of 3000 bytes; $out, $log, $status
stream() {
	sock=$tmp/$1.sock log=$tmp/$1.log descriptors=$2
	shift 2
	qemu_backend_start "$sock" "$log" --guest-cid "$cid" --no-heartbeat "$@" || bail "cannot start the back-end"
	out=$("$probe" stream "$sock" "$cid" 7000 3000 "$descriptors" 2>&1 | tr '\n' ' ')
	qemu_backend_wait 10
	status=$?
}
counts() { grep -F 'guest tx:' "$log" | sed 's/.*guest tx: //'; }

for d in 0 1 2 5; do
	multi=0
	[ "$d" -lt 2 ] || multi=1
	stream "count-$d" "$d" --stream 7000
	is "$status:$(counts)" "0:2 data packets, $multi with the payload in several descriptors, 0 refused by the strict mode" \
		"--stream, payload in $d descriptors: counted, not refused"
	grep -q 'received 3000 bytes .*(pattern ok)' "$log"
	ok $? "--stream, payload in $d descriptors: the bytes arrived intact" || sed 's/^/#   /' "$log"

	stream "strict-$d" "$d" --stream-strict 7000
	if [ "$multi" = 1 ]; then
		is "$status:$(counts)" "1:2 data packets, 1 with the payload in several descriptors, 1 refused by the strict mode" \
			"--stream-strict, payload in $d descriptors: refused, and the back-end exits 1"
		grep -q "strict: stream port 7000 guest port 1234 sent a packet of 3000 payload bytes in $d descriptors; refused (reset)" "$log"
		ok $? "--stream-strict names the refused packet in its log" || sed 's/^/#   /' "$log"
		case $out in
		*"host: reset"*) ok 0 "--stream-strict resets the connection" ;;
		*) ok 1 "--stream-strict resets the connection"; diag "probe: $out" ;;
		esac
	else
		is "$status:$(counts)" "0:2 data packets, 0 with the payload in several descriptors, 0 refused by the strict mode" \
			"--stream-strict, payload in $d descriptors: accepted"
		grep -q 'received 3000 bytes .*(pattern ok)' "$log"
		ok $? "--stream-strict, payload in $d descriptors: the bytes arrived intact" || sed 's/^/#   /' "$log"
	fi
done

for bad in drop drop:to-host drop:to-host:0 lose:to-host:1 drop:up:1 drop:to-host:1@ drop:to-host:1@x drop:to-host:1x; do
	err=$("$O/bin/vhost-user-vsock" --socket "$tmp/never.sock" --guest-cid "$cid" --fault "$bad" 2>&1)
	case "$?:$err" in
	2:*"--fault '$bad': expected drop|duplicate|reorder:to-host|to-guest:N[@PORT]"*) ok 0 "--fault $bad is refused" ;;
	*) ok 1 "--fault $bad is refused"; diag "actual: $err" ;;
	esac
done
[ ! -e "$tmp/never.sock" ]
ok $? "no socket was created for a refused command line"
done_testing
