#!/bin/sh
# The HARDEN=1 enclave, booted under the nitro-enclave QEMU with the system ramdisk `make HARDEN=1`
# built (init, nsm.ko, /lockdown), shows from inside its application: the lockdown level of
# /lockdown selected in /sys/kernel/security/lockdown, kernel.modules_disabled = 1, init_module
# of a valid module (nsm.ko again) refused with EPERM, no /dev/mem, and a working /dev/nsm whose
# PCRs equal those eif build computed. A second boot asks for the other lockdown level.
# Costly (a whole hardened kernel build): not part of make check; make check-full runs it through
# tests/kernel-hardened-boot.t, `make kernel-check-hardened` by hand. Knob: HARDEN_O (default $O/hardened).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
. "$TOP/tests/lib/json.sh"
hardened=${HARDEN_O:-$O/hardened}
hello=$O/examples/hello/rootfs/bin/hello
missing=
for need in "$hardened/bzImage" "$hardened/init" "$hardened/nsm.ko" "$hardened/ramdisk/system.cpio" \
	"$hardened/ramdisk/lockdown" "$hello" "$EIF" "$O/qemu/qemu-system-x86_64" "$O/bin/vhost-user-vsock"; do
	[ -e "$need" ] || missing="$missing $need"
done
command -v musl-gcc >/dev/null || missing="$missing musl-gcc"
if [ -n "$missing" ]; then
	plan 1
	ok 1 "hardened boot prerequisites exist (missing:$missing; run make kernel-check-hardened)"
	exit 1
fi
work=$O/tests/kernel/hardened
rm -rf "$work" && mkdir -p "$work/rootfs/bin" || bail "cannot create $work"
for d in dev run sys var proc tmp; do mkdir -p "$work/rootfs/$d"; done
musl-gcc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -static -s -o "$work/rootfs/bin/probe" \
	"$TOP/tests/kernel/hardened-probe.c" || bail "cannot build tests/kernel/hardened-probe.c"
cp "$hello" "$work/rootfs/bin/hello" && cp "$hardened/nsm.ko" "$work/rootfs/nsm.ko" || bail "cannot fill $work/rootfs"
printf '/bin/probe\n' >"$work/cmd" && printf 'PATH=/bin\n' >"$work/env"
printf 'file /cmd %s 0644 0 0\nfile /env %s 0644 0 0\n' "$work/cmd" "$work/env" >"$work/user.list"
"$EIF" cpio --dir "rootfs=$work/rootfs" --list "$work/user.list" -o "$work/user.cpio" || bail "eif cpio (user ramdisk) failed"

# boot NAME SYSTEM-CPIO: build the EIF around the hardened kernel and boot it; sets $console.
boot() {
	"$EIF" build --kernel "$hardened/bzImage" --cmdline "$(cat "$TOP/configs/cmdline/x86_64")" \
		--ramdisk "$2" --ramdisk "$work/user.cpio" --arch x86_64 \
		--output "$work/$1.eif" >"$work/$1.pcr.json" 2>"$work/$1.eif.log" || bail "eif build ($1) failed"
	console=$work/$1.console
	start=$(date +%s)
	qemu_boot_eif "$work/$1.eif" "$console" 180
	status=$?
	diag "$1: QEMU ended with status $status after $(( $(date +%s) - start )) s"
	is "$status" 0 "$1: the enclave ended by itself (124 would be the timeout)"
}
probe_line() { tr -d '\r' <"$console" | sed -n "s|^hardened-probe: $1 ||p" | head -n 1; }
has() {
	if grep -qF -- "$1" "$console"; then ok 0 "$2"; else
		ok 1 "$2"; diag "expected on the console: $1"
		grep -aE '^(init|hardened-probe|hello): ' "$console" | sed 's/^/#   /'
	fi
}
# check LEVEL: what a boot that asked for lockdown LEVEL must show.
check() {
	has "init: /lockdown: kernel hardening requested: modules off and lockdown $1 after nsm.ko" \
		"init read the request for lockdown $1 from the system ramdisk"
	has "init: loaded /nsm.ko; /dev/nsm is present" "init loaded nsm.ko before hardening"
	has "init: kernel.modules_disabled=1: no module can be loaded from now on" "init logged modules_disabled"
	has "init: lockdown raised to $1" "init logged the lockdown step"
	case $1 in
	integrity) want="none [integrity] confidentiality" ;;
	confidentiality) want="none integrity [confidentiality]" ;;
	esac
	is "$(probe_line lockdown)" "$want" "the application sees lockdown [$1] in /sys/kernel/security/lockdown"
	is "$(probe_line modules_disabled)" 1 "the application sees kernel.modules_disabled = 1"
	is "$(probe_line 'init_module /nsm.ko' | cut -d' ' -f1)" EPERM "init_module of nsm.ko (a valid module) fails with EPERM"
	is "$(probe_line /dev/mem)" absent "/dev/mem is absent"
	is "$(probe_line /dev/nsm)" present "/dev/nsm is present"
	for n in 0 1 2; do
		is "$(tr -d '\r' <"$console" | sed -n "s/^hello: PCR$n \([0-9a-f]*\).*/\1/p" | head -n 1)" \
			"$(json_field PCR$n <"$work/$2.pcr.json")" "PCR$n read through /dev/nsm equals eif build's"
	done
	has "init: command exited with status 0" "the application ran to its end"
}

level=$(cat "$hardened/ramdisk/lockdown")
boot built "$hardened/ramdisk/system.cpio"
check "$level" built

# The other level: the same init and nsm.ko with the other /lockdown.
other=integrity
[ "$level" != integrity ] || other=confidentiality
printf '%s\n' "$other" >"$work/lockdown"
printf 'dir /dev 0755 0 0\nfile /init %s 0755 0 0\nfile /nsm.ko %s 0755 0 0\nfile /lockdown %s 0644 0 0\n' \
	"$hardened/init" "$hardened/nsm.ko" "$work/lockdown" >"$work/system.list"
"$EIF" cpio --list "$work/system.list" -o "$work/system-$other.cpio" || bail "eif cpio (system ramdisk) failed"
boot "$other" "$work/system-$other.cpio"
check "$other" "$other"
done_testing
