#!/bin/sh
# tests/qemu/build derives its bookworm-backports apt entry (deb and deb-src) from the
# machine's Debian stanza: the same URIs, components and Signed-By, nothing invented; it
# refuses, saying why, when there is no Debian archive stanza to derive from.
. "$TOP/tests/lib/tap.sh"
build=$TOP/tests/qemu/build
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qemu-apt.XXXXXX") || bail "no temporary directory"
trap 'rm -rf "$tmp"' EXIT
plan 6

# A machine whose archive lives elsewhere (an address that cannot resolve), after a security
# stanza, with comments inside the stanza.
cat >"$tmp/debian.sources" <<'SOURCES'
Types: deb
URIs: http://security.archive.invalid/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# a comment inside the stanza
URIs: http://archive.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /etc/apt/keyrings/local-test.gpg
SOURCES
entry=$("$build" --print-apt-entry "$tmp/debian.sources" 2>&1)
ok $? "an entry is derived"
field() { printf '%s\n' "$entry" | sed -n "s/^$1: //p"; }
is "$(field Types)" "deb deb-src" "Types: deb and deb-src (meson from backports, the qemu source)"
is "$(field URIs)" "http://archive.invalid/debian" "URIs: the machine's main archive, not the security one"
is "$(field Suites)|$(field Components)" "bookworm-backports|main contrib" "Suites: bookworm-backports; Components as the machine has them"
is "$(field Signed-By)" "/etc/apt/keyrings/local-test.gpg" "Signed-By: the machine's keyring"

printf 'Types: deb\nURIs: http://security.archive.invalid/debian-security\nSuites: bookworm-security\nComponents: main\n' \
	>"$tmp/security-only.sources"
err=$("$build" --print-apt-entry "$tmp/security-only.sources" 2>&1)
status=$?
case "$status:$err" in
1:*"has no entry with 'Suites: bookworm'"*) ok 0 "no Debian archive stanza: refused with the reason" ;;
*) ok 1 "no Debian archive stanza: refused with the reason"; diag "actual ($status): $err" ;;
esac
