# Every QEMU boot of the tests goes through here: an EIF under the nitro-enclave machine
# (docs/qemu-test-bed.md#the-command-line), or a bare kernel under Debian's microvm machine.
# The arm64 parts boot under virt (docs/qemu-test-bed.md#arm64-under-virt).
#   . "$TOP/tests/lib/qemu.sh"        (needs $O, or $TOP for $TOP/out; tests/run exports both)
# Each boot first takes one of $QEMU_SLOTS (default 2) slots, lock files under $O/tests/qemu-slots
# held with flock(1) for as long as QEMU runs, so that however many tests run in parallel, at
# most two QEMUs (each one a busy core under TCG) run at once; the wait does not count towards
# the boot's timeout.
#
# qemu_boot_eif EIF CONSOLE TIMEOUT
#     Boot EIF with a fresh vhost-user-vsock back-end on a socket in a private temporary
#     directory. QEMU's serial console and its own messages go to the file CONSOLE ("-": this
#     terminal); the run is bounded by TIMEOUT seconds (0: unbounded). Returns QEMU's exit
#     status: 0 when the guest rebooted or powered off (-no-reboot), 124 on timeout, 125 when
#     the test bed itself could not start (the reason is on stderr). Every process and file it
#     started is gone when it returns, also when the caller kills it (TERM, INT, HUP).
# qemu_boot_until EIF CONSOLE TIMEOUT TEXT
#     The same, but stop the run as soon as the fixed string TEXT appears in CONSOLE.
#     Returns 0 if TEXT appeared, else 1. $qemu_status holds the run's status: 143 when it
#     was stopped early (QEMU got TERM), QEMU's own status when it ended first.
# qemu_backend_start SOCKET LOG [BACKEND-FLAGS...]
#     Start $O/bin/vhost-user-vsock on the Unix socket SOCKET (its log appended to LOG) and
#     wait until it listens; sets $qemu_backend_pid. 0, or 1 with the reason on stderr.
#     $QEMU_BACKEND, if set, names another build of the back-end (e.g. the sanitized one).
# qemu_backend_wait SECONDS
#     Wait for that back-end to end by itself and return its exit status; after SECONDS, stop
#     it and return 124.
# qemu_backend_test_setup NAME
#     For tests of the back-end alone (with tap.sh): sets $probe (the vhost-user probe), a
#     private $tmp removed at exit (after stopping the last back-end) and a guest $cid; bails
#     out when a binary is missing.
# qemu_boot_virt KERNEL INITRD CMDLINE CONSOLE TIMEOUT
#     Boot KERNEL with INITRD and the kernel command line CMDLINE under qemu-system-aarch64
#     -M virt, the arm64 test machine (docs/qemu-test-bed.md#arm64-under-virt): the NSM and the
#     vhost-user vsock device sit on its virtio-mmio bus; it has no EIF loader and measures
#     nothing, so the NSM's PCRs start zero and unlocked. Back-end, knobs (but QEMU_ACPI and
#     QEMU_ENCLAVE_ID) and statuses as for qemu_boot_eif. CONSOLE gets QEMU's own messages only:
#     the AWS arm64 kernel drives no console on virt, so a guest speaks through a vsock sink.
#     The binary: $O/qemu/qemu-system-aarch64 (make $O/qemu/qemu-system-aarch64).
# qemu_boot_kernel KERNEL INITRD ACPI CONSOLE CMDLINE [QEMU-ARGS...]
#     Boot KERNEL and INITRD under Debian's qemu-system-x86_64 -M microvm (ACPI on|off), with
#     the kernel command line CMDLINE and the extra QEMU-ARGS (devices); the serial console
#     goes to the file CONSOLE, QEMU's own messages to CONSOLE.qemu. Bounded by
#     $KERNEL_BOOT_TIMEOUT seconds (default 120); returns QEMU's status, 124 on timeout.
#     $KERNEL_QEMU names another QEMU binary.
# qemu_slot_take
#     Wait for a free boot slot and hold it on file descriptor 9 of the calling (sub)shell
#     until that shell and the processes it started have ended. The boot functions call it.
# qemu_wait_for CONSOLE TEXT SECONDS [PID]
#     Wait until the fixed string TEXT appears in the file CONSOLE: 0 when it did, 1 after
#     SECONDS (0: no limit), 2 as soon as process PID (if given) has ended without it.
#
# Knobs (environment variables read by qemu_boot_eif):
#   QEMU_ACPI=on|off       the machine's acpi option (default off, the machine's own default;
#                          with on the devices come from the DSDT, as on a real x86 enclave)
#   QEMU_APPEND            text QEMU appends to the EIF's kernel command line (the PCRs stay
#                          those of the EIF); default: nothing
#   QEMU_HEARTBEAT=on|off  the back-end listens as the parent (CID 3, port 9000) and echoes the
#                          0xB7 heartbeat (on), or resets every connection like a parent with no
#                          listener (off, the default)
#   QEMU_VSOCK_SINKS       "PORT=FILE ...": the parent also listens on CID 3 PORT and appends
#                          all the guest sends there to FILE (e.g. an exit status, a result)
#   QEMU_GUEST_CID         the enclave's CID (default 16)
#   QEMU_MEMORY, QEMU_SMP  guest RAM and CPUs (default 512M, 2)
#   QEMU_ENCLAVE_ID        the machine's id option (an enclave id as nitro-cli names them)
#   QEMU_BACKEND_LOG       the back-end's log, appended to (default CONSOLE.vsock.log, new for
#                          each run; stderr for "-")
#   QEMU_EXTRA_ARGS        more QEMU arguments, split on blanks
#   QEMU_BACKEND_ARGS      more back-end arguments, split on blanks (--stream PORT, --fault ...)
# The binaries: $O/qemu/qemu-system-x86_64 and $O/bin/vhost-user-vsock (make check builds both);
# qemu_boot_virt takes $O/qemu/qemu-system-aarch64 instead (make check-full builds it).

