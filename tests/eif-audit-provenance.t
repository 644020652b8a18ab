#!/bin/sh
# scripts/provenance describes what eif cpio really packs (setuid/setgid dropped, tar APPs
# unpacked, list entries from scripts/user-ramdisk), and refuses what it cannot record.
. "$TOP/tests/audit/common.sh"

make_parts || bail "cannot create the synthetic parts in $parts"

# 1. A setuid file: the writer drops the bit, and so does the manifest.
chmod 4755 "$parts/app/bin/sh"
build_eif "$work/setuid.eif" || bail "cannot build the test EIF with $EIF"
write_manifest "$work/provenance"
ok $? "a manifest for a tree with a setuid file"
is "$(awk -F '\t' '$1 == "entry" && $3 == "rootfs/bin/sh" { print $5 }' "$work/provenance")" 0755 \
	"the manifest records the mode without the setuid bit"
run_audit "$work/setuid.eif" "$work/provenance"
audit_status_is 0 "the audit of that EIF passes"
chmod 0755 "$parts/app/bin/sh"

# 2. A tar APP: user-ramdisk unpacks it to a temporary tree; the manifest describes that tree.
(cd "$parts/app" && tar -cf "$work/app.tar" .) || bail "cannot tar the sample tree"
"$TOP/scripts/user-ramdisk" "$EIF" "$work/app.tar" "$CMD" "$parts/env" "$work/user-tar.cpio" ||
	bail "user-ramdisk cannot pack the tar APP"
build_eif "$work/tar.eif" "$work/user-tar.cpio" || bail "cannot build the EIF with the tar APP"
CMDLINE_FILE=$parts/cmdline "$TOP/scripts/provenance" "$parts/out" "$work/app.tar" "$CMD" \
	"$parts/env" >"$work/provenance.tar"
ok $? "a manifest for a tar APP"
cmp -s "$work/user-tar.cpio" "$parts/out/ramdisk/user.cpio"
ok $? "a tar APP and its directory give the same user ramdisk"
run_audit "$work/tar.eif" "$work/provenance.tar"
audit_status_is 0 "the audit of the tar APP's EIF passes"
has_line "^ok +ramdisk 1 rootfs/bin/sh \[.*\] <- app: $work/app\.tar/bin/sh sha256:$(sha "$parts/app/bin/sh")\$" \
	"entries name the tar file as their input"

# 3. Refusals, each with its reason.
refuses() {	# PATTERN DESC CMD...
	pattern=$1 what=$2
	shift 2
	"$@" >"$work/out" 2>"$work/err"
	st=$?
	if [ "$st" -ne 0 ] && grep -q -e "$pattern" "$work/err"; then ok 0 "$what"; else
		ok 1 "$what"; diag "exit $st, stderr: $(cat "$work/err")"; fi
}
touch "$parts/app/etc/tab$(printf '\t')name"
refuses "a name or link target with a control character cannot be recorded; rename it" \
	"a name with a tab is refused" write_manifest "$work/p"
rm "$parts/app/etc/tab$(printf '\t')name"
mv "$parts/out/bzImage" "$work/bzImage.saved"
refuses "out/bzImage is missing; run make first" "missing build outputs are named" \
	write_manifest "$work/p"
mv "$work/bzImage.saved" "$parts/out/bzImage"
refuses "is not a directory or a .tar file" "a missing APP is named" \
	"$TOP/scripts/provenance" "$parts/out" "$work/nowhere" "$CMD" "$parts/env"
refuses "usage: provenance OUTDIR APP CMD ENV" "usage" "$TOP/scripts/provenance" "$parts/out"
done_testing
