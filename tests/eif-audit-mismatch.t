#!/bin/sh
# eif audit fails (exit 1) with "mismatch" when an entry or section differs from what the
# manifest says its build step produced: content, mode, kernel bytes, metadata values.
. "$TOP/tests/audit/common.sh"

clean_fixture
expected=$(sha "$parts/app/bin/sh")

# 1. One byte of an application file changed (same size).
cp "$parts/app/bin/sh" "$work/sh.saved"
printf 'X' | dd of="$parts/app/bin/sh" bs=1 seek=100 conv=notrunc 2>/dev/null
build_eif "$work/byte.eif" || bail "cannot build the EIF with the changed file"
run_audit "$work/byte.eif" "$work/provenance"
audit_status_is 1 "a changed byte: exit 1"
has_line "^mismatch +ramdisk 1 rootfs/bin/sh \[file 0755 0:0, [0-9]+ bytes; sha256 differs from the manifest's $expected\] <- app: .* sha256:$(sha "$parts/app/bin/sh")\$" \
	"the file is a mismatch, with both hashes"
is "$(grep -c '^mismatch' "$work/audit.out")" 2 "only the file and its ramdisk section mismatch"
cp "$work/sh.saved" "$parts/app/bin/sh"

# 2. A mode changed.
chmod 0600 "$parts/app/etc/passwd"
build_eif "$work/mode.eif" || bail "cannot build the EIF with the changed mode"
run_audit "$work/mode.eif" "$work/provenance"
audit_status_is 1 "a changed mode: exit 1"
has_line '^mismatch +ramdisk 1 rootfs/etc/passwd \[file 0600 0:0, [0-9]+ bytes; mode 0600, the manifest says 0644\]' \
	"the mode is named"
chmod 0644 "$parts/app/etc/passwd"

# 3. Another kernel.
cp "$parts/out/bzImage" "$work/bzImage.saved"
printf 'patched' | dd of="$parts/out/bzImage" bs=1 seek=1500 conv=notrunc 2>/dev/null
build_eif "$work/kernel.eif" || bail "cannot build the EIF with the changed kernel"
run_audit "$work/kernel.eif" "$work/provenance"
audit_status_is 1 "another kernel: exit 1"
has_line '^mismatch +section 0 kernel \[bzImage, x86 boot protocol 2\.15; sha256 differs from the manifest.*\] <- kernel: linux-source-6\.12' \
	"the kernel section is a mismatch"
cp "$work/bzImage.saved" "$parts/out/bzImage"

# 4. Metadata the manifest pins: another image name.
NAME=someone-else build_eif "$work/name.eif" || bail "cannot build the EIF with another name"
run_audit "$work/name.eif" "$work/provenance"
audit_status_is 1 "another ImageName: exit 1"
has_line "^mismatch +section 2 metadata .*ImageName is 'someone-else', the manifest says 'audit-test'" \
	"the metadata value is named"

# 4b. Metadata edited by hand (same length, CRC fixed up): not what eif build writes.
perl -MCompress::Zlib -e '
	open(my $in, "<:raw", $ARGV[0]) or die "$ARGV[0]: $!"; local $/; my $d = <$in>;
	$d =~ s/"ImageName":"audit-test"/"ImageName": "audit-tes"/ or die "no ImageName\n";
	substr($d, 544, 4) = pack("N", crc32(substr($d, 0, 544) . substr($d, 548)));
	open(my $out, ">:raw", $ARGV[1]) or die "$ARGV[1]: $!"; print $out $d;' \
	"$work/clean.eif" "$work/edited.eif" || bail "cannot edit the metadata"
run_audit "$work/edited.eif" "$work/provenance"
audit_status_is 1 "hand-edited metadata: exit 1"
has_line "^mismatch +section 2 metadata \[.*the bytes are not the compact serialization eif build writes.*ImageName is 'audit-tes', the manifest says 'audit-test'" \
	"hand-edited metadata: not canonical, and the pinned name differs"

# 5. A symlink pointing elsewhere.
rm "$parts/app/lib" && ln -s usr/bin "$parts/app/lib"
build_eif "$work/link.eif" || bail "cannot build the EIF with the changed symlink"
run_audit "$work/link.eif" "$work/provenance"
audit_status_is 1 "a changed symlink: exit 1"
has_line '^mismatch +ramdisk 1 rootfs/lib \[symlink -> usr/bin; sha256 differs' "the symlink target is checked"
rm "$parts/app/lib" && ln -s usr/lib "$parts/app/lib"

build_eif "$work/again.eif" || bail "cannot rebuild the EIF"
run_audit "$work/again.eif" "$work/provenance"
audit_status_is 0 "restored parts pass again"
cmp -s "$work/again.eif" "$work/clean.eif"
ok $? "and give the same EIF bytes"
done_testing
