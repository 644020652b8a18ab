#!/bin/sh
# eif audit passes an EIF built from the parts its provenance manifest describes, names every
# entry of both ramdisks with its step and sha256, and its items cover each byte exactly once.
. "$TOP/tests/audit/common.sh"

make_parts || bail "cannot create the synthetic parts in $parts"
build_eif "$work/clean.eif" || bail "cannot build the test EIF with $EIF"
write_manifest "$work/provenance"
ok $? "scripts/provenance writes a manifest"

run_audit "$work/clean.eif" "$work/provenance"
audit_status_is 0 "a clean EIF passes (exit 0)"
has_line '^audit .*clean\.eif: pass: [0-9]+ items: [0-9]+ ok, 0 unknown, 0 mismatch, 0 missing, 0 corrupt; ([0-9]+) of \1 bytes accounted for$' \
	"the summary line says pass and every byte accounted for"
is "$(grep -v -E '^(ok |PCR0 |audit )' "$work/audit.out" | wc -l)" 0 "every item is ok"
is "$(wc -c <"$work/audit.err")" 0 "nothing on standard error"

has_line '^ok +header \[EIF v4, x86_64, 5 sections, CRC-32 0x[0-9a-f]{8}\]' "header with CRC"
has_line '^ok +section 0 kernel \[bzImage, x86 boot protocol 2\.15\] <- kernel: linux-source-6\.12 ' \
	"kernel: its step and the pinned Debian source package"
has_line "^ok +section 1 cmdline \['console=ttyS0 quiet'\] <- cmdline: " "cmdline"
has_line "^ok +section 2 metadata \[ImageName 'audit-test'; ImageVersion '0\.1'; BuildTime '1970-01-01T00:00:00\+00:00'; KernelVersion '6\.12\.118-audit'\]" \
	"metadata values"
has_line "^ok +ramdisk 0 init \[file 0755 0:0, 18 bytes\] <- init: init/ .* sha256:$(sha "$parts/out/init")\$" \
	"ramdisk 0 init: step init and its sha256"
has_line "^ok +ramdisk 0 nsm\.ko \[file 0755 0:0, 16 bytes\] <- nsm: nsm/ .* sha256:$(sha "$parts/out/nsm.ko")\$" \
	"ramdisk 0 nsm.ko: step nsm"
has_line '^ok +ramdisk 0 dev \[dir 0755 0:0\] <- system-list: configs/ramdisk/system\.list$' "ramdisk 0 dev"
has_line "^ok +ramdisk 1 rootfs/bin/sh \[file 0755 0:0, [0-9]+ bytes\] <- app: $parts/app/bin/sh sha256:$(sha "$parts/app/bin/sh")\$" \
	"an application file with its source path and sha256"
has_line "^ok +ramdisk 1 rootfs/bin/tool2 \[file 0755 0:0, [0-9]+ bytes; one of 3 hard links to the inode first made as 'rootfs/a/hl'; its data at boot: the [0-9]+ bytes stored with 'rootfs/usr/bin/tool'\] <- app: .* sha256:$(sha "$parts/app/usr/bin/tool")\$" \
	"hard links carry their group's data"
has_line '^ok +ramdisk 1 rootfs/lib \[symlink -> usr/lib\] <- app: ' "symlink with its target"
has_line "^ok +ramdisk 1 rootfs/etc/with space \[file 0644 0:0, 7 bytes\]" "a name with a space"
has_line "^ok +ramdisk 1 rootfs/etc/na$(printf '\303\257')ve \[file 0644 0:0, 6 bytes\]" "a UTF-8 name"
has_line '^ok +ramdisk 1 rootfs/tmp \[dir 1777 0:0\]' "sticky directory keeps its mode"
has_line '^ok +ramdisk 1 rootfs/run/fifo \[fifo 0600 0:0\]' "FIFO"
has_line '^ok +ramdisk 1 rootfs/(dev|proc|sys|var) \[dir 0755 0:0\] <- user-ramdisk: scripts/user-ramdisk$' \
	"the directories scripts/user-ramdisk adds"
