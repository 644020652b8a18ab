# Shared steps of the vsock data tests (tests/qemu-vsock-stream.t, tests/qemu-vsock-faults.t):
# boot an EIF whose app is tests/vsock/guest/vsock-test.c against our back-end with stream
# listeners, then compare what each end says it sent and received.
#   . "$TOP/tests/vsock/boot.sh"
#   vsock_boot NAME PHASE...      boot once, running the guest's PHASEs (see vsock-test.c), the
#                                 Kth on port $VSOCK_BASE_PORT + K, "linear" also on the strict
#                                 port $VSOCK_STRICT_PORT; $VSOCK_BACKEND_ARGS adds back-end
#                                 arguments (--fault ...). Sets $console and $hostlog (text
#                                 files), $boot_rc (QEMU's status) and $boot_secs.
#   vsock_phase_check PHASE       0 when every connection of PHASE (its guest "result" lines)
#                                 matches the back-end's report of it: same byte counts, same
#                                 sha256 both ways, the pattern intact on both ends, and every
#                                 guest check of PHASE passed; else 1, with the reasons in
#                                 $phase_why. PHASE is the guest's name for it (bulk-1, short).
#   vsock_host_line GUEST-PORT    the back-end's report of that connection
#   vsock_has_linear_patch        0 when kernel/patches keeps vsock transmit skbs linear
# Knob: VSOCK_BOOT_TIMEOUT (seconds, default 400) bounds one boot.
. "$TOP/tests/lib/tap.sh"
: "${VSOCK_BOOT_TIMEOUT:=400}"
: "${VSOCK_BASE_PORT:=7100}"
: "${VSOCK_STRICT_PORT:=7120}"
# acpi=on does not boot this kernel under TCG yet (docs/qemu-test-bed.md#the-command-line).
QEMU_ACPI=off
export QEMU_ACPI
ARCH=${ARCH:-x86_64}

vsock_require() {
	need_files "$EIF" "$O/bzImage" "$O/ramdisk/system.cpio" "$O/tests/vsock/bin/vsock-test" \
		"$O/bin/vhost-user-vsock" "$TOP/configs/cmdline/$ARCH" "$TOP/scripts/user-ramdisk"
	. "$TOP/tests/lib/qemu.sh"
}

vsock_boot() {
	vsock_require
	work=$O/tests/vsock/boot/$1
	shift
	rm -rf "$work" && mkdir -p "$work/rootfs/bin" || bail "cannot create $work"
	cp "$O/tests/vsock/bin/vsock-test" "$work/rootfs/bin/vsock-test" || bail "cannot fill $work/rootfs"
	streams= port=$VSOCK_BASE_PORT
	for phase in "$@"; do
		streams="$streams --stream $port"
		port=$((port + 1))
	done
	"$TOP/scripts/user-ramdisk" "$EIF" "$work/rootfs" \
		"/bin/vsock-test $VSOCK_BASE_PORT $VSOCK_STRICT_PORT $*" '' "$work/user.cpio" >"$work/eif.log" 2>&1 &&
	"$EIF" build --kernel "$O/bzImage" --cmdline "$(cat "$TOP/configs/cmdline/$ARCH")" \
		--ramdisk "$O/ramdisk/system.cpio" --ramdisk "$work/user.cpio" --arch "$ARCH" \
		--output "$work/test.eif" >"$work/build.json" 2>>"$work/eif.log" ||
		{ sed 's/^/# /' "$work/eif.log"; bail "cannot build $work/test.eif"; }
	start=$(date +%s%N)
	QEMU_BACKEND_ARGS="$streams --stream-strict $VSOCK_STRICT_PORT ${VSOCK_BACKEND_ARGS-}" \
		qemu_boot_eif "$work/test.eif" "$work/console.raw" "$VSOCK_BOOT_TIMEOUT"
	boot_rc=$?
	boot_secs=$(( ($(date +%s%N) - start) / 1000000000 ))
	tr -d '\r' <"$work/console.raw" >"$work/console.txt"
	console=$work/console.txt
	hostlog=$work/console.raw.vsock.log
}

vsock_host_line() {
	grep -F " guest port $1 " "$hostlog" | grep -F ': received ' | head -1
}

# One awk pass over both logs (a shell loop over 200 connections forks too much).
vsock_phase_check() {
	phase_why=$(awk -v phase="$1" '
	# word after W in the current line
	function after(w,   i) { for (i = 1; i < NF; i++) if ($i == w) return $(i + 1); return "" }
	FNR == 1 { file++ }
	file == 1 && / stream port [0-9]+ guest port [0-9]+ .*: received / {
		l = $0; sub(/.* guest port /, "", l); split(l, f, " "); port = f[1]
		recv[port] = after("received"); recv_hash[port] = after("sha256")
		sent[port] = after("sent")
		line = $0; sub(/; [0-9]+ data packets.*/, "", line); sub(/.* bytes sha256 /, "", line)
		sent_hash[port] = line
		bad[port] = ($0 ~ /\(pattern ok\)/) ? "" : $0
		next
	}
	file == 2 && $2 == "result" && $3 == phase {
		n++
		p = $5
		if ($0 !~ / pattern ok in /) { l = $0; sub(/.* received [0-9]+ sha256 [0-9a-f]+ /, "", l); why = why "; guest port " p ": the guest saw " l }
		if (!(p in recv)) { why = why "; guest port " p ": the back-end did not report it"; next }
		if (bad[p] != "") { l = bad[p]; sub(/.*\(/, "", l); sub(/\).*/, "", l); why = why "; guest port " p ": the back-end saw " l }
		if ($7 != recv[p] || $9 != recv_hash[p])
			why = why "; guest port " p ": guest sent " $7 " bytes sha256 " $9 ", host received " recv[p] " sha256 " recv_hash[p]
		if ($11 != sent[p] || $13 != sent_hash[p])
			why = why "; guest port " p ": host sent " sent[p] " bytes sha256 " sent_hash[p] ", guest received " $11 " sha256 " $13
	}
	file == 2 && index($0, "vsock-test: not ok - " phase ": ") == 1 { l = $0; sub(/^vsock-test: not ok - /, "", l); why = why "; guest: " l }
	END {
		if (!n) why = why "; the guest reported no connection of phase " phase
		print substr(why, 3)
	}' "$hostlog" "$console")
	[ -z "$phase_why" ]
}

vsock_has_linear_patch() {
	grep -qs '^+.*virtio_vsock_alloc_linear_skb' "$TOP"/kernel/patches/*.patch
}
