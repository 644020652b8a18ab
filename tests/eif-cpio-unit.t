#!/bin/sh
# The cpio library directly (tests/cpio/cpio-unit.c against $O/lib/libeif.a): write errors such
# as ENOSPC come back with a message, one archive is written once, err == NULL is tolerated,
# large lists go through.  Then the 6002-entry archive it wrote is checked with newc-dump
# and GNU cpio.
. "$TOP/tests/cpio/common.sh"
lib=$O/lib/libeif.a
[ -f "$lib" ] || bail "$lib is missing; build it first (make eif)"
# CC/CFLAGS from the environment, so a sanitizer build of libeif.a links (CFLAGS=-fsanitize=...).
# shellcheck disable=SC2086
${CC:-cc} -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE ${CFLAGS:--O1} -I"$TOP/eif/include" -I"$TOP/eif/lib" -I"$TOP/tests/lib" -o "$work/cpio-unit" \
	"$cpio_data/cpio-unit.c" "$lib" -lcrypto -lz -pthread 2>"$work/cc.err" ||
	bail "cannot build cpio-unit: $(cat "$work/cc.err")"
"$work/cpio-unit" "$work" >"$work/unit.out"
unit_status=$?
# Continue its numbering: show its results, count them, then add ours.
grep -v '^1\.\.' "$work/unit.out"
unit_count=$(grep -c -E '^(not )?ok ' "$work/unit.out")
tap_n=$unit_count
tap_failed=$(grep -c '^not ok ' "$work/unit.out")
ok $unit_status "cpio-unit exits 0 (no crash, no failure)"
is "$unit_count" 14 "cpio-unit ran all its checks"

dump "$work/big.cpio" >"$work/big.dump"
ok $? "the large archive parses"
is "$(grep -c . "$work/big.dump")" 6003 "6002 entries and the trailer"
is "$(awk '$10 ~ /^links\// { print $1, $5 }' "$work/big.dump" | sort -u)" "5723 1000" \
	"1000 names share one inode (5723: after d, d/00000..d/04999, links) with nlink 1000"
is "$(awk '$10 ~ /^links\// && $7 > 0 { print $10 }' "$work/big.dump")" "links/999" \
	"only the bytewise-last name (links/999) carries the data"
mkdir "$work/big-restored"
(cd "$work/big-restored" && cpio -idm --quiet 'links' 'links/*' <"$work/big.cpio")
ok $? "GNU cpio extracts the links"
is "$(stat -c '%h %s' "$work/big-restored/links/0" "$work/big-restored/links/999" | sort -u)" "1000 10" \
	"every restored link has the data and link count 1000"

done_testing