qemu_fail() { echo "qemu.sh: $*" >&2; }

qemu_wait_for() {
	_qw_file=$1 _qw_text=$2 _qw_pid=${4-}
	_qw_end=$(( $(date +%s%N) + $3 * 1000000000 ))
	while :; do
		grep -qF -- "$_qw_text" "$_qw_file" 2>/dev/null && return 0
		[ "$3" -eq 0 ] || [ "$(date +%s%N)" -lt "$_qw_end" ] || return 1
		if [ -n "$_qw_pid" ] && ! kill -0 "$_qw_pid" 2>/dev/null; then
			grep -qF -- "$_qw_text" "$_qw_file" 2>/dev/null && return 0
			return 2
		fi
		sleep 0.05
	done
}

qemu_backend_start() {
	_qs_sock=$1 _qs_log=$2
	shift 2
	_qs_bin=${QEMU_BACKEND:-${O:-${TOP:-.}/out}/bin/vhost-user-vsock}
	[ -x "$_qs_bin" ] || { qemu_fail "$_qs_bin is missing; build it with: make $_qs_bin"; return 1; }
	"$_qs_bin" --socket "$_qs_sock" "$@" 2>>"$_qs_log" </dev/null &
	qemu_backend_pid=$!
	_qs_n=0
	while [ ! -S "$_qs_sock" ]; do
		if ! kill -0 "$qemu_backend_pid" 2>/dev/null || [ "$_qs_n" -ge 100 ]; then
			qemu_fail "vhost-user-vsock did not listen on $_qs_sock within 5 s; its log ($_qs_log):"
			sed 's/^/    /' "$_qs_log" >&2
			return 1
		fi
		_qs_n=$((_qs_n + 1))
		sleep 0.05
	done
}

qemu_slot_take() {
	_qt_dir=${O:-${TOP:-.}/out}/tests/qemu-slots
	mkdir -p "$_qt_dir" || { qemu_fail "cannot create the slot directory $_qt_dir"; return 1; }
	_qt_start=$(date +%s)
	while :; do
		_qt_n=0
		while [ "$_qt_n" -lt "${QEMU_SLOTS:-2}" ]; do
			_qt_lock=$_qt_dir/slot.$_qt_n
			# A failed redirection on exec would end the shell: check the file first.
			: >>"$_qt_lock" 2>/dev/null || { qemu_fail "cannot write the lock file $_qt_lock"; return 1; }
			exec 9>>"$_qt_lock"
			if flock -n 9; then
				_qt_waited=$(( $(date +%s) - _qt_start ))
				[ "$_qt_waited" -eq 0 ] ||
					echo "qemu.sh: waited $_qt_waited s for a free QEMU slot (slot $_qt_n)" >&2
				return 0
			fi
			exec 9>&-
			_qt_n=$((_qt_n + 1))
		done
		sleep 0.2
	done
}

