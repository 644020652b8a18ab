#!/bin/sh
# The arm64 enclave boots: the kernel Image, command line and system ramdisk of make
# ARCH=aarch64's EIF, with a user ramdisk of the same hello app plus a reporter, under
# qemu-system-aarch64 -M virt built from the pinned QEMU source with the NSM and the
# vhost-user vsock device on virt's virtio-mmio bus (docs/qemu-test-bed.md#arm64-under-virt).
# QEMU's nitro-enclave machine is x86_64 only, and the AWS arm64 kernel drives no console on virt
# (a PL011 UART; the kernel has the 8250 its command line names), so the guest's app runs under
# tests/vsock/guest/vsock-run, which sends the output of hello, `nsm describe` and `nsm random`,
# /proc/modules, the clock and the kernel log to our back-end on CID 3 port 5005. Checked: init
# ran the app; nsm.ko bound and the NSM answers; the RTC set the clock; the heartbeat reached
# the back-end; the enclave ended cleanly (the test appends panic=0, so a panic hangs until the
# timeout instead of rebooting the way a clean end does); the kernel logged no warning.
# Costs the arm64 build (shared with e2e-aarch64-build) and qemu-system-aarch64 (cached).
# Knobs: AARCH64_BOOT_TIMEOUT (seconds, default 600).
# tests/run: alone
# tests/run: full
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/json.sh"
: "${AARCH64_BOOT_TIMEOUT:=600}"
a=$O/aarch64
work=$O/tests/aarch64-boot
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
inner_make() {	# the inner make must not inherit the outer one's jobserver or knobs
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES nice -n 10 \
		make -C "$TOP" --no-print-directory "$@"
}
inner_make ARCH=aarch64 O="$a" all "$a/tests/vsock/bin/vsock-run" >"$work/make.out" 2>&1
ok $? "make ARCH=aarch64 O=$a builds the arm64 enclave and the reporter" ||
	{ tail -n 30 "$work/make.out" | sed 's/^/# /'; bail "no aarch64 build"; }
inner_make O="$O" "$O/qemu/qemu-system-aarch64" "$O/bin/vhost-user-vsock" >"$work/qemu-make.out" 2>&1
ok $? "qemu-system-aarch64 (pinned QEMU source, virt with the NSM) and the back-end are built" ||
	{ tail -n 30 "$work/qemu-make.out" | sed 's/^/# /'; bail "no qemu-system-aarch64"; }
. "$TOP/tests/lib/qemu.sh"

# The app tree: the EIF's own (hello), the arm64 nsm tool, the reporter.
root=$work/rootfs
cp -a "$a/examples/hello/rootfs" "$root" && cp "$a/bin/nsm" "$a/tests/vsock/bin/vsock-run" "$root/bin/" ||
	bail "cannot fill $root"
cmd="/bin/vsock-run 5005 /bin/hello -- /bin/nsm describe -- /bin/nsm random 32"
ARCH=aarch64 "$TOP/scripts/user-ramdisk" "$EIF" "$root" "$cmd" "$TOP/examples/hello/env" \
	"$work/user.cpio" >"$work/ramdisk.log" 2>&1
ok $? "packed the test user ramdisk (hello, nsm, vsock-run)" || sed 's/^/# /' "$work/ramdisk.log"

# What boots is what the EIF measures in PCR1: its kernel, command line and system ramdisk.
cmdline=$(cat "$TOP/configs/cmdline/aarch64")
"$EIF" build --kernel "$a/Image" --cmdline "$cmdline" --ramdisk "$a/ramdisk/system.cpio" \
	--ramdisk "$work/user.cpio" --arch aarch64 --output "$work/test.eif" >/dev/null 2>"$work/eif.err" &&
	"$EIF" pcr "$work/test.eif" >"$work/pcr.json" 2>>"$work/eif.err"
ok $? "eif build and eif pcr take the test's parts" || sed 's/^/# /' "$work/eif.err"
is "$(json_field PCR1 <"$work/pcr.json")" "$(json_field PCR1 <"$a/pcr.json")" \
	"the booted kernel, cmdline and system ramdisk are those of $a/enclave.eif (equal PCR1)"

