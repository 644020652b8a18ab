#!/bin/sh
# scripts/provenance describes what eif cpio really packs (setuid/setgid dropped, tar APPs
# unpacked, list entries from scripts/user-ramdisk), and refuses what it cannot record. With
# the toolchain root it lists every .deb of configs/toolchain.lock as an input and names the
# root the kernel, init and nsm.ko were built in; a toolchain lock it cannot read is refused.
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

# 4. The toolchain root (TOOLCHAIN=root, make's default here): one input record per .deb of its
# lock, and the kernel, init and nsm.ko name the root by its key; with TOOLCHAIN=host the
# lock's compiler and musl as before. A lock it cannot read, or a root other than the one
# out/kernel/toolchain records, is refused.
lock=$TOP/configs/toolchain.lock
key=$("$TOP/scripts/toolchain-root" --key) || bail "scripts/toolchain-root --key failed"
build_eif "$work/tc.eif" || bail "cannot build the test EIF"
TOOLCHAIN=root write_manifest "$work/tc.prov"
ok $? "a manifest with TOOLCHAIN=root"
is "$(grep -c "^input	[^	]*:[a-z0-9]*	.*, pinned in configs/toolchain.lock, unpacked into its toolchain root: a tool of bzImage (section 0), init and nsm.ko (ramdisk 0)\$" "$work/tc.prov")" \
	"$(sed 's/#.*//' "$lock" | awk 'NF { n++ } END { print n }')" "one input record per .deb of configs/toolchain.lock"
is "$(awk -F '\t' '$1 == "input" && $2 == "gcc-12:amd64" { print $3 }' "$work/tc.prov")" \
	"$(awk '$1 == "gcc-12" { printf "gcc-12 %s %s (sha256 %s)", $2, $3, $4 }' "$lock"), pinned in configs/toolchain.lock, unpacked into its toolchain root: a tool of bzImage (section 0), init and nsm.ko (ramdisk 0)" \
	"gcc-12's record: name, version, arch, sha256, what it built"
is "$(grep -c '^input	\(musl\|gcc-12\)	' "$work/tc.prov")" 0 "no sources.lock tool line stands for the compiler"
musl=$(awk '$1 == "musl-dev" { print $1, $2 }' "$lock") gcc=$(awk '$1 == "gcc-12" { print $1, $2 }' "$lock")
is "$(awk -F '\t' '$1 == "entry" && $3 == "init" { print $11 }' "$work/tc.prov" | sed 's/.*) built //')" \
	"in toolchain root $key of configs/toolchain.lock ($musl, $gcc, static)" "init: built in the root, by its key"
awk -F '\t' '$1 == "section" && $2 == 0 { print $7 }' "$work/tc.prov" | grep -q "), built in toolchain root $key of configs/toolchain.lock ($gcc)\$"
ok $? "the kernel: built in the root, by its key"
awk -F '\t' '$1 == "entry" && $3 == "nsm.ko" { print $11 }' "$work/tc.prov" | grep -q " in toolchain root $key of configs/toolchain.lock\$"
ok $? "nsm.ko: built in the root, by its key"
run_audit "$work/tc.eif" "$work/tc.prov"
audit_status_is 0 "the audit passes with the toolchain's input records"
echo "root $key" >"$parts/out/kernel/toolchain"
write_manifest "$work/tc2.prov" && cmp -s "$work/tc.prov" "$work/tc2.prov"
ok $? "out/kernel/toolchain naming that root: the same manifest without TOOLCHAIN"
rm "$parts/out/kernel/toolchain"
TOOLCHAIN=host write_manifest "$work/host.prov"
ok $? "a manifest with TOOLCHAIN=host"
is "$(grep -c 'toolchain' "$work/host.prov")" 0 "names no toolchain root"
awk -F '\t' '$1 == "entry" && $3 == "init" { print $11 }' "$work/host.prov" | grep -q ' built with musl .*(gcc-12 .*, static)$'
ok $? "init: built with the lock's musl and gcc-12"
tc_refuses() {	# LOCK-TEXT PATTERN DESC
	printf "$1" >"$work/bad.lock"
	TOOLCHAIN_LOCK=$work/bad.lock refuses "$2" "$3" write_manifest "$work/p"
}
good=$(grep -m1 '^gcc-12 ' "$lock")
tc_refuses "# c\n$good\ngcc-12 1 amd64\n" "provenance: $work/bad.lock line 3: 3 fields, not the 5 of NAME VERSION ARCH SHA256 POOL-PATH" \
	"a toolchain lock line with 3 fields, by file and line"
tc_refuses "$good\nbc 1 amd64 ABC pool/b.deb\n" "provenance: $work/bad.lock line 2: the SHA256 field of bc is not 64 lowercase hex digits" \
	"a bad sha256, by file and line"
tc_refuses "$good\nb\001c 1 amd64 $(printf %064d 0) pool/b.deb\n" "provenance: $work/bad.lock line 2: field 1 holds a control character" \
	"a control character, by file and line"
tc_refuses "# nothing\n" "$work/bad.lock pins no package" "a lock without packages"
TOOLCHAIN_LOCK=$work/none.lock refuses "cannot read the lock $work/none.lock" "a missing toolchain lock is named" \
	write_manifest "$work/p"
echo host >"$parts/out/kernel/toolchain"
TOOLCHAIN=root refuses "provenance: $parts/out/kernel/toolchain says 'host' built the kernel, not 'root $key'" \
	"TOOLCHAIN=root for a kernel the host's tools built is refused" write_manifest "$work/p"
echo "root $(printf %064d 0)" >"$parts/out/kernel/toolchain"
refuses "says 'root $(printf %064d 0)' built the kernel, not 'root $key' (TOOLCHAIN=root)" \
	"a kernel built in another root than configs/toolchain.lock's is refused" write_manifest "$work/p"
rm "$parts/out/kernel/toolchain"
done_testing