# The body of a run; it sets traps and exits, so it always runs in a subshell of its own:
# ( ... ) in qemu_boot_eif, & in qemu_boot_until (a nested subshell would take the TERM
# meant for it and die without cleaning up).
# qemu_run EIF CONSOLE LIMIT boots EIF under nitro-enclave; with $qemu_virt_kernel set (by
# qemu_boot_virt: EIF is then empty) it boots those parts under virt instead.
qemu_run() {
	eif=$1 console=$2 limit=$3
	out=${O:-${TOP:-.}/out}
	qemu=$out/qemu/qemu-system-x86_64 backend=${QEMU_BACKEND:-$out/bin/vhost-user-vsock}
	[ -z "${qemu_virt_kernel-}" ] || qemu=$out/qemu/qemu-system-aarch64
	for need in "$qemu" "$backend"; do
		[ -x "$need" ] || { qemu_fail "$need is missing; build it with: make $need"; exit 125; }
	done
	for need in ${qemu_virt_kernel:+"$qemu_virt_kernel" "$qemu_virt_initrd"}; do
		[ -r "$need" ] || { qemu_fail "'$need' is not readable; build it first"; exit 125; }
	done
	[ -n "${qemu_virt_kernel-}" ] || [ -r "$eif" ] ||
		{ qemu_fail "EIF '$eif' is not readable; build it first (make)"; exit 125; }
	case $limit in
	'' | *[!0-9]*) qemu_fail "timeout '$limit' is not a number of seconds"; exit 125 ;;
	esac
	case ${QEMU_ACPI:-off} in
	on | off) ;;
	*) qemu_fail "QEMU_ACPI='$QEMU_ACPI': use on or off"; exit 125 ;;
	esac
	backend_flags=
	case ${QEMU_HEARTBEAT:-off} in
	on) ;;
	off) backend_flags=--no-heartbeat ;;
	*) qemu_fail "QEMU_HEARTBEAT='$QEMU_HEARTBEAT': use on or off"; exit 125 ;;
	esac
	for sink in ${QEMU_VSOCK_SINKS-}; do
		case $sink in
		[0-9]*=?*) backend_flags="$backend_flags --sink $sink" ;;
		*) qemu_fail "QEMU_VSOCK_SINKS entry '$sink': expected PORT=FILE"; exit 125 ;;
		esac
	done
	if [ "$console" = - ]; then
		backend_log=${QEMU_BACKEND_LOG:-/dev/stderr}
	else
		backend_log=${QEMU_BACKEND_LOG:-$console.vsock.log}
		: >"$console" || { qemu_fail "cannot write the console log '$console'"; exit 125; }
		# The default log belongs to this run, like the console; a chosen one is appended to.
		[ -n "${QEMU_BACKEND_LOG-}" ] || : >"$backend_log"
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/enclave-qemu.XXXXXX") ||
		{ qemu_fail "cannot create a temporary directory in ${TMPDIR:-/tmp}"; exit 125; }
	backend_pid= qemu_pid=
	cleanup() {
		# A second signal must not cut the cleanup short.
		trap '' TERM INT HUP
		for pid in $qemu_pid $backend_pid; do
			kill -TERM "$pid" 2>/dev/null
		done
		for pid in $qemu_pid $backend_pid; do
			wait "$pid" 2>/dev/null
		done
		rm -rf "$tmp"
	}
	trap 'cleanup' EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP

	append=${QEMU_APPEND-}

	qemu_slot_take || exit 125
	sock=$tmp/vsock.sock
	# shellcheck disable=SC2086
	qemu_backend_start "$sock" "$backend_log" --guest-cid "${QEMU_GUEST_CID:-16}" $backend_flags \
		${QEMU_BACKEND_ARGS-}
	started=$?
	backend_pid=$qemu_backend_pid
	[ "$started" -eq 0 ] || exit 125

	# -icount: guest time follows executed instructions, so the TSC and the PIT run off one
	# clock as on hardware. Without it, a busy host makes the kernel's fast TSC calibration
	# fail, and with ACPI on (hardware-reduced: no PIT tick) calibrate_delay() then waits
	# forever for a jiffy. It tells the guest nothing it would not measure itself.
	if [ -n "${qemu_virt_kernel-}" ]; then
		# The vhost-user back-end maps guest RAM: it must be a shared memfd, as the
		# nitro-enclave machine makes it itself. The back-end tells the device the CID.
		# shellcheck disable=SC2086
		set -- -M virt,memory-backend=ram -accel tcg -cpu max -smp "${QEMU_SMP:-2}" \
			-m "${QEMU_MEMORY:-512M}" \
			-object "memory-backend-memfd,id=ram,size=${QEMU_MEMORY:-512M},share=on" \
			-nodefaults -no-user-config -nographic -no-reboot -monitor none \
			-chardev "socket,id=c0,path=$sock" -device vhost-user-vsock-device,chardev=c0 \
			-device virtio-nsm-device -kernel "$qemu_virt_kernel" -initrd "$qemu_virt_initrd" \
			-append "$qemu_virt_cmdline${append:+ $append}" ${QEMU_EXTRA_ARGS-}
	else
		# shellcheck disable=SC2086
		set -- -M "nitro-enclave,vsock=c0,id=${QEMU_ENCLAVE_ID:-i-0123456789abcdef0-enc0123456789abcdef},acpi=${QEMU_ACPI:-off}" \
			-accel tcg -icount shift=auto -cpu max -smp "${QEMU_SMP:-2}" -m "${QEMU_MEMORY:-512M}" \
			-nographic -no-reboot -chardev "socket,id=c0,path=$sock" -kernel "$eif" \
			${QEMU_EXTRA_ARGS-}
		[ -z "$append" ] || set -- "$@" -append "$append"
	fi
	if [ "$console" = - ]; then
		if [ "$limit" -gt 0 ]; then
			timeout --foreground -k 5 "$limit" "$qemu" "$@"
		else
			"$qemu" "$@"
		fi
		exit $?
	fi
	if [ "$limit" -gt 0 ]; then
		timeout -k 5 "$limit" "$qemu" "$@" >>"$console" 2>&1 </dev/null &
	else
		"$qemu" "$@" >>"$console" 2>&1 </dev/null &
	fi
	qemu_pid=$!
	wait "$qemu_pid"
	status=$?
	qemu_pid=
	exit "$status"
}

