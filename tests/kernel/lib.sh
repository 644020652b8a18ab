# Shared steps of the kernel tests (tests/kernel-*.t): a tiny initramfs around a static musl
# /init (tests/kernel/boot-init.c), booted under Debian's `qemu-system-x86_64 -M microvm` with
# software emulation (qemu_boot_kernel of tests/lib/qemu.sh, which bounds the QEMUs running at once).
#   . "$TOP/tests/kernel/lib.sh"
#   kernel_require FILE...          fail (never skip) with the make line if a FILE is missing
#   kernel_initramfs DIR            DIR/initramfs.cpio with DIR/init; sets $cpio_tool
#   kernel_boot KERNEL INITRD ACPI CONSOLE [APPEND]
#                                   boot once (ACPI on|off) with the AWS cmdline plus APPEND,
#                                   console text into CONSOLE; returns QEMU's status (124: timeout)
#   kernel_mmio_cmdline             the virtio_mmio.device= arguments for our devices
# Knob: KERNEL_BOOT_TIMEOUT (seconds, default 120) bounds one boot; a TCG boot takes ~3-10 s.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
: "${KERNEL_BOOT_TIMEOUT:=120}"
ARCH=${ARCH:-x86_64}
KERNEL_QEMU=${KERNEL_QEMU:-qemu-system-x86_64}

# The virtio-mmio devices every boot gets; microvm puts the first device in the highest slot.
kernel_qemu_devices='-device virtio-rng-device -device virtio-balloon-device'

kernel_require() {
	missing=
	for need in "$@"; do
		[ -e "$need" ] || missing="$missing $need"
	done
	command -v "$KERNEL_QEMU" >/dev/null || missing="$missing $KERNEL_QEMU(package qemu-system-x86)"
	command -v musl-gcc >/dev/null || missing="$missing musl-gcc(package musl-tools)"
	if [ -n "$missing" ]; then
		plan 1
		ok 1 "kernel test prerequisites exist (missing:$missing; run make check, or scripts/ensure-packages check)"
		exit 1
	fi
}

kernel_initramfs() {
	dir=$1
	mkdir -p "$dir" || bail "cannot create $dir"
	musl-gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -static -s \
		-o "$dir/init" "$TOP/tests/kernel/boot-init.c" || bail "cannot build tests/kernel/boot-init.c with musl-gcc"
	cat >"$dir/initramfs.list" <<-EOF
	dir /dev 0755 0 0
	nod /dev/console 0600 0 0 c 5 1
	dir /proc 0755 0 0
	dir /sys 0755 0 0
	file /init $dir/init 0755 0 0
	EOF
	# Prefer our own cpio writer; before it exists, the kernel tree's gen_init_cpio reads the
	# same list format.
	if [ -x "$EIF" ]; then
		cpio_tool="$EIF cpio"
		"$EIF" cpio --mtime 0 --list "$dir/initramfs.list" -o "$dir/initramfs.cpio" ||
			bail "$EIF cpio could not write $dir/initramfs.cpio"
	elif [ -x "$O/kernel/build/usr/gen_init_cpio" ]; then
		cpio_tool="$O/kernel/build/usr/gen_init_cpio"
		"$cpio_tool" -t 0 "$dir/initramfs.list" >"$dir/initramfs.cpio.tmp" &&
			mv "$dir/initramfs.cpio.tmp" "$dir/initramfs.cpio" ||
			bail "gen_init_cpio could not write $dir/initramfs.cpio"
	else
		bail "no cpio writer: neither $EIF nor $O/kernel/build/usr/gen_init_cpio exists (make kernel)"
	fi
}

# The virtio_mmio.device= arguments for our devices, as microvm places them: 512-byte windows
# from 0xfeb00000, interrupts from 5 up in slot order, and devices filled from the top slot down.
kernel_mmio_cmdline() {
	printf 'virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11'
}

kernel_boot() {
	cmdline=$(cat "$TOP/configs/cmdline/$ARCH")
	[ -z "${5-}" ] || cmdline="$cmdline $5"
	# shellcheck disable=SC2086
	qemu_boot_kernel "$1" "$2" "$3" "$4" "$cmdline" $kernel_qemu_devices
}

# console_line CONSOLE PREFIX: the rest of the first console line starting with "kernel-test: PREFIX"
console_line() {
	tr -d '\r' <"$1" | sed -n "s/^kernel-test: $2//p" | head -n 1
}
