#!/bin/sh
# The whole build again, in a copy of the tree at another path, after `make fetch`, inside a
# network namespace with no interfaces, with another umask, TZ, locale, HOME, user, host name,
# -j level and clock: it must succeed and give the same bytes for every boot-chain artifact.
# The second build includes a kernel and wants both cores:
# tests/run: alone
. "$TOP/tests/lib/tap.sh"
[ -r "$O/enclave.eif" ] || bail "$O/enclave.eif missing: run make first"
unshare -n true 2>/dev/null || bail "unshare -n does not work here (needs root or user namespaces)"
log=$(mktemp) || bail "mktemp failed"
trap 'rm -f "$log"' EXIT
start=$(date +%s)
"$TOP/scripts/repro-check" --reference "$O" --offline >"$log" 2>&1
status=$?
[ "$status" -ne 2 ]; ok $? "make fetch, then make with no network, succeeds in another directory"
sed -n 's/^\(SAME\|DIFFER\|MISSING\) *\([^ :]*\).*/\1 \2/p' "$log" >"$log.results"
n=0
while read -r verdict artifact; do
	n=$((n + 1))
	is "$verdict" SAME "$artifact is byte-identical in the second build"
done <"$log.results"
rm -f "$log.results"
is "$n" 7 "all seven artifacts were compared"
[ "$status" -eq 0 ] || sed 's/^/# /' "$log" | tail -n 60
diag "second build and comparison: $(( $(date +%s) - start )) s"
done_testing
