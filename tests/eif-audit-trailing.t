#!/bin/sh
# Bytes after a section are never silently accepted: after the last section of the EIF
# (corrupt, exit 3), non-NUL bytes after a ramdisk's cpio trailer (corrupt, exit 3), extra NUL
# padding there (the section no longer matches the manifest, exit 1; corrupt when it leaves the
# next ramdisk misaligned), and a second archive appended to a ramdisk (its entries are
# unknown, exit 1).
. "$TOP/tests/audit/common.sh"

clean_fixture
size=$(wc -c <"$work/clean.eif")

# 1. Garbage after the last section: short (< a section header) and long.
for n in 5 100; do
	cp "$work/clean.eif" "$work/tail.eif"
	head -c "$n" /dev/urandom | tr '\000' 'x' >>"$work/tail.eif"
	run_audit "$work/tail.eif" "$work/provenance"
	audit_status_is 3 "$n bytes after the last section: exit 3"
	has_line "^corrupt +EIF structure \[.*tail\.eif'?: .*; the file is not a valid EIF" \
		"$n trailing bytes: one corrupt item says why"
	if grep -q "^eif audit: '$work/tail.eif': corrupt: EIF structure (corrupt): " "$work/audit.err"; then
		ok 0 "$n trailing bytes: standard error says why"
	else ok 1 "$n trailing bytes: standard error says why"; diag "stderr: $(cat "$work/audit.err")"; fi
done
cp "$work/clean.eif" "$work/tail.eif"
printf 'ABCDE' >>"$work/tail.eif"
run_audit "$work/tail.eif" "$work/provenance" --json
is "$(jq -r '.result + " " + (.size|tostring) + " " + (.summary.bytes_flagged|tostring)' "$work/audit.out")" \
	"corrupt $((size + 5)) $((size + 5))" "--json: result corrupt, all bytes flagged"

# 2. Non-NUL bytes after the user ramdisk's trailer.
cp "$parts/out/ramdisk/user.cpio" "$work/user-junk.cpio"
printf 'junk' >>"$work/user-junk.cpio"
build_eif "$work/junk.eif" "$work/user-junk.cpio" || bail "cannot build the EIF with the junk ramdisk"
run_audit "$work/junk.eif" "$work/provenance"
audit_status_is 3 "junk after a cpio trailer: exit 3"
ramdisk_size=$(wc -c <"$parts/out/ramdisk/user.cpio")
has_line "^corrupt +ramdisk 1 bytes $ramdisk_size\.\.$((ramdisk_size + 4)) \[cpio archive 0, offset $ramdisk_size: no newc magic \(070701 or 070702\) where an archive must start" \
	"the junk is a corrupt item at its offset"
has_line '^ok +ramdisk 1 rootfs/bin/sh ' "the entries before it are still accounted for"
cp "$parts/out/ramdisk/user.cpio" "$work/user-junk.cpio"
printf '\000junk' >>"$work/user-junk.cpio"
build_eif "$work/junk.eif" "$work/user-junk.cpio" || bail "cannot build the EIF with the junk ramdisk"
run_audit "$work/junk.eif" "$work/provenance"
audit_status_is 3 "junk after a cpio trailer and one NUL: exit 3"
has_line "^corrupt +ramdisk 1 bytes $((ramdisk_size + 1))\.\.$((ramdisk_size + 5)) \[cpio archive 0, offset $((ramdisk_size + 1)): byte 0x6a where only NUL padding or a new archive at a multiple of 4 may follow" \
	"misaligned junk is named as such"
run_audit "$work/junk.eif" "$work/provenance" --json
is "$(jq -r '(.summary.bytes_ok + .summary.bytes_flagged) == .size and .summary.corrupt == 1' "$work/audit.out")" \
	true "--json: with a damaged ramdisk the items still cover every byte"

# 3. More NUL padding than the writer produces: valid newc, but not the build's ramdisk.
cp "$parts/out/ramdisk/user.cpio" "$work/user-pad.cpio"
head -c 512 /dev/zero >>"$work/user-pad.cpio"
build_eif "$work/pad.eif" "$work/user-pad.cpio" || bail "cannot build the EIF with the padded ramdisk"
run_audit "$work/pad.eif" "$work/provenance"
audit_status_is 1 "extra NUL padding: exit 1"
has_line '^mismatch +section 4 ramdisk 1 \[.*bytes, the manifest says' "the ramdisk section's size differs"
is "$(grep -v 'cpio trailer' "$work/audit.out" | grep -c -E '^ok +ramdisk 1 ')" "$(grep -c '^entry	1	' "$work/provenance")" \
	"every entry is still accounted for"

# 3b. One NUL more after the system ramdisk: the kernel would not find the user ramdisk.
cp "$parts/out/ramdisk/system.cpio" "$work/system-odd.cpio"
printf '\000' >>"$work/system-odd.cpio"
build_eif "$work/odd.eif" "$parts/out/ramdisk/user.cpio" "$work/system-odd.cpio" ||
	bail "cannot build the EIF with the odd-length system ramdisk"
run_audit "$work/odd.eif" "$work/provenance"
audit_status_is 3 "a ramdisk of a length not a multiple of 4: exit 3"
has_line "^corrupt +section 4 ramdisk 1 \[the loader places this ramdisk at initrd offset $(($(wc -c <"$parts/out/ramdisk/system.cpio") + 1)), not a multiple of 4" \
	"the misaligned ramdisk is named, with its initrd offset"

# 4. A second archive appended to the user ramdisk.
mkdir -p "$work/more/etc"
printf 'smuggled\n' >"$work/more/etc/motd"
"$EIF" cpio --mtime 0 --dir "rootfs=$work/more" -o "$work/more.cpio" || bail "cannot write the second archive"
cat "$parts/out/ramdisk/user.cpio" "$work/more.cpio" >"$work/user-two.cpio"
build_eif "$work/two.eif" "$work/user-two.cpio" || bail "cannot build the EIF with two archives"
run_audit "$work/two.eif" "$work/provenance"
audit_status_is 1 "a second archive: exit 1"
has_line '^mismatch +section 4 ramdisk 1 \[[0-9]+ entries in 2 newc archives' "two archives are read"
has_line '^unknown +ramdisk 1 rootfs/etc/motd \[file 0644 0:0, 9 bytes; not in the manifest' \
	"the smuggled file is unknown"
has_line '^unknown +ramdisk 1 rootfs/etc \[dir 0755 0:0; a second entry with this name' \
	"a repeated directory is unknown"
done_testing