cat "$a/ramdisk/system.cpio" "$work/user.cpio" >"$work/initrd.cpio" || bail "cannot write $work/initrd.cpio"
sink=$work/guest.txt
: >"$sink"
start=$(date +%s)
QEMU_HEARTBEAT=on QEMU_VSOCK_SINKS="5005=$sink" QEMU_APPEND=panic=0 \
	qemu_boot_virt "$a/Image" "$work/initrd.cpio" "$cmdline" "$work/qemu.log" "$AARCH64_BOOT_TIMEOUT"
rc=$?
secs=$(( $(date +%s) - start ))
is "$rc" 0 "QEMU ended by itself within $AARCH64_BOOT_TIMEOUT s (took $secs s, a slot wait included)" ||
	sed 's/^/# qemu: /' "$work/qemu.log" | tail -n 20
backend_log=$work/qemu.log.vsock.log

grep -q '^vsock-run: finished$' "$sink"
ok $? "the reporter ran to its end and its words reached the back-end" ||
	{ sed 's/^/# guest: /' "$sink" | tail -n 40; sed 's/^/# back-end: /' "$backend_log" | tail -n 10; }
# block CMD: what the reporter's run of CMD printed, without its run/exit lines.
block() { sed -n "\\|^vsock-run: run $1\$|,/^vsock-run: \\(exit\\|signal\\|cannot\\)/p" "$sink" | sed '1d;$d'; }
status() { sed -n "\\|^vsock-run: run $1\$|,/^vsock-run: \\(exit\\|signal\\|cannot\\)/p" "$sink" | tail -n 1; }

# init ran the app (hello, the EIF's CMD), and hello reached the NSM.
block /bin/hello | grep -qx 'Hello from a Nitro Enclave built from source!'
ok $? "init ran the app: hello greets"
is "$(status /bin/hello)" "vsock-run: exit 0" "hello exited 0 (it opened /dev/nsm and read PCR0, 1, 2, 8)"
zero=$(printf '%096d' 0)
is "$(block /bin/hello | sed -n 's/^hello: PCR0 //p')" "$zero" \
	"hello reads PCR0 zero and unlocked: virt measures nothing (the EIF's PCRs are checked by e2e-aarch64-build)"

# nsm.ko bound to the virtio NSM device, and the nsm tool speaks to it.
grep -q '^vsock-run: module nsm ' "$sink"
ok $? "nsm.ko is loaded (/proc/modules)"
is "$(block '/bin/nsm describe' | json_field MaxPcrs)" 32 "'nsm describe' answers: 32 PCRs"
is "$(block '/bin/nsm describe' | json_field Digest)" SHA384 "'nsm describe' answers: SHA384"
is "$(status '/bin/nsm describe')" "vsock-run: exit 0" "'nsm describe' exited 0"
block '/bin/nsm random 32' | grep -Eqx '[0-9a-f]{64}'
ok $? "'nsm random 32' prints 64 hex digits" || block '/bin/nsm random 32' | sed 's/^/# /'
is "$(status '/bin/nsm random 32')" "vsock-run: exit 0" "'nsm random 32' exited 0"

# The clock: the PL031 RTC set it, or it would say 1970 and certificate checks would fail.
guest_time=$(sed -n 's/^vsock-run: time \([0-9]*\)$/\1/p' "$sink")
now=$(date +%s)
[ -n "$guest_time" ] && [ "$guest_time" -gt $((now - 86400)) ] && [ "$guest_time" -lt $((now + 86400)) ]
ok $? "the guest's clock is the host's day (PL031 RTC): $guest_time vs $now"

# The back-end: the heartbeat (init to CID 3 port 9000) was answered.
grep -q 'heartbeat 0xb7 from guest port [0-9]*, answered 0xb7' "$backend_log"
ok $? "init's heartbeat reached our back-end and was answered" || sed 's/^/# back-end: /' "$backend_log" | tail -n 10

# The kernel log: the arm64 kernel of this build, on virt, without complaint.
grep -q "^kmsg: Linux version $(cat "$a/kernel/release") " "$sink"
ok $? "the kernel log names the release of $a/Image"
for bad in 'WARNING:' 'BUG:' 'Oops' 'Call Trace' 'Kernel panic' 'nsm virtio' 'hung_task'; do
	if grep -qF -- "$bad" "$sink"; then
		ok 1 "the kernel logged no '$bad'"
		grep -F -B2 -A8 -- "$bad" "$sink" | head -n 20 | sed 's/^/# /'
	else
		ok 0 "the kernel logged no '$bad'"
	fi
done
done_testing
