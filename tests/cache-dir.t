#!/bin/sh
# CACHE_DIR has one default, scripts/cache-dir's, and every user of the cache asks it: make,
# scripts/fetch-pinned, scripts/toolchain-root and tests/run (so a test run alone, not by make
# check, finds the cache where make put it: tests/lib/debian-root.sh once made its Debian roots
# under /debian-root then). docs/reproducibility.md#cache-keys.
. "$TOP/tests/lib/tap.sh"
cd "$TOP" || bail "no $TOP"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cache-dir.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

is "$(CACHE_DIR=/some/where scripts/cache-dir)" /some/where "a set CACHE_DIR is kept"
if [ "$(id -u)" -eq 0 ]; then
	is "$(env -u CACHE_DIR scripts/cache-dir)" /var/cache/enclave-kit "root's default"
	is "$(CACHE_DIR= scripts/cache-dir)" /var/cache/enclave-kit "an empty CACHE_DIR counts as unset"
	if command -v setpriv >/dev/null; then
		is "$(setpriv --reuid=65534 --regid=65534 --clear-groups env -u CACHE_DIR HOME=/home/u scripts/cache-dir)" \
			/home/u/.cache/enclave-kit "an ordinary user's default is under HOME"
		setpriv --reuid=65534 --regid=65534 --clear-groups env -u CACHE_DIR -u HOME scripts/cache-dir \
			>"$tmp/out" 2>"$tmp/err"
		[ $? -ne 0 ] && [ ! -s "$tmp/out" ] && grep -q 'HOME is not set.*set CACHE_DIR=DIR' "$tmp/err"
		ok $? "no HOME and no CACHE_DIR: an error that says what to set" || sed 's/^/# /' "$tmp/err"
	else
		bail "setpriv is missing (package util-linux)"
	fi
else
	is "$(env -u CACHE_DIR HOME=/home/u scripts/cache-dir)" /home/u/.cache/enclave-kit \
		"an ordinary user's default is under HOME"
	skip "root's default: this run is not root"
	skip "an empty CACHE_DIR: this run is not root"
	skip "no HOME: checked as root only"
fi

# make: its CACHE_DIR (make help prints it) is scripts/cache-dir's, unless given.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@" make -s --no-print-directory -C "$TOP" help | sed -n 's/.*CACHE_DIR=\([^ ]*\).*/\1/p'; }
is "$(mk env -u CACHE_DIR)" "$(env -u CACHE_DIR scripts/cache-dir)" "make's default is scripts/cache-dir's"
is "$(mk env CACHE_DIR=/given)" /given "make keeps a CACHE_DIR from the environment"

# tests/run exports the default when nobody set CACHE_DIR: a test it runs sees it.
mkdir -p "$tmp/top/tests" "$tmp/o" && cp -R tests/run tests/lib "$tmp/top/tests/" && mkdir -p "$tmp/top/scripts" &&
	cp scripts/cache-dir "$tmp/top/scripts/" || bail "cannot copy tests/run"
printf '#!/bin/sh\necho "1..1"\necho "ok 1 - CACHE_DIR=$CACHE_DIR"\n' >"$tmp/top/tests/probe.t" && chmod +x "$tmp/top/tests/probe.t"
env -u CACHE_DIR -u MAKEFLAGS O="$tmp/o" T=probe "$tmp/top/tests/run" >"$tmp/run.out" 2>&1
grep -q "CACHE_DIR=$(env -u CACHE_DIR scripts/cache-dir)\$" "$tmp/o/test-logs/probe.log"
ok $? "tests/run run alone gives its tests the default CACHE_DIR" || sed 's/^/# /' "$tmp/run.out" "$tmp/o/test-logs/probe.log"

# Nothing else decides the default.
others=$(grep -rIn -e '/var/cache/enclave-kit' -e '\.cache/enclave-kit' Makefile ./*/*.mk scripts tests/run tests/lib |
	grep -v '^scripts/cache-dir:')
is "$others" "" "no other script or makefile spells the default out"
done_testing
