#!/bin/sh
# Our vhost-user-vsock back-end answers the control plane QEMU needs (GET_CONFIG gives the
# guest CID), survives garbage, malformed messages and impossible guest rings, and exits 0
# when its peer disconnects. A probe plays QEMU (tests/vsock/probe/probe.c).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
qemu_backend_test_setup vsock-backend
plan 14

# start_backend NAME [FLAGS]: a fresh back-end on $tmp/NAME.sock, log $tmp/NAME.log
start_backend() {
	sock=$tmp/$1.sock log=$tmp/$1.log
	shift
	qemu_backend_start "$sock" "$log" --guest-cid "$cid" "$@" || bail "cannot start the back-end"
}
# backend_exit DESC: the back-end ends by itself with status 0 (no crash, no signal; 124 if
# it was still running 5 s after the disconnect)
backend_exit() {
	qemu_backend_wait 5
	is "$?" 0 "$1"
}
show_log() { sed 's/^/#   /' "$log"; }

start_backend config
out=$("$probe" config "$sock" 2>&1)
is "$out" "features 0x140000000
protocol features 0x208
guest cid $cid" "GET_FEATURES (VERSION_1, PROTOCOL_FEATURES), protocol features (CONFIG, REPLY_ACK), GET_CONFIG gives the guest CID"
backend_exit "the back-end exits 0 when its peer disconnects"

start_backend garbage
"$probe" garbage "$sock" 12345 >/dev/null 2>&1
out=$("$probe" config "$sock" 2>&1)
is "$(echo "$out" | tail -1)" "guest cid $cid" "after 64 KiB of garbage on one connection the next one is served"
grep -q "protocol error: .*dropping this connection" "$log"
ok $? "the garbage is reported as a protocol error" || show_log
backend_exit "the back-end exits 0 after garbage and a clean session"

start_backend hostile
out=$("$probe" hostile "$sock" 2>&1)
status=$?
expected="survived unknown request 77 (features 0x140000000)
SET_MEM_TABLE with 9 regions: ack 1
SET_MEM_TABLE without its fd: ack 1
SET_MEM_TABLE of 2^62 bytes: ack 1
SET_MEM_TABLE with a wrapping offset: ack 1
SET_MEM_TABLE past the end of its file: ack 1
SET_VRING_NUM for queue 5: ack 1
SET_VRING_NUM of 3: ack 1
SET_VRING_KICK before SET_VRING_ADDR: ack 1
SET_VRING_KICK with rings outside memory: ack 1
SET_VRING_CALL promising an fd it lacks: ack 1
SET_VRING_CALL with NOFD and an fd: ack 0
SET_VRING_ADDR with 4 payload bytes: ack 1
SET_OWNER carrying 8 fds: ack 0
GET_CONFIG of 100000 bytes: reply of 12 bytes
GET_CONFIG at offset 0xfffffffc: reply of 20 bytes, value 0x0
GET_VRING_BASE of queue 7: reply of 8 bytes
survived the malformed messages above (features 0x140000000)
a version 2 header: the back-end closed the connection"
is "$out" "$expected" "malformed messages are refused (REPLY_ACK 1) and survived; a bad header ends only that connection"
[ "$status" -eq 0 ] || show_log
out=$("$probe" config "$sock" 2>&1)
is "$(echo "$out" | tail -1)" "guest cid $cid" "the back-end serves a new connection after the malformed ones"
backend_exit "the back-end exits 0 after the hostile session"

start_backend guest
out=$("$probe" hostile-guest "$sock" "$cid" 2>&1)
expected="survived a looping tx chain (features 0x140000000)
survived tx buffers outside memory and indirect (features 0x140000000)
survived short and overlong tx packets (features 0x140000000)
survived a packet from a foreign cid (features 0x140000000)
survived a head index beyond the ring (features 0x140000000)
survived an rx avail index 1000 ahead (features 0x140000000)"
is "$out" "$expected" "impossible descriptors, chains, packets and ring indices from the guest are survived"
grep -q "head descriptor 999 outside a ring of 16; queue stopped" "$log"
ok $? "a head index beyond the ring stops that queue and says why" || show_log
backend_exit "the back-end exits 0 after the hostile guest"

# A refused memory table must leave the running rings in the table that stands: the back-end
# used to unmap the old regions first, and the next kick read freed memory (SIGSEGV).
start_backend mem-table
out=$("$probe" bad-mem-table "$sock" "$cid" 2>&1)
expected="SET_MEM_TABLE with a region of size 0: ack 1
host: reset
SET_MEM_TABLE with a region whose offset wraps: ack 1
host: reset
SET_MEM_TABLE with a good region and one that cannot be mapped: ack 1
host: reset
SET_MEM_TABLE of the same RAM: ack 0
host: reset
SET_MEM_TABLE without the rings: ack 0
survived kicks of rings outside the new table (features 0x140000000)"
is "$out" "$expected" "refused memory tables keep the rings working in the old one; a new table moves them or stops them"
grep -q "SET_MEM_TABLE refused, the previous table stays: memory region at guest 0x.*out of range" "$log"
ok $? "a refused table is logged with its reason" || show_log
backend_exit "the back-end exits 0 after refused memory tables"
