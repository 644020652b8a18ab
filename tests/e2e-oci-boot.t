#!/bin/sh
# End to end: the default hello enclave packed as an OCI image (umoci, with Entrypoint /bin/hello
# and the Env of examples/hello/env) and as a docker-archive (skopeo) gives the same user ramdisk
# as `make` built from the directory, and the EIF built from it boots under QEMU's nitro-enclave
# machine and prints the greeting.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
. "$TOP/tests/oci/tools.sh"
need_tools --root "umoci keeps owners only as root" umoci skopeo
for f in bzImage ramdisk/system.cpio ramdisk/user.cpio kernel/release examples/hello/rootfs/bin/hello; do
	[ -e "$O/$f" ] || bail "$O/$f missing: run make first"
done
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
greeting='Hello from a Nitro Enclave built from source!'
plan 5
cd "$work" || bail "cannot enter $work"
env_args=
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	env_args="$env_args --config.env=$line"
done <"$TOP/examples/hello/env"
umoci init --layout img && umoci new --image img:hello && umoci unpack --image img:hello bundle >/dev/null &&
	cp -a "$O/examples/hello/rootfs/." bundle/rootfs/ && umoci repack --image img:hello bundle >/dev/null &&
	# shellcheck disable=SC2086
	umoci config --image img:hello --config.entrypoint /bin/hello $env_args &&
	skopeo copy -q oci:img:hello docker-archive:hello.tar:hello:latest ||
	bail "cannot pack the hello enclave as an image"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600} "$TOP/scripts/user-ramdisk" "$EIF" oci:img:hello '' '' user.cpio 2>msg.txt
ok $? "user-ramdisk packs APP=oci:img:hello with CMD and ENV from the image" || diag "$(cat msg.txt)"
cmp user.cpio "$O/ramdisk/user.cpio"
ok $? "its user ramdisk (PCR2) equals the one make built from the directory with CMD and ENV"
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600} "$TOP/scripts/user-ramdisk" "$EIF" docker-archive:hello.tar '' '' user-da.cpio 2>/dev/null &&
	cmp user-da.cpio "$O/ramdisk/user.cpio"
ok $? "so does the one from the docker-archive"
"$EIF" build --kernel "$O/bzImage" --cmdline "$(cat "$TOP/configs/cmdline/x86_64")" \
	--ramdisk "$O/ramdisk/system.cpio" --ramdisk user.cpio --output oci.eif >/dev/null ||
	bail "eif build failed"
QEMU_ACPI=off qemu_boot_eif oci.eif console 120
is "$?" 0 "the image's EIF boots and QEMU ends when the command exits"
grep -qF "$greeting" console
ok $? "the greeting reaches the console" || { diag "console:"; tail -n 30 console | sed 's/^/#   /'; }
