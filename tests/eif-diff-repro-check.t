#!/bin/sh
# scripts/repro-check runs `eif diff` when the two builds' EIFs differ, so the report names
# the file that differs and the PCRs it moves. Two small output trees stand in for the two
# builds (--reference and --second: compare, no build).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
cd "$work" || bail "cd $work"

# out_tree DIR MODE: the artifacts repro-check compares, with app/data at MODE.
out_tree() {
	mkdir -p "$1/ramdisk" "$1/bin" "$1/files"
	cp "$EIF" "$1/bin/eif"
	printf 'kernel bytes' >"$1/bzImage"
	printf 'nsm' >"$1/nsm.ko"
	printf 'init' >"$1/init"
	printf 'data\n' >"$1/files/data"
	printf 'file /init data 0755 0 0\n' >"$1/system.list"
	printf 'file /app/data data %s 0 0\n' "$2" >"$1/user.list"
	"$EIF" cpio --mtime 1 --base "$1/files" --list "$1/system.list" -o "$1/ramdisk/system.cpio" &&
	"$EIF" cpio --mtime 1 --base "$1/files" --list "$1/user.list" -o "$1/ramdisk/user.cpio" &&
	"$EIF" build --kernel "$1/bzImage" --cmdline console=ttyS0 --ramdisk "$1/ramdisk/system.cpio" \
		--ramdisk "$1/ramdisk/user.cpio" --output "$1/enclave.eif" --name hello \
		--build-time 1970-01-01T00:00:00+00:00 >"$1/pcr.json" 2>/dev/null || bail "building $1"
}
out_tree first 0644
out_tree same 0644
out_tree second 0600

"$TOP/scripts/repro-check" --reference first --second same >same.out 2>&1
is "$?" 0 "identical builds: exit 0"
grep -q "all 7 artifacts identical" same.out
ok $? "identical builds: every artifact the same" || diag "$(cat same.out)"

"$TOP/scripts/repro-check" --reference first --second second >diff.out 2>&1
is "$?" 1 "builds that differ: exit 1"
grep -q '^DIFFER   enclave.eif: ' diff.out
ok $? "the EIF is named as differing" || diag "$(cat diff.out)"
grep -q '^         ramdisk 1 app/data: mode 0644 -> 0600; moves PCR0 PCR2$' diff.out
ok $? "eif diff names the file, what changed and the PCRs it moves" || diag "$(cat diff.out)"
grep -q '^         PCR2: different ' diff.out
ok $? "eif diff shows the recomputed PCRs"
grep -q '^         section ramdisk 1 (user): different' diff.out
ok $? "the differing section is listed"
grep -q 'section kernel: same' diff.out
is "$?" 1 "sections that are the same are left out of repro-check's report"

"$TOP/scripts/repro-check" --second >/dev/null 2>&1
is "$?" 2 "--second without a directory: exit 2"

done_testing
