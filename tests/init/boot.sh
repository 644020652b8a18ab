# Shared steps of the init boot tests (tests/init-*.t): build a small EIF around $O/init and a
# test root filesystem, boot it under the nitro-enclave QEMU, assert on the console text.
#   . "$TOP/tests/init/boot.sh"
#   boot_prepare NAME            fresh work directory $work with a rootfs/ of the test programs
#   printf ... >"$work/cmd"      the test writes cmd and env (or leaves either out)
#   boot_run MARKER              build the EIF, boot it, wait for QEMU to end (bounded)
#   boot_command NAME MARKER ARG...  all three for a /cmd of ARGs and an /env of PATH=/bin
#   console_has TEXT DESC        ok if the console holds TEXT (a fixed string)
# Knob: INIT_BOOT_TIMEOUT (seconds, default 60) bounds one boot.
. "$TOP/tests/lib/tap.sh"
: "${INIT_BOOT_TIMEOUT:=60}"
: "${INIT_QEMU_SH:=$TOP/tests/lib/qemu.sh}"
# ACPI off by default: with acpi=on the kernel hangs under TCG before init runs (no timer
# interrupt after "tsc: Marking TSC unstable"), a kernel/QEMU matter outside init.  The exit
# path does not depend on ACPI (a triple fault is a CPU event).
: "${QEMU_ACPI:=off}"
export QEMU_ACPI
ARCH=${ARCH:-x86_64}
: "${INIT_CMDLINE_FILE:=$TOP/configs/cmdline/$ARCH}"

# Everything a boot needs; a missing piece is a failure that says how to get it, never a skip.
boot_require() {
	need_files "$O/init" "$EIF" "$O/bzImage" "$INIT_CMDLINE_FILE" \
		"$O/tests/init/bin/probe" "$O/tests/init/bin/leave-orphans" "$INIT_QEMU_SH"
	. "$INIT_QEMU_SH"
}

boot_prepare() {
	boot_require
	work=$O/tests/init/boot/$1
	rm -rf "$work" && mkdir -p "$work/rootfs" || bail "cannot create $work"
	for d in bin usr/local/bin dev run sys var proc tmp; do
		mkdir -p "$work/rootfs/$d"
	done
	cp "$O/tests/init/bin/leave-orphans" "$work/rootfs/bin/leave-orphans"
	cp "$O/tests/init/bin/probe" "$work/rootfs/bin/probe"
	# Only in /usr/local/bin: a bare "local-probe" is found only through the PATH from /env.
	cp "$O/tests/init/bin/probe" "$work/rootfs/usr/local/bin/local-probe"
}

# The system ramdisk as nitro-cli lays it out (docs/boot-contract.md#the-system-ramdisk); nsm.ko
# only once it is built.
boot_system_list() {
	echo "dir /dev 0755 0 0"
	echo "file /init $O/init 0755 0 0"
	[ ! -e "$O/nsm.ko" ] || echo "file /nsm.ko $O/nsm.ko 0755 0 0"
	# A test that wrote $work/lockdown asks for kernel hardening, as make HARDEN=1 does.
	[ ! -e "$work/lockdown" ] || echo "file /lockdown $work/lockdown 0644 0 0"
}

# The user ramdisk (docs/boot-contract.md#the-user-ramdisk): rootfs/ and, when the test wrote them,
# cmd and env.
boot_user_list() {
	[ ! -e "$work/cmd" ] || echo "file /cmd $work/cmd 0644 0 0"
	[ ! -e "$work/env" ] || echo "file /env $work/env 0644 0 0"
}

boot_build_eif() {
	boot_system_list >"$work/system.list"
	boot_user_list >"$work/user.list"
	"$EIF" cpio --list "$work/system.list" -o "$work/system.cpio" >"$work/eif.log" 2>&1 &&
	# A test that removed rootfs/ gets a user ramdisk without it (a truncated unpack).
	if [ -d "$work/rootfs" ]; then set -- --dir "rootfs=$work/rootfs"; else set --; fi
	"$EIF" cpio "$@" --list "$work/user.list" -o "$work/user.cpio" >>"$work/eif.log" 2>&1 &&
	"$EIF" build --kernel "$O/bzImage" --cmdline "$(cat "$INIT_CMDLINE_FILE")" \
		--ramdisk "$work/system.cpio" --ramdisk "$work/user.cpio" --arch "$ARCH" \
		--output "$work/test.eif" >"$work/pcr.json" 2>>"$work/eif.log"
}

# boot_run MARKER: sets boot_rc (QEMU's exit status, 124 on timeout), console (the log file)
# and marker_ms (milliseconds from QEMU start to the first console line holding MARKER, or -1).
boot_run() {
	marker=$1
	console=$work/console.log
	if ! boot_build_eif; then
		diag "building the EIF failed:"
		sed 's/^/#   /' "$work/eif.log"
		bail "cannot build $work/test.eif"
	fi
	start_ns=$(date +%s%N)
	qemu_boot_eif "$work/test.eif" "$console" "$INIT_BOOT_TIMEOUT" &
	qemu_pid=$!
	marker_ms=-1
	while kill -0 "$qemu_pid" 2>/dev/null; do
		if [ "$marker_ms" -lt 0 ] && grep -qF -- "$marker" "$console" 2>/dev/null; then
			marker_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
		fi
		sleep 0.05
	done
	wait "$qemu_pid"
	boot_rc=$?
	if [ "$marker_ms" -lt 0 ] && grep -qF -- "$marker" "$console" 2>/dev/null; then
		marker_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
	fi
	total_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
	diag "boot: '$marker' after ${marker_ms} ms, QEMU ended after ${total_ms} ms (status $boot_rc)"
}

boot_command() {
	boot_prepare "$1"
	_marker=$2
	shift 2
	printf '%s\n' "$@" >"$work/cmd"
	printf '%s\n' PATH=/bin >"$work/env"
	boot_run "$_marker"
}

console_has() {
	if grep -qF -- "$1" "$console"; then
		ok 0 "$2"
	else
		ok 1 "$2"
		diag "expected on the console: $1"
		diag "actual console (init and program lines):"
		grep -aE '^(init|probe|daemon|stubborn|leave-orphans): ' "$console" | sed 's/^/#   /'
	fi
}

console_lacks() {
	if grep -qF -- "$1" "$console"; then
		ok 1 "$2"
		diag "not expected on the console: $(grep -F -- "$1" "$console" | head -3)"
	else
		ok 0 "$2"
	fi
}

# The exit path: QEMU must end by itself (reboot seen through -no-reboot), after one boot.
boot_ended_by_itself() {
	is "$boot_rc" 0 "QEMU ended by itself, before the ${INIT_BOOT_TIMEOUT} s timeout"
	is "$(grep -c 'Linux version' "$console")" 1 "the kernel booted once (no reboot loop)"
	console_has "init: stopping the enclave (reboot)" "init said it is stopping the enclave"
}
