#!/bin/sh
# scripts/sbom writes valid JSON (RFC 8259) whatever the strings hold: control characters,
# quotes and backslashes in configs/sources.lock round-trip through jq. And the application's
# hash covers what eif cpio packs, whatever the file names: a change of content behind a name
# with a blank, a tab or a newline, or of a symlink target, changes it; a setuid bit (dropped
# by the writer) does not.
. "$TOP/tests/lib/tap.sh"
for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
	[ -f "$O/$f" ] || bail "$O/$f is missing: run make first"
done
command -v jq >/dev/null || bail "jq is missing (configs/packages/check)"
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT INT TERM

# 1. A tree whose sources.lock holds every awkward byte in names and versions.
top=$work/top
mkdir -p "$top/scripts" "$top/configs" || bail "cannot create $top"
for f in scripts/sbom scripts/toolchain-of.sh scripts/toolchain-root Makefile configs/toolchain.lock; do
	cp "$TOP/$f" "$top/$f" || bail "cannot copy $f"
done
ctl=$(printf 'q"b\\s\001\002\b\f\r\013\033\037\177e')
grep -E '^(source|member) ' "$TOP/configs/sources.lock" >"$top/configs/sources.lock"
printf 'tool evil%s 1.0%s -\n' "$ctl" "$ctl" >>"$top/configs/sources.lock"
mkdir -p "$work/app" && printf 'x\n' >"$work/app/file" || bail "cannot create the application"
"$top/scripts/sbom" "$O" "$work/app" >"$work/sbom.json" 2>"$work/err"
ok $? "scripts/sbom succeeds" || sed 's/^/#   /' "$work/err"
jq empty "$work/sbom.json" 2>"$work/jq.err"
ok $? "the document is valid JSON (jq)" || sed 's/^/#   /' "$work/jq.err"
python3 -m json.tool "$work/sbom.json" >/dev/null 2>"$work/py.err"
ok $? "the document is valid JSON (python3 -m json.tool)" || sed 's/^/#   /' "$work/py.err"
is "$(jq -r --arg n "evil$ctl" '[.packages[] | select(.name == $n) | .versionInfo] | length' "$work/sbom.json")" 1 \
	"the name with control characters round-trips exactly"
is "$(jq -j --arg n "evil$ctl" '.packages[] | select(.name == $n) | .versionInfo' "$work/sbom.json" | od -An -c | tr -s ' \n' ' ')" \
	"$(printf '1.0%s' "$ctl" | od -An -c | tr -s ' \n' ' ')" "and so does its version"

# 2. The application hash covers content behind any name, and symlink targets.
app=$work/tree
mkdir -p "$app/dir" && printf 'one\n' >"$app/dir/a b" && printf 'one\n' >"$app/tab$(printf '\t')name" &&
	printf 'one\n' >"$app/new
line" && ln -s target "$app/link" && printf 'one\n' >"$app/plain" && chmod 0644 "$app/plain" || bail "cannot create the tree"
app_hash() { "$TOP/scripts/sbom" "$O" "$app" | jq -r '.packages[] | select(.name == "application") | .versionInfo'; }
h0=$(app_hash)
is "$(printf '%s' "$h0" | wc -c)" 64 "the application hash of a tree with awkward names"
for name in "dir/a b" "tab$(printf '\t')name" "new
line" plain; do
	printf 'two\n' >"$app/$name"
	h=$(app_hash)
	[ -n "$h" ] && [ "$h" != "$h0" ]; ok $? "changing the content of '$(printf '%s' "$name" | tr '[:cntrl:]' '?')' changes the hash"
	printf 'one\n' >"$app/$name"
done
is "$(app_hash)" "$h0" "the same content gives the same hash again"
ln -sfn elsewhere "$app/link"
[ "$(app_hash)" != "$h0" ]; ok $? "changing a symlink target changes the hash"
ln -sfn target "$app/link"
chmod 4644 "$app/plain"
is "$(app_hash)" "$h0" "a setuid bit, which eif cpio drops, does not change the hash"
chmod 0600 "$app/plain"
[ "$(app_hash)" != "$h0" ]; ok $? "a permission change does"
done_testing
