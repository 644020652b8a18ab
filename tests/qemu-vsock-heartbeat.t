#!/bin/sh
# The back-end's data path plays the Nitro parent (docs/boot-contract.md#the-heartbeat): a guest
# stream connection to CID 3 port 9000 is accepted, the byte 0xB7 is echoed, then the parent closes.
# Without the listener (--no-heartbeat), or on another port, the connection is reset. The probe
# plays the guest's virtio-vsock driver on real rings in shared memory (tests/vsock/probe/probe.c).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
qemu_backend_test_setup vsock-heartbeat
plan 7

# session NAME HOST-CID PORT BYTE [BACKEND-FLAGS]: one guest connection to HOST-CID:PORT
# sending BYTE; the host's packets in $out
session() {
	sock=$tmp/$1.sock log=$tmp/$1.log host_cid=$2 port=$3 byte=$4
	shift 4
	qemu_backend_start "$sock" "$log" --guest-cid "$cid" "$@" || bail "cannot start the back-end"
	out=$("$probe" connect "$sock" "$cid" "$port" "$byte" "$host_cid" 2>&1)
	wait "$qemu_backend_pid"
	backend_status=$?
}

session listening 3 9000 0xb7
is "$out" "host: response
host: rw 0xb7
host: shutdown
host: reset" "heartbeat: accepted, 0xB7 echoed, the parent closes, our shutdown is answered with a reset"
grep -q "heartbeat 0xb7 from guest port 1234, answered 0xb7" "$log"
ok $? "the back-end logs the answered heartbeat" || sed 's/^/#   /' "$log"

session wrong-byte 3 9000 0x42
is "$out" "host: response
host: reset" "a heartbeat byte other than 0xB7 gets the connection reset, no echo"

session no-listener 3 9000 0xb7 --no-heartbeat
is "$out" "host: reset
connection refused" "with --no-heartbeat the connection to CID 3 port 9000 is reset"

session other-port 3 9001 0xb7
is "$out" "host: reset
connection refused" "a connection to a port without a listener is reset"

session host-cid 2 9000 0xb7
is "$out" "host: reset
connection refused" "only the parent, CID 3, listens: CID 2 port 9000 is reset"

session moved 3 5005 0xb7 --heartbeat-port 5005
is "$out:$backend_status" "host: response
host: rw 0xb7
host: shutdown
host: reset:0" "--heartbeat-port moves the listener; the back-end exits 0 afterwards"
