#!/bin/sh
# out/init is static, stripped, under 100 KB, and the same bytes when built in other build
# directories (O=...) from the same sources.
. "$TOP/tests/lib/tap.sh"
plan 6
tmp=$(mktemp -d "${TMPDIR:-/tmp}/init-reproducible.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
for build in one two; do
	if ! make -C "$TOP" --no-print-directory O="$tmp/$build" "$tmp/$build/init" >"$tmp/$build.log" 2>&1; then
		sed 's/^/# /' "$tmp/$build.log"
		bail "make O=$tmp/$build $tmp/$build/init failed"
	fi
done
cmp "$tmp/one/init" "$tmp/two/init" >/dev/null
ok $? "two build directories give the same bytes"
cmp "$tmp/one/init" "$O/init" >/dev/null
ok $? "and the same as $O/init"
size=$(wc -c <"$tmp/one/init")
[ "$size" -lt 102400 ]
ok $? "smaller than 100 KB"
diag "size of init: $size bytes"
readelf -lW "$tmp/one/init" >"$tmp/segments" 2>&1 && ! grep -q INTERP "$tmp/segments"
ok $? "statically linked (no program interpreter)"
readelf -SW "$tmp/one/init" >"$tmp/sections" 2>&1 && ! grep -qE '\.symtab|\.debug' "$tmp/sections"
ok $? "stripped (no symbol table, no debug sections)"
! grep -qaF "$TOP" "$tmp/one/init" && ! grep -qaF "$tmp" "$tmp/one/init"
ok $? "no source or build directory path inside"
