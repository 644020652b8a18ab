# Shared by tests/eif-audit-*.t: . "$TOP/tests/audit/common.sh"
# On top of tests/cpio/common.sh ($work, sample_tree, sha, TAP helpers) it gives:
#   make_parts               synthetic build outputs in $parts: out/bzImage (with an x86 boot
#                            header), out/init, out/nsm.ko, out/kernel/release, app/ (the
#                            sample tree), env, cmdline
#   build_eif EIF [USER [SYSTEM]]  system and user ramdisks from the parts as they are now,
#                            then the EIF (USER, SYSTEM: use these files as the ramdisks instead)
#   write_manifest FILE      scripts/provenance for the parts, as the Makefile runs it
#   clean_fixture            make_parts, $work/clean.eif and its manifest $work/provenance
#                            (bails out when one of them cannot be made)
#   run_audit EIF MANIFEST [ARGS...]  eif audit; sets $rc, output in $work/audit.out/.err
#   has_line PATTERN DESC    one line of $work/audit.out matches the grep -E PATTERN
. "$TOP/tests/cpio/common.sh"
parts=$work/parts
CMD='/bin/sh -c "echo hi"'
NAME=audit-test VERSION=0.1
export NAME VERSION

make_parts() {
	mkdir -p "$parts/out/kernel" "$parts/out/ramdisk" || return 1
	head -c 2048 /dev/zero >"$parts/out/bzImage"
	# "HdrS" at 0x202, boot protocol 2.15 at 0x206 (little-endian 0x020f)
	printf 'HdrS\017\002' | dd of="$parts/out/bzImage" bs=1 seek=514 conv=notrunc 2>/dev/null
	printf '\177ELF a static init' >"$parts/out/init"
	printf 'an nsm.ko module' >"$parts/out/nsm.ko"
	echo 6.12.118-audit >"$parts/out/kernel/release"
	printf 'console=ttyS0 quiet\n' >"$parts/cmdline"
	printf 'PATH=/bin\n# a comment\nGREETING=hi there\n' >"$parts/env"
	sample_tree "$parts/app" forward 1000000000 &&
	printf 'spaces\n' >"$parts/app/etc/with space" &&
	printf 'utf-8\n' >"$parts/app/etc/$(printf 'na\303\257ve')"
}

build_eif() {
	"$EIF" cpio --mtime 0 --base "$parts/out" --list "$TOP/configs/ramdisk/system.list" \
		-o "$parts/out/ramdisk/system.cpio" &&
	"$TOP/scripts/user-ramdisk" "$EIF" "$parts/app" "$CMD" "$parts/env" \
		"$parts/out/ramdisk/user.cpio" &&
	"$EIF" build --kernel "$parts/out/bzImage" --cmdline "$(cat "$parts/cmdline")" \
		--ramdisk "${3:-$parts/out/ramdisk/system.cpio}" \
		--ramdisk "${2:-$parts/out/ramdisk/user.cpio}" \
		--name "$NAME" --version "$VERSION" --build-tool enclave-kit \
		--build-tool-version 0.1.0 --img-os Linux \
		--img-kernel "$(cat "$parts/out/kernel/release")" --output "$1" >/dev/null 2>&1
}

write_manifest() {
	CMDLINE_FILE=$parts/cmdline "$TOP/scripts/provenance" "$parts/out" "$parts/app" "$CMD" \
		"$parts/env" >"$1"
}

clean_fixture() {
	make_parts || bail "cannot create the synthetic parts in $parts"
	build_eif "$work/clean.eif" || bail "cannot build the test EIF with $EIF"
	write_manifest "$work/provenance" || bail "scripts/provenance failed"
}

run_audit() {
	eif_file=$1 manifest_file=$2
	shift 2
	"$EIF" audit "$eif_file" --provenance "$manifest_file" "$@" >"$work/audit.out" \
		2>"$work/audit.err"
	rc=$?
}

has_line() {
	if grep -q -E -e "$1" "$work/audit.out"; then ok 0 "$2"; else
		ok 1 "$2"; diag "expected a line matching: $1"
		sed 's/^/#   /' "$work/audit.out" | head -60
	fi
}

# An audit exit status, with the report shown when it is not the expected one.
audit_status_is() {
	is "$rc" "$1" "$2"
	[ "$rc" = "$1" ] || { sed 's/^/#   /' "$work/audit.out" | head -60; sed 's/^/#   stderr: /' "$work/audit.err"; }
}
