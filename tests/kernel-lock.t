#!/bin/sh
# scripts/check-lock compares the machine with configs/sources.lock: silent success when they
# match, and one line per mismatch naming the package and both versions when they do not.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/lock
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
lock=$TOP/configs/sources.lock

"$TOP/scripts/check-lock" "$lock" >"$work/match.out" 2>&1
ok $? "this machine matches configs/sources.lock"
[ -s "$work/match.out" ] && sed 's/^/# /' "$work/match.out"

gcc_version=$(awk '$1 == "tool" && $2 == "gcc-12" { print $3 }' "$lock")
installed=$(dpkg-query -W -f='${Version}' gcc-12 2>/dev/null)
sed -e 's/^tool gcc-12 [^ ]*/tool gcc-12 99.0-test/' -e '$a tool enclave-kit-no-such-package 1.0 -' "$lock" >"$work/lock"
"$TOP/scripts/check-lock" "$work/lock" >"$work/mismatch.out" 2>&1
is "$?" 1 "check-lock fails when the machine differs from the lock"
is "$(grep -c "^check-lock: gcc-12: lock has 99.0-test, this machine has $installed\$" "$work/mismatch.out")" 1 \
	"the mismatch names the package and both versions"
is "$(grep -c '^check-lock: enclave-kit-no-such-package: lock has 1.0, this machine has none' "$work/mismatch.out")" 1 \
	"a package that is not installed is reported as such"
is "$(grep -c '^check-lock: [a-z0-9.+-]*: lock has' "$work/mismatch.out")" 2 "nothing else is reported"
[ -n "$gcc_version" ]
ok $? "the lock pins gcc-12 ($gcc_version)"
for input in linux-source-6.12 usr/src/linux-source-6.12.tar.xz; do
	is "$(awk -v n="$input" '$2 == n && length($4) == 64 && $4 !~ /[^0-9a-f]/ { c++ } END { print c + 0 }' "$lock")" 1 \
		"the lock pins $input with a sha256"
done
done_testing
