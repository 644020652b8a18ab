#!/bin/sh
# eif audit fails (exit 1) when a ramdisk holds an entry no build step claims, and when an
# entry the manifest names is gone; it names the entry on its line and on standard error.
. "$TOP/tests/audit/common.sh"

clean_fixture

# 1. A file slipped into the application after the manifest was written.
printf 'not from any build step\n' >"$parts/app/etc/extra"
build_eif "$work/extra.eif" || bail "cannot build the EIF with the extra file"
run_audit "$work/extra.eif" "$work/provenance"
audit_status_is 1 "an extra file: exit 1"
has_line "^unknown +ramdisk 1 rootfs/etc/extra \[file 0644 0:0, 24 bytes; not in the manifest: no build step claims this entry\] sha256:$(sha "$parts/app/etc/extra")\$" \
	"the extra file is listed as unknown, with its sha256"
has_line '^mismatch +section 4 ramdisk 1 .*sha256 differs from the manifest' \
	"the user ramdisk as a whole differs from the manifest"
has_line '^ok +ramdisk 1 rootfs/bin/sh ' "the other entries are still accounted for"
has_line '^audit .*: fail: .* 1 unknown, 1 mismatch, 0 missing, 0 corrupt;' "summary: fail"
if grep -q "^eif audit: '$work/extra.eif': not accounted for: ramdisk 1 rootfs/etc/extra (unknown): file 0644 0:0, 24 bytes; not in the manifest: no build step claims this entry (and 1 more item)\$" \
	"$work/audit.err"; then
	ok 0 "standard error says what is not accounted for"
else
	ok 1 "standard error says what is not accounted for"; diag "stderr: $(cat "$work/audit.err")"
fi
run_audit "$work/extra.eif" "$work/provenance" --json
is "$(jq -r '.result' "$work/audit.out")" fail "--json: result fail"
is "$(jq -r '[.items[] | select(.status == "unknown") | .what] | join(",")' "$work/audit.out")" \
	"ramdisk 1 rootfs/etc/extra" "--json: the one unknown item"
rm "$parts/app/etc/extra"

# 2. A file the manifest names was removed.
mv "$parts/app/a.c" "$work/a.c.saved"
build_eif "$work/removed.eif" || bail "cannot build the EIF without a.c"
run_audit "$work/removed.eif" "$work/provenance"
audit_status_is 1 "a removed file: exit 1"
has_line "^missing +ramdisk 1 rootfs/a\.c \[the manifest names this file, ramdisk 1 lacks it\] <- app: $parts/app/a\.c sha256:" \
	"the removed file is listed as missing, with the step that made it"
mv "$work/a.c.saved" "$parts/app/a.c"

# 3. A manifest that does not know about a whole ramdisk.
grep -v '^entry	0	' "$work/provenance" >"$work/provenance.no-system"
run_audit "$work/clean.eif" "$work/provenance.no-system"
audit_status_is 1 "entries of an undescribed ramdisk: exit 1"
is "$(grep -c '^unknown  ramdisk 0 ' "$work/audit.out")" 3 "dev, init and nsm.ko are unknown"

# 4. A section the manifest does not describe.
grep -v '^section	2	' "$work/provenance" >"$work/provenance.no-metadata"
run_audit "$work/clean.eif" "$work/provenance.no-metadata"
audit_status_is 1 "an undescribed section: exit 1"
has_line '^unknown +section 2 metadata .*the manifest has no section 2' "the section is unknown"

# 5. The clean EIF still passes against the same manifest (the checks above can fail).
run_audit "$work/clean.eif" "$work/provenance"
audit_status_is 0 "the clean EIF passes"
done_testing