qemu_backend_wait() {
	_qw_n=0
	while kill -0 "$qemu_backend_pid" 2>/dev/null; do
		if [ "$_qw_n" -ge $(( $1 * 20 )) ]; then
			kill -TERM "$qemu_backend_pid" 2>/dev/null
			wait "$qemu_backend_pid" 2>/dev/null
			return 124
		fi
		_qw_n=$((_qw_n + 1))
		sleep 0.05
	done
	wait "$qemu_backend_pid"
}

qemu_backend_test_setup() {
	probe=$O/tests/vsock/vhost-user-probe
	for _qt_bin in "$probe" "${QEMU_BACKEND:-$O/bin/vhost-user-vsock}"; do
		[ -x "$_qt_bin" ] || bail "$_qt_bin missing; build it with: make check"
	done
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || bail "cannot create a directory in ${TMPDIR:-/tmp}"
	trap 'kill "$qemu_backend_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
	# A CID other than the usual 16, so that a hard-wired one would show.
	cid=$(( $(date +%s) % 60000 + 100 ))
}

qemu_boot_eif() {
	(qemu_run "$@")
}

qemu_boot_virt() {
	(qemu_virt_kernel=$1 qemu_virt_initrd=$2 qemu_virt_cmdline=$3 && shift 3 && qemu_run '' "$@")
}

qemu_boot_until() {
	qemu_run "$1" "$2" "$3" &
	_qb_pid=$!
	# No time limit of its own: the run is bounded by its timeout, and waiting for a slot
	# must not count.
	qemu_wait_for "$2" "$4" 0 "$_qb_pid"
	_qb_found=$?
	[ "$_qb_found" -ne 0 ] || kill -TERM "$_qb_pid" 2>/dev/null
	wait "$_qb_pid"
	qemu_status=$?
	[ "$_qb_found" -eq 0 ]
}

qemu_boot_kernel() {
	(
		_qk_kernel=$1 _qk_initrd=$2 _qk_acpi=$3 _qk_console=$4 _qk_cmdline=$5
		shift 5
		rm -f "$_qk_console" && : >"$_qk_console.qemu" || exit 125
		qemu_slot_take 2>>"$_qk_console.qemu" || exit 125
		# -icount ties the guest's TSC to a steady virtual clock. Without it, a TCG guest with
		# ACPI on stalls at "Calibrating APIC timer": there is no kvmclock, and microvm's
		# hardware-reduced ACPI gives the kernel no PIT to calibrate against.
		exec timeout -k 5 "${KERNEL_BOOT_TIMEOUT:-120}" "${KERNEL_QEMU:-qemu-system-x86_64}" \
			-M microvm,acpi="$_qk_acpi",auto-kernel-cmdline=off,rtc=on \
			-L /usr/share/qemu -L /usr/share/seabios \
			-accel tcg -icount shift=auto -cpu max -smp 2 -m 256M \
			-nodefaults -no-user-config -nographic -no-reboot \
			-serial file:"$_qk_console" -monitor none \
			"$@" -kernel "$_qk_kernel" -initrd "$_qk_initrd" -append "$_qk_cmdline" \
			</dev/null >>"$_qk_console.qemu" 2>&1
	)
}