printf '/bin/sh\n-c\necho hi\n' >"$work/cmd.expected"
has_line "^ok +ramdisk 1 cmd \[file 0644 0:0, 19 bytes\] <- cmd: CMD .* sha256:$(sha "$work/cmd.expected")\$" \
	"cmd: one argument per line"
has_line '^ok +ramdisk 1 env \[file 0644 0:0, 28 bytes\] <- env: ENV ' "env: comments dropped"
has_line '^ok +ramdisk [01] cpio trailer and padding' "trailer and padding accounted for"

# JSON: stable key order, and the items tile the file.
run_audit "$work/clean.eif" "$work/provenance" --json
audit_status_is 0 "--json: exit 0"
cp "$work/audit.out" "$work/report.json"
is "$(jq -r 'keys_unsorted | join(",")' "$work/report.json")" "file,size,result,PCRs,items,summary" \
	"--json: top-level keys in order"
is "$(jq -r '.items[0] | keys_unsorted | join(",")' "$work/report.json")" \
	"status,what,offset,length,step,input,sha256,detail" "--json: item keys in order"
is "$(jq -r '.result' "$work/report.json")" pass "--json: result pass"
size=$(wc -c <"$work/clean.eif")
is "$(jq -r '.size' "$work/report.json")" "$size" "--json: file size"
is "$(jq -r '.summary.bytes_ok' "$work/report.json")" "$size" "--json: bytes_ok is the file size"
gaps=$(jq -r '[.items[] | select(.length > 0)] | sort_by(.offset) |
	reduce .[] as $i ({end: 0, bad: []}; (if $i.offset != .end then .bad += [$i.what] else . end) |
	.end = $i.offset + $i.length) | if .end != '"$size"' then .bad + ["end"] else .bad end | join(",")' \
	"$work/report.json")
is "$gaps" "" "--json: the items cover every byte once, back to back"
"$EIF" describe "$work/clean.eif" >"$work/describe.json" 2>&1
is "$(jq -r '.PCRs.PCR0' "$work/report.json")" "$(jq -r '.Measurements.PCR0' "$work/describe.json")" \
	"--json: PCR0 is the one eif describe computes"
is "$(jq -r '.items[] | select(.what == "ramdisk 1 rootfs/usr/lib/libx.so") | .sha256' "$work/report.json")" \
	"$(sha "$parts/app/usr/lib/libx.so")" "--json: an entry's sha256"
run_audit "$work/clean.eif" "$work/provenance" --json
cmp -s "$work/audit.out" "$work/report.json"
ok $? "--json: a second run prints the same bytes"

# Others may commit while this runs, so hold git still: outside a checkout, twice.
GIT_DIR=$work/no-git write_manifest "$work/provenance.1"
GIT_DIR=$work/no-git write_manifest "$work/provenance.2"
cmp -s "$work/provenance.1" "$work/provenance.2"
ok $? "scripts/provenance is deterministic"
diff "$work/provenance.1" "$work/provenance.2" | head -5 | sed 's/^/# /'
is "$(grep -c 'not from a git checkout: unpinned' "$work/provenance.1")" 3 \
	"outside a git checkout, init/, nsm/ and kernel/ are marked unpinned"

# A tar APP is unpacked by scripts/user-ramdisk; the manifest describes what was packed.
(cd "$parts/app" && tar -cf "$work/app.tar" .) || bail "cannot tar the sample tree"
CMDLINE_FILE=$parts/cmdline "$TOP/scripts/provenance" "$parts/out" "$work/app.tar" "$CMD" \
	"$parts/env" >"$work/provenance.tar"
ok $? "scripts/provenance takes a tar APP"
is "$(grep -c "	app	$work/app.tar/" "$work/provenance.tar")" \
	"$(grep -c "	app	$parts/app/" "$work/provenance")" "tar APP: the same entries"
done_testing
