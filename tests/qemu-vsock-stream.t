#!/bin/sh
# vsock data paths between an enclave and its parent, in one boot under the nitro-enclave QEMU
# against our back-end (tests/vsock/boot.sh): bulk transfers both ways with every write size
# that matters to the virtio transport, both ends pushing back at once (the shape of the
# queued_replies deadlock), many short connections, and a 1 MiB write() that must leave the
# guest as single-descriptor packets (the Nitro corruption hazard of non-linear skbs). Each
# end checks the other's bytes against the pattern and hashes them; the test compares the
# hashes. tests/qemu-vsock-faults.t proves each check fails when one packet goes wrong.
#
# Sizes. The bulk connection carries 64 MiB each way, the guest's write()s cycling through
# 1 B, 4 KiB, 31 KiB, 33 KiB, 64 KiB and 1 MiB. A connection of 1-byte writes only moves
# 8 to 35 KiB/s under TCG (measured: 256 KiB in 33 s, 64 KiB in 2 to 10 s), so 64 MiB of
# them would take half an hour to over two hours: that connection carries
# VSOCK_ONE_BYTE_TOTAL (default 64 KiB) each way instead.
. "$TOP/tests/vsock/boot.sh"
: "${VSOCK_BULK_TOTAL:=64M}"
: "${VSOCK_ONE_BYTE_TOTAL:=64K}"
: "${VSOCK_PUSHBACK_TOTAL:=2M}"
: "${VSOCK_SHORT_COUNT:=200}"

vsock_boot stream "bulk:1,4K,31K,33K,64K,1M:$VSOCK_BULK_TOTAL" "bulk:1:$VSOCK_ONE_BYTE_TOTAL" \
	"pushback:$VSOCK_PUSHBACK_TOTAL" "short:$VSOCK_SHORT_COUNT:5000" linear:1M
is "$boot_rc" 0 "QEMU ended by itself within $VSOCK_BOOT_TIMEOUT s (took $boot_secs s)"
grep -q '^vsock-test: started' "$console"
ok $? "the guest program started"
grep -q '^vsock-test: finished' "$console"
ok $? "the guest program ran to its end" || tail -5 "$console" | sed 's/^/#   /'

# check PHASE DESCRIPTION
check() {
	vsock_phase_check "$1"
	ok $? "$2" || diag "$phase_why"
}
check "bulk-1,4K,31K,33K,64K,1M" \
	"$VSOCK_BULK_TOTAL each way in one connection, writes of 1 B, 4 KiB, 31 KiB, 33 KiB, 64 KiB, 1 MiB in turn: same sha256 on both ends"
check bulk-1 "$VSOCK_ONE_BYTE_TOTAL each way in 1-byte writes (smaller total: see the top of this test): same sha256 on both ends"
check pushback "both ends send $VSOCK_PUSHBACK_TOTAL at once, then drain: same sha256 on both ends"
host=$(vsock_host_line "$(grep '^vsock-test: result pushback ' "$console" | awk '{ print $5 }')")
case $host in
*"pushback on, held at most 262144 bytes, guest buffer full yes"*)
	ok 0 "pushback: the host held its whole 256 KiB buffer unread until the guest's buffer was full" ;;
*) ok 1 "pushback: the host held its whole 256 KiB buffer unread until the guest's buffer was full"
	diag "host: $host" ;;
esac
grep -q '^vsock-test: ok - pushback: the guest.s writes blocked' "$console"
ok $? "pushback: the guest's writes blocked (the host's buffer full) before it read anything"
check short "$VSOCK_SHORT_COUNT short connections, 5000 bytes each way: same sha256 on both ends"
is "$(grep -c '^vsock-test: result short ' "$console")" "$VSOCK_SHORT_COUNT" "every short connection reported"

# The 1 MiB write(): to a counting port (the bytes, and how many descriptors carried them)
# and to the strict port, which resets a connection at its first multi-descriptor packet.
check linear "one 1 MiB write(): the bytes arrive intact (same sha256 on both ends)"
linear=$(vsock_host_line "$(grep '^vsock-test: result linear ' "$console" | awk '{ print $5 }')")
strict_port=$(grep '^vsock-test: result linear-strict ' "$console" | awk '{ print $5 }')
strict=$(vsock_host_line "$strict_port")
multi=$(printf '%s\n' "$linear" | sed -n 's/.* \([0-9]*\) data packets, \([0-9]*\) with the payload in several.*/\2/p')
packets=$(printf '%s\n' "$linear" | sed -n 's/.* \([0-9]*\) data packets, .*/\1/p')
diag "1 MiB write(): $packets data packets, ${multi:-?} with the payload in several descriptors"
if vsock_has_linear_patch; then
	diag "kernel/patches keeps transmit skbs linear: every packet must have one payload descriptor"
	is "$multi" 0 "a 1 MiB write() leaves the guest as single-descriptor packets"
	vsock_phase_check linear-strict
	ok $? "the strict mode accepts the 1 MiB write() and its bytes arrive intact" || diag "$phase_why"
else
	diag "kernel/patches has no linear transmit skb patch: the strict mode must notice multi-descriptor packets"
	[ "${multi:-0}" -gt 0 ]
	ok $? "without the linear skb patch, the back-end counts multi-descriptor packets in a 1 MiB write() ($multi)"
	case $strict in
	*"refused by the strict mode"*) ok 0 "without the linear skb patch, the strict mode refuses the 1 MiB write()" ;;
	*) ok 1 "without the linear skb patch, the strict mode refuses the 1 MiB write()"; diag "host: $strict" ;;
	esac
fi

# Timings and the descriptor counts of the whole run, for the log.
grep '^vsock-test: result [a-z]' "$console" | grep -v ' short ' | sed 's/ sha256 [0-9a-f]*//g; s/^/# /'
grep -F 'guest tx:' "$hostlog" | sed 's/^/# /'
done_testing
