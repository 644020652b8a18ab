#!/bin/sh
# The checks of tests/qemu-vsock-stream.t can fail: three boots with smaller transfers, in each
# of which the back-end spoils exactly one data packet of every phase's connections (--fault:
# drop it, deliver it twice, or deliver it after the next one; towards the host for some
# phases, towards the guest for others, swapped between boots), and every phase's check must
# then fail. (The 1 MiB write is checked towards the host only: the host sends nothing back.)
: "${VSOCK_BOOT_TIMEOUT:=180}"
. "$TOP/tests/vsock/boot.sh"
phases="bulk:1,4K,31K,33K,64K,1M:4M bulk:1:16K pushback:1M short:20:5000 linear:1M"
names="bulk-1,4K,31K,33K,64K,1M bulk-1 pushback short linear"

# faults KIND DIRECTION...: one --fault per phase, the Nth data packet of its port; N picks a
# packet in the middle of a connection that has a later one to swap with.
faults() {
	kind=$1 port=$VSOCK_BASE_PORT args=
	shift
	for n in 20 2 3 3 3; do
		args="$args --fault $kind:$1:$n@$port"
		port=$((port + 1))
		shift
	done
	echo "$args"
}

# spoil KIND DIRECTION...: boot with those faults; each phase's check must fail.
spoil() {
	kind=$1
	VSOCK_BACKEND_ARGS=$(faults "$@")
	vsock_boot "fault-$kind" $phases
	is "$boot_rc" 0 "$kind: QEMU ended by itself within $VSOCK_BOOT_TIMEOUT s (took $boot_secs s)"
	port=$VSOCK_BASE_PORT
	shift
	for name in $names; do
		injected=$(grep -c "vsock: fault: $kind .* of port $port " "$hostlog")
		is "$injected" 1 "$kind: the back-end spoiled one packet $1 of port $port ($name)"
		if vsock_phase_check "$name"; then
			ok 1 "$kind $1: the $name check fails"
		else
			ok 0 "$kind $1: the $name check fails"
			diag "  $(printf '%s' "$phase_why" | cut -c1-300)"
		fi
		port=$((port + 1))
		shift
	done
}

spoil drop to-host to-guest to-host to-guest to-host
spoil duplicate to-guest to-host to-guest to-host to-host
spoil reorder to-host to-guest to-host to-guest to-host
done_testing
