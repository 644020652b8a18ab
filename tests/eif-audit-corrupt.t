#!/bin/sh
# A truncated or damaged EIF makes eif audit exit 3 with a one-line reason, never crash; a
# missing EIF exits 3; usage mistakes and a bad manifest exit 2.
. "$TOP/tests/audit/common.sh"

clean_fixture
size=$(wc -c <"$work/clean.eif")

# expect_corrupt FILE DESC: exit 3, a "corrupt" line on stderr, no crash.
expect_corrupt() {
	run_audit "$1" "$work/provenance"
	if [ "$rc" = 3 ] && grep -q "^eif audit: '$1': corrupt: " "$work/audit.err" &&
		[ "$(wc -l <"$work/audit.err")" -eq 1 ]; then
		return 0
	fi
	diag "$2: exit $rc, stderr: $(head -c 600 "$work/audit.err")"
	return 1
}

# 1. Truncated at the edges of the header and the sections, and a few points between.
bad=0 n=0
for len in 0 1 4 100 543 544 547 548 559 560 561 1000 2608 $((size / 2)) $((size - 513)) \
		$((size - 12)) $((size - 1)); do
	head -c "$len" "$work/clean.eif" >"$work/cut.eif"
	n=$((n + 1))
	expect_corrupt "$work/cut.eif" "truncated to $len bytes" || bad=$((bad + 1))
done
is "$bad" 0 "$n truncations: each exits 3 with one clear line"
head -c 100 "$work/clean.eif" >"$work/cut.eif"
run_audit "$work/cut.eif" "$work/provenance"
has_line "^corrupt +EIF structure \[.*100 bytes is shorter than the 548-byte EIF header" \
	"a cut header says how short it is"

# 2. Every single-byte change is caught: the CRC covers all but its own field, and a change
# of the CRC field itself no longer matches. Step through the whole file.
bad=0 n=0 offset=0
step=$((size / 150 + 1))
while [ "$offset" -lt "$size" ]; do
	cp "$work/clean.eif" "$work/flip.eif"
	old=$(od -An -tu1 -j "$offset" -N1 "$work/clean.eif" | tr -d ' ')
	printf "$(printf '\\%03o' $(((old + 1) % 256)))" |
		dd of="$work/flip.eif" bs=1 seek="$offset" conv=notrunc 2>/dev/null
	n=$((n + 1))
	expect_corrupt "$work/flip.eif" "byte $offset changed" || bad=$((bad + 1))
	case $offset in 0) offset=1 ;; 1) offset=544 ;; 544) offset=546 ;; *) offset=$((offset + step)) ;; esac
done
is "$bad" 0 "$n single-byte changes across the file: each exits 3"
cp "$work/clean.eif" "$work/flip.eif"
printf '\377' | dd of="$work/flip.eif" bs=1 seek=545 conv=notrunc 2>/dev/null
run_audit "$work/flip.eif" "$work/provenance"
has_line '^corrupt +header \[stored CRC-32 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}: the file was altered' \
	"a CRC mismatch is named, and the walk goes on"
has_line '^ok +ramdisk 1 rootfs/bin/sh ' "entries are still listed after a CRC mismatch"

# 2b. A well-formed EIF around a truncated ramdisk: the damage is corrupt, and the entries
# after it are not reported as missing (they were never read).
head -c 3000 "$parts/out/ramdisk/user.cpio" >"$work/user-cut.cpio"
build_eif "$work/cut-ramdisk.eif" "$work/user-cut.cpio" || bail "cannot build the EIF with a cut ramdisk"
run_audit "$work/cut-ramdisk.eif" "$work/provenance"
audit_status_is 3 "a truncated ramdisk inside a valid EIF: exit 3"
has_line '^corrupt +ramdisk 1 bytes [0-9]+\.\.3000 \[cpio archive 0, offset [0-9]+: .*truncated' \
	"the truncated ramdisk is named from where it breaks"
is "$(grep -c '^missing' "$work/audit.out")" 0 "no missing entries for what could not be read"

# 3. Not an EIF at all, a directory, a missing file.
head -c 4096 /dev/urandom >"$work/random.eif"
expect_corrupt "$work/random.eif" "random bytes"
ok $? "random bytes: exit 3"
run_audit "$work" "$work/provenance"
audit_status_is 3 "a directory: exit 3"
run_audit "$work/no-such.eif" "$work/provenance"
audit_status_is 3 "a missing EIF: exit 3"
if grep -q "no-such.eif.*No such file or directory" "$work/audit.err"; then ok 0 "missing EIF: says so"
else ok 1 "missing EIF: says so"; diag "stderr: $(cat "$work/audit.err")"; fi

# 4. Usage and manifest errors: exit 2 with the line at fault.
"$EIF" audit "$work/clean.eif" >/dev/null 2>"$work/audit.err"
is "$?" 2 "no --provenance: exit 2"
"$EIF" audit --provenance "$work/provenance" >/dev/null 2>&1
is "$?" 2 "no EIF: exit 2"
"$EIF" audit "$work/clean.eif" --provenance "$work/provenance" --frobnicate >/dev/null 2>&1
is "$?" 2 "unknown option: exit 2"
"$EIF" audit "$work/clean.eif" --provenance >/dev/null 2>&1
is "$?" 2 "--provenance without a value: exit 2"
printf 'hello\n' >"$work/not-a-manifest"
run_audit "$work/clean.eif" "$work/not-a-manifest"
audit_status_is 2 "not a manifest: exit 2"
if grep -q "not-a-manifest' line 1: not an enclave-kit provenance manifest" "$work/audit.err"; then
	ok 0 "not a manifest: names the line"
else ok 1 "not a manifest: names the line"; diag "stderr: $(cat "$work/audit.err")"; fi
{ head -5 "$work/provenance"; printf 'entry\t1\trootfs/x\tfile\t0644\t0:0\t3\tnot-a-hash\t-\tapp\tx\n'; } \
	>"$work/bad-hash"
run_audit "$work/clean.eif" "$work/bad-hash"
audit_status_is 2 "a bad sha256 in the manifest: exit 2"
if grep -q "bad-hash' line 6: 'not-a-hash' is not a lowercase sha256" "$work/audit.err"; then
	ok 0 "bad sha256: names line 6"
else ok 1 "bad sha256: names line 6"; diag "stderr: $(cat "$work/audit.err")"; fi
{ cat "$work/provenance"; grep -m1 '^entry	1	' "$work/provenance"; } >"$work/twice"
run_audit "$work/clean.eif" "$work/twice"
audit_status_is 2 "an entry described twice: exit 2"
done_testing
