#!/bin/sh
# The toolchain root (scripts/toolchain-root, scripts/toolchain-run; issue 12 item 1): init and the
# nsm tool built inside it by our own Makefile, as root and as an unprivileged user, are the bytes
# of the host-built $O/init and $O/bin/nsm when the lock's compiler, binutils and libc/musl
# versions are the host's (else that comparison is skipped, naming the versions); a second set-up
# of the same lock reuses the root in under 5 s; the command sees only the fixed environment and
# a read-only root; a tampered .deb in dl/ is refused, naming it, and no root is made.
# The first run fetches the lock's .debs (about 85 MiB, through apt) into dl/ and CACHE_DIR.
. "$TOP/tests/lib/tap.sh"
need_files "$O/init" "$O/bin/nsm"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/toolchain-root.XXXXXX") || bail "cannot create a temporary directory"
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
lock=$TOP/configs/toolchain.lock
now() { date +%s%N; }
ms() { echo $((($2 - $1) / 1000000)); }

# Set-up (cold the first time on a machine), then again: the same root, fast.
t0=$(now)
root=$("$TOP/scripts/toolchain-root" 2>"$tmp/setup.log")
ok $? "toolchain-root sets up the root of $lock" || { sed 's/^/# /' "$tmp/setup.log"; bail "no root"; }
t1=$(now)
diag "first set-up: $(ms "$t0" "$t1") ms ($(grep -c FETCH "$tmp/setup.log") .debs fetched, root $root)"
again=$("$TOP/scripts/toolchain-root" 2>&1)
t2=$(now)
is "$again" "$root" "a second set-up gives the same root"
[ "$(ms "$t1" "$t2")" -lt 5000 ]
ok $? "and takes under 5 s"
diag "second set-up: $(ms "$t1" "$t2") ms"

# Inside: the fixed environment only, the root read-only, the lock's compiler.
# (SOURCE_DATE_EPOCH is the one value passed on; make check exports it, so it is set here.)
FOO=leak LANG=de_DE.UTF-8 SOURCE_DATE_EPOCH=1234 "$TOP/scripts/toolchain-run" "$root" "$tmp" env >"$tmp/env" 2>&1
is "$(LC_ALL=C sort "$tmp/env" | grep -v '^PWD=\|^OLDPWD=' | tr '\n' ' ')" \
	"HOME=/tmp LC_ALL=C PATH=/usr/bin:/bin:/usr/sbin:/sbin SOURCE_DATE_EPOCH=1234 TMPDIR=/tmp TZ=UTC " \
	"the command gets the fixed environment and SOURCE_DATE_EPOCH, nothing else of the caller's"
"$TOP/scripts/toolchain-run" "$root" "$tmp" sh -c 'touch /usr/bin/x' >/dev/null 2>&1
is "$?" 1 "the root is read-only inside"
lock_version() { awk -v n="$1" '$1 == n { print $2 }' "$lock"; }
host_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo 'not installed'; }
"$TOP/scripts/toolchain-run" "$root" "$tmp" gcc --version >"$tmp/gcc" 2>&1
is "$(head -n 1 "$tmp/gcc")" "gcc (Debian $(lock_version gcc-12)) 12.2.0" "gcc inside is the lock's gcc-12"

# The builds: a copy of the sources (so the checkout's out/ stays the host's), `make` inside the
# root as root and as an unprivileged user (uid 65534). The packages-build stamp stands for
# scripts/ensure-packages, which asks the host's dpkg database: inside, the root is the packages;
# TOOLCHAIN=host, as the root's tools are the "host" there (no second namespace inside).
mkdir "$tmp/src" || bail "cannot create $tmp/src"
tar -C "$TOP" --exclude=./out --exclude=./dl --exclude=./.git -cf - . | tar -C "$tmp/src" -xf - ||
	bail "cannot copy the sources to $tmp/src"
build_in_root() {	# build_in_root DIR [RUNNER...]: $1/out/init and $1/out/bin/nsm, built inside the root
	dir=$1
	shift
	"$@" "$TOP/scripts/toolchain-run" "$root" "$dir" sh -c \
		'mkdir -p out/stamp && touch out/stamp/packages-build && make O=out V=1 TOOLCHAIN=host out/init out/bin/nsm' \
		>"$dir.log" 2>&1
}
cp -a "$tmp/src" "$tmp/user" && chown -R 65534:65534 "$tmp/user" 2>/dev/null
as_user=$?
build_in_root "$tmp/src"
ok $? "make builds init and the nsm tool inside the root" || sed 's/^/# /' "$tmp/src.log"
sum() { if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo "missing $1"; fi; }
diag "inside:  init $(sum "$tmp/src/out/init"), nsm $(sum "$tmp/src/out/bin/nsm")"
diag "outside: init $(sum "$O/init"), nsm $(sum "$O/bin/nsm")"

