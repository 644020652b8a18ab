#!/bin/sh
# tests/lib/qemu.sh runs at most $QEMU_SLOTS (default 2) QEMUs at once, however many boots
# parallel tests start, and the wait for a slot does not count against a boot's timeout: five
# boots through qemu_boot_kernel of a stand-in QEMU that runs 1 s and logs when, each with a 2 s
# timeout.
. "$TOP/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-slots.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
# A private O: the slots of this test are not those of real boots running next to it.
O=$tmp
. "$TOP/tests/lib/qemu.sh"
cat >"$tmp/fake-qemu" <<'FAKE'
#!/bin/sh
echo "start $(date +%s%N)" >>"$FAKE_QEMU_LOG"
sleep 1
echo "end $(date +%s%N)" >>"$FAKE_QEMU_LOG"
FAKE
chmod +x "$tmp/fake-qemu"
FAKE_QEMU_LOG=$tmp/runs.log
export FAKE_QEMU_LOG
KERNEL_QEMU=$tmp/fake-qemu KERNEL_BOOT_TIMEOUT=2
# most_at_once: the most stand-in QEMUs running at one time, from the start and end times.
most_at_once() {
	sed 's/^start \(.*\)/\1 1/; s/^end \(.*\)/\1 -1/' "$FAKE_QEMU_LOG" | sort -n -k1,1 -k2,2n |
		awk '{ n += $2; if (n > most) most = n } END { print most + 0 }'
}

pids=
for i in 1 2 3 4 5; do
	qemu_boot_kernel "$tmp/kernel" "$tmp/initrd" off "$tmp/console.$i" "console=ttyS0" &
	pids="$pids $!"
done
statuses=
for pid in $pids; do
	wait "$pid"
	statuses="$statuses $?"
done
is "$statuses" " 0 0 0 0 0" "every boot ran to its end: waiting for a slot is not part of the timeout"
is "$(grep -c '^start' "$FAKE_QEMU_LOG")" 5 "every boot started QEMU once"
is "$(most_at_once)" 2 "two QEMUs ran at once, never more"
grep -q 'waited [0-9]* s for a free QEMU slot' "$tmp"/console.*.qemu
ok $? "a boot that waited says so in its QEMU log"
QEMU_SLOTS=1
: >"$FAKE_QEMU_LOG"
qemu_boot_kernel "$tmp/kernel" "$tmp/initrd" off "$tmp/console.a" "console=ttyS0" &
a=$!
qemu_boot_kernel "$tmp/kernel" "$tmp/initrd" off "$tmp/console.b" "console=ttyS0"
wait "$a"
is "$(most_at_once)" 1 "QEMU_SLOTS=1 runs one at a time"
done_testing
