#!/bin/sh
# The newc reader eif audit uses survives hostile archives: built with ASan and UBSan, it reads
# the ramdisks eif cpio writes, GNU cpio's newc and crc archives, concatenated archives, and
# every truncation, every single-byte change and thousands of random changes of them without
# a crash or a broken promise; and it refuses what the kernel would not unpack as written.
. "$TOP/tests/audit/common.sh"
rounds=${AUDIT_MUTATE_ROUNDS:-20000}
cc=${CC:-cc}

harness=$work/cpio-read-mutate
$cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -I"$TOP/eif/include" -I"$TOP/eif/lib" -o "$harness" \
	"$TOP/tests/audit/cpio-read-mutate.c" "$TOP/eif/lib/cpio_read.c" "$TOP/eif/lib/util.c" \
	2>"$work/cc.log"
ok $? "the harness builds with ASan and UBSan"
[ -x "$harness" ] || { sed 's/^/# /' "$work/cc.log"; bail "cannot build the harness"; }
command -v cpio >/dev/null || bail "GNU cpio is missing; install the check packages (scripts/ensure-packages check)"

# Small seeds, so that every truncation and every byte can be tried.
mkdir -p "$work/tree/dir/sub" || bail "cannot create the seed tree"
printf 'some data\n' >"$work/tree/dir/file"
printf 'x' >"$work/tree/one"
: >"$work/tree/empty"
ln "$work/tree/dir/file" "$work/tree/hard"
ln -s dir/file "$work/tree/link"
mkfifo "$work/tree/fifo"
chmod 1777 "$work/tree/dir/sub"
"$EIF" cpio --mtime 0 --dir "rootfs=$work/tree" -o "$work/ours.cpio"
ok $? "eif cpio writes the seed"
(cd "$work/tree" && find . | LC_ALL=C sort | cpio --quiet -o -H newc >"$work/gnu-newc.cpio") &&
	(cd "$work/tree" && find . -type f | LC_ALL=C sort | cpio --quiet -o -H crc >"$work/gnu-crc.cpio")
ok $? "GNU cpio writes newc and crc seeds"
# A second archive 4-aligned after the first, with NULs between: the kernel reads both.
{ cat "$work/ours.cpio"; head -c 8 /dev/zero; cat "$work/gnu-crc.cpio"; } >"$work/two.cpio"

expect_parse() {	# FILE EXPECTED DESC
	out=$("$harness" parse "$1")
	is "$out" "$2" "$3"
}
expect_parse "$work/ours.cpio" "entries 9 archives 1" "eif cpio's archive: every entry"
expect_parse "$work/gnu-newc.cpio" "entries 9 archives 1" "GNU cpio newc (upper-case hex, '.')"
expect_parse "$work/gnu-crc.cpio" "entries 4 archives 1" "GNU cpio crc (070702): checksums verified"
expect_parse "$work/two.cpio" "entries 13 archives 2" "concatenated archives"

# Refusals, each with its reason.
refuses() {	# FILE PATTERN DESC
	out=$("$harness" parse "$1")
	case $out in
	"error: "*) if printf '%s' "$out" | grep -q -e "$2"; then ok 0 "$3"; else
		ok 1 "$3"; diag "expected: $2"; diag "  actual: $out"; fi ;;
	*) ok 1 "$3"; diag "accepted: $out" ;;
	esac
}
: >"$work/empty.cpio"
refuses "$work/empty.cpio" "no cpio archive" "an empty ramdisk"
head -c 512 /dev/zero >"$work/zeros.cpio"
refuses "$work/zeros.cpio" "no cpio archive" "only NUL bytes"
trailer=$(grep -a -b -o 'TRAILER!!!' "$work/ours.cpio" | head -1 | cut -d: -f1)
head -c $((trailer - 110)) "$work/ours.cpio" >"$work/no-trailer.cpio"
refuses "$work/no-trailer.cpio" "no TRAILER!!! entry" "no trailer"
# flip one data byte of the crc archive: its checksum must catch it
crc_data=$(grep -a -b -o 'some data' "$work/gnu-crc.cpio" | head -1 | cut -d: -f1)
cp "$work/gnu-crc.cpio" "$work/crc-bad.cpio"
printf 'S' | dd of="$work/crc-bad.cpio" bs=1 seek="$crc_data" conv=notrunc 2>/dev/null
refuses "$work/crc-bad.cpio" "body checksum .* differs from the header's" "a crc archive with changed data"
cp "$work/ours.cpio" "$work/hex.cpio"
printf 'g' | dd of="$work/hex.cpio" bs=1 seek=20 conv=notrunc 2>/dev/null
refuses "$work/hex.cpio" "header field 2 is not 8 hex digits" "a non-hex header digit"
{ cat "$work/ours.cpio"; printf '\0\0x'; } >"$work/junk.cpio"
refuses "$work/junk.cpio" "byte 0x78 where only NUL padding" "junk after the trailer"
gzip -n -c "$work/ours.cpio" >"$work/gz.cpio"
refuses "$work/gz.cpio" "no newc magic" "a compressed ramdisk is named, not misread"

# The sweep: truncations, single bytes, random changes.
"$harness" mutate "$rounds" "$work/ours.cpio" "$work/gnu-newc.cpio" "$work/gnu-crc.cpio" \
	2>"$work/mutate.err" | sed -n '/^1\.\./!p' >"$work/mutate.tap"
while IFS= read -r line; do
	case $line in
	"ok "*) ok 0 "${line#ok * - }" ;;
	"not ok "*) ok 1 "${line#not ok * - }" ;;
	*) echo "$line" ;;
	esac
done <"$work/mutate.tap"
is "$(grep -c -E 'ERROR: (AddressSanitizer|UndefinedBehavior)|runtime error' "$work/mutate.err")" 0 \
	"no sanitizer report"
grep -E 'ERROR|runtime error' "$work/mutate.err" | head -5 | sed 's/^/# /'
done_testing