# The host's bytes are the reference only when the host has the lock's toolchain.
differ=
for p in gcc-12 cpp-12 binutils-x86-64-linux-gnu libc6-dev musl musl-dev linux-libc-dev; do
	l=$(lock_version "$p") h=$(host_version "$p")
	diag "$p: lock $l, host $h"
	[ "$l" = "$h" ] || differ="$differ $p (lock $l, host $h)"
done
# linux-libc-dev reaches init only through <linux/vm_sockets.h> and the uapi types it includes.
case $differ in *gcc-12*|*cpp-12*|*binutils*|*libc6-dev*|*musl*) same_tools=no ;; *) same_tools=yes ;; esac
if [ "$same_tools" = yes ]; then
	[ -z "$differ" ] || diag "only the kernel's uapi headers differ:$differ"
	is "$(sum "$tmp/src/out/init")" "$(sum "$O/init")" "init built inside the root is the host-built $O/init"
	is "$(sum "$tmp/src/out/bin/nsm")" "$(sum "$O/bin/nsm")" "the nsm tool built inside is the host-built $O/bin/nsm"
else
	skip "the host's toolchain is not the lock's, so its $O/init is no reference:$differ"
	skip "the same for $O/bin/nsm"
fi

if [ "$(id -u)" -ne 0 ]; then
	skip "the build as another unprivileged user needs root to switch users (this run is already unprivileged)"
	skip "(idem)"
	skip "(idem)"
	skip "(idem)"
elif [ "$as_user" -ne 0 ] || ! command -v setpriv >/dev/null; then
	ok 1 "set up the unprivileged build (chown to 65534, setpriv)"
	skip "no unprivileged build"
	skip "no unprivileged build"
	skip "no unprivileged build"
else
	build_in_root "$tmp/user" setpriv --reuid=65534 --regid=65534 --clear-groups
	ok $? "as uid 65534 too" || sed 's/^/# /' "$tmp/user.log"
	is "$(sum "$tmp/user/out/init") $(sum "$tmp/user/out/bin/nsm")" \
		"$(sum "$tmp/src/out/init") $(sum "$tmp/src/out/bin/nsm")" "with the same bytes as the build as root"
	# make's own way as that user: make on the host, each step in the root (TOOLCHAIN=root, the
	# default), the root taken from CACHE_DIR as set up above.
	setpriv --reuid=65534 --regid=65534 --clear-groups env CACHE_DIR="$CACHE_DIR" \
		make -C "$tmp/user" O=o2 o2/init o2/bin/nsm >"$tmp/user-make.log" 2>&1
	ok $? "make as uid 65534 builds init and the nsm tool through the root" || sed 's/^/# /' "$tmp/user-make.log"
	is "$(cat "$tmp/user/o2/stamp/toolchain" 2>/dev/null)" "root $(basename "$root")" "in the lock's root"
	is "$(sum "$tmp/user/o2/init") $(sum "$tmp/user/o2/bin/nsm")" \
		"$(sum "$tmp/src/out/init") $(sum "$tmp/src/out/bin/nsm")" "with the same bytes"
fi

# A tampered .deb in dl/ is refused, naming it; no root appears. (One package's lock, a private
# dl/ and cache: the real ones are left alone.)
line=$(awk '$1 == "bc"' "$lock")
[ -n "$line" ] || bail "$lock pins no bc"
printf '%s\n' "$line" >"$tmp/one.lock"
file=$(echo "$line" | awk '{ n = split($5, p, "/"); print p[n] }')
pinned=$(echo "$line" | awk '{ print $4 }')
mkdir -p "$tmp/dl" && printf 'not bc\n' >"$tmp/dl/$file"
DL=$tmp/dl CACHE_DIR=$tmp/cache "$TOP/scripts/toolchain-root" --lock "$tmp/one.lock" >"$tmp/tampered.out" 2>"$tmp/tampered.err"
is "$?" 1 "a tampered .deb in dl/ stops the set-up"
grep -q "^fetch-pinned: $file in dl/ ($tmp/dl/$file) has sha256 .*, but the lock pins $pinned" "$tmp/tampered.err"
ok $? "the error names the file, where it is and the pinned sha256" || sed 's/^/# /' "$tmp/tampered.err"
is "$(cat "$tmp/tampered.out")$(ls -A "$tmp/cache/toolchain" 2>/dev/null)" "" "no root is made or printed"
done_testing
