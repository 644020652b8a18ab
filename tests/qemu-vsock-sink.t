#!/bin/sh
# --sink PORT=FILE: the back-end also listens on CID 3 PORT and appends every byte the guest
# streams there to FILE, granting credit as it goes, so that boot tests can receive results
# from an enclave over vsock. The probe plays the guest's driver.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
qemu_backend_test_setup vsock-sink
plan 9

# stream SCENARIO NAME PORT BYTES [BACKEND-FLAGS]: a fresh back-end, one guest stream played
# by the probe's SCENARIO (send or send-burst); $out, $status
stream() {
	scenario=$1 sock=$tmp/$2.sock log=$tmp/$2.log port=$3 bytes=$4
	shift 4
	qemu_backend_start "$sock" "$log" --guest-cid "$cid" "$@" || bail "cannot start the back-end"
	out=$("$probe" "$scenario" "$sock" "$cid" "$port" "$bytes" 2>&1)
	qemu_backend_wait 10
	status=$?
}

# 700 000 bytes: well past the back-end's 256 KiB buffer, so its credit updates are needed.
stream send big 7000 700000 --sink "7000=$tmp/big.out"
is "$out" "sent 700000 bytes; credit updates seen: yes; host: reset" "700000 bytes streamed within the host's credit, closed with a reset"
"$probe" pattern 700000 >"$tmp/big.expected"
cmp -s "$tmp/big.expected" "$tmp/big.out"
ok $? "the sink file holds exactly the bytes sent ($(wc -c <"$tmp/big.out") of 700000)"
grep -q "sink port 7000: guest port 1234 closed after 700000 bytes" "$log"
ok $? "the back-end logs the closed stream and its length" || sed 's/^/#   /' "$log"

# 64 000 bytes are 16 packets of 4000: a burst of them, added before one kick as Linux's send
# worker does, holds all 16 tx buffers of the probe's ring, so the shutdown after them must
# wait until the back-end has returned one (a 17th buffer in flight stops the queue).
stream send-burst burst 7000 64000 --sink "7000=$tmp/burst.out"
is "$out" "sent 64000 bytes; credit updates seen: no; host: reset" \
	"a burst that fills the tx ring, then the shutdown, closed with a reset" || sed 's/^/#   /' "$log"
"$probe" pattern 64000 | cmp -s - "$tmp/burst.out"
ok $? "the sink file holds exactly the burst ($(wc -c <"$tmp/burst.out") of 64000 bytes)"

printf 'earlier line\n' >"$tmp/append.out"
stream send append 7001 10 --no-heartbeat --sink "7000=$tmp/other.out" --sink "7001=$tmp/append.out"
{ printf 'earlier line\n'; "$probe" pattern 10; } >"$tmp/append.expected"
cmp -s "$tmp/append.expected" "$tmp/append.out"
ok $? "a second sink, with the heartbeat off, appends to its own file"
[ ! -s "$tmp/other.out" ]
ok $? "the other sink's file stays empty"

stream send unknown 7002 10 --sink "7000=$tmp/big2.out"
is "$out" "connection refused" "a port without a sink is reset"

err=$("$O/bin/vhost-user-vsock" --socket "$tmp/x.sock" --guest-cid "$cid" --sink "7000=$tmp/no/such/dir/file" 2>&1)
status=$?
case "$status:$err" in
1:*"--sink file '$tmp/no/such/dir/file': No such file or directory"*) ok 0 "an unwritable sink file is refused at start, naming it" ;;
*) ok 1 "an unwritable sink file is refused at start, naming it"; diag "actual ($status): $err" ;;
esac
