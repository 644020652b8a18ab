#!/bin/sh
# The kernel side is built inside the toolchain root (issue 12; scripts/toolchain.mk): $O's kernel
# image was made with the root of the current configs/toolchain.lock (out/kernel/toolchain), by
# Kbuild in the tree as mounted inside the root (/out/kernel/build), with the root's gcc; nsm.ko
# built inside (its module directory is /work, a path only the root's mount namespace has) and
# outside with the host's tools (TOOLCHAIN=host) are both the bytes of $O/nsm.ko when the host
# has the lock's compiler, binutils and libc; toolchain-run says what to do when it cannot make
# a user namespace, and a signal to its process group (Ctrl-C, killing make) ends the command
# inside. Neither build touches $O's records or rebuilds its kernel.
. "$TOP/tests/lib/tap.sh"
need_files "$O/nsm.ko" "$O/kernel/release" "$O/kernel/build/Module.symvers" "$O/kernel/config"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/toolchain-kernel.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
lock=$TOP/configs/toolchain.lock

# The kernel's record: the toolchain it was built with, by content.
recorded=$(cat "$O/kernel/toolchain" 2>/dev/null || echo "no $O/kernel/toolchain")
if [ "$recorded" = host ]; then
	skip "$O was built with TOOLCHAIN=host: no root to check the kernel against"
else
	is "$recorded" "root $("$TOP/scripts/toolchain-root" --key)" \
		"$O/kernel/toolchain: the kernel was built in the root of the current $lock"
fi
# Kbuild's quiet log starts where make ran it: the tree's path inside the root, not the host's.
if [ "$recorded" != host ] && [ -n "$(find "$O/kernel/kbuild.log" -newer "$O/kernel/config" 2>/dev/null)" ]; then
	is "$(head -n 1 "$O/kernel/kbuild.log")" "make: Entering directory '/out/kernel/build'" \
		"Kbuild ran in the tree as the root's mount namespace has it"
else
	skip "no quiet-mode kbuild.log of the last kernel build (V=1 or TOOLCHAIN=host)"
fi
root=$("$TOP/scripts/toolchain-root" 2>"$tmp/setup.log") || { sed 's/^/# /' "$tmp/setup.log"; bail "no toolchain root"; }
gcc_in_root=$("$TOP/scripts/toolchain-run" "$root" "$tmp" gcc --version | head -n 1)
is "$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$O/kernel/config")" "$gcc_in_root" \
	"the kernel config names the root's gcc"

# nsm.ko inside (the default) and outside the root. -o: the kernel tree is taken as it is, never
# rebuilt. The host build gets its own O (links to the kernel tree), so $O's toolchain record stays.
mk() { make --no-print-directory -s -C "$TOP" "$@"; }
mk O="$O" -o "$O/kernel/release" -o "$O/stamp/toolchain.ready" NSM_MODULE_DIR="$tmp/in" nsm-module-in \
	>"$tmp/in.log" 2>&1
ok $? "nsm.ko builds inside the root" || sed 's/^/# /' "$tmp/in.log"
mkdir -p "$tmp/o/kernel" && ln -s "$O/kernel/build" "$tmp/o/kernel/build" && cp "$O/kernel/release" "$tmp/o/kernel/" ||
	bail "cannot make $tmp/o"
mk O="$tmp/o" TOOLCHAIN=host -o "$tmp/o/kernel/release" -o "$tmp/o/stamp/toolchain.ready" NSM_MODULE_DIR="$tmp/host" \
	nsm-module-in >"$tmp/host.log" 2>&1
ok $? "and with the host's tools (TOOLCHAIN=host)" || sed 's/^/# /' "$tmp/host.log"
grep -q 'gcc .* -c -o /work/nsm\.o /work/nsm\.c' "$tmp/in/.nsm.o.cmd" 2>/dev/null
ok $? "inside, Kbuild compiled it in /work, the directory mounted in the root" ||
	head -c 300 "$tmp/in/.nsm.o.cmd" 2>&1 | sed 's/^/# /'
grep -q "gcc .* -c -o $tmp/host/nsm\.o $tmp/host/nsm\.c" "$tmp/host/.nsm.o.cmd" 2>/dev/null
ok $? "outside, in its host directory" || head -c 300 "$tmp/host/.nsm.o.cmd" 2>&1 | sed 's/^/# /'

sum() { if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo "missing $1"; fi; }
is "$(sum "$tmp/in/nsm.ko")" "$(sum "$O/nsm.ko")" "nsm.ko built inside is $O/nsm.ko"
lock_version() { awk -v n="$1" '$1 == n { print $2 }' "$lock"; }
differ=
for p in gcc-12 cpp-12 binutils-x86-64-linux-gnu libc6-dev libelf1; do
	h=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo 'not installed')
	[ "$(lock_version "$p")" = "$h" ] || differ="$differ $p (lock $(lock_version "$p"), host $h)"
done
if [ -z "$differ" ]; then
	is "$(sum "$tmp/host/nsm.ko")" "$(sum "$tmp/in/nsm.ko")" "nsm.ko built with the host's tools has the same bytes"
else
	skip "the host's toolchain is not the lock's, so its nsm.ko is no reference:$differ"
fi

# No user namespace (an unshare that fails, as under a sysctl that forbids them): exit 125 and
# what to do, instead of a build error that looks like the command's own.
mkdir -p "$tmp/shim" && printf '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n' \
	>"$tmp/shim/unshare" && chmod +x "$tmp/shim/unshare" || bail "cannot write $tmp/shim/unshare"
PATH=$tmp/shim:$PATH "$TOP/scripts/toolchain-run" "$root" "$tmp" true >"$tmp/nons.out" 2>"$tmp/nons.err"
is "$?" 125 "toolchain-run without user namespaces exits 125"
grep -q 'cannot create a user and mount namespace (unshare: unshare failed: Operation not permitted).*user.max_user_namespaces.*make TOOLCHAIN=host' \
	"$tmp/nons.err"
ok $? "and says why and what to do (the sysctls, or TOOLCHAIN=host)" || sed 's/^/# /' "$tmp/nons.err"

# SIGTERM to the process group ends the command inside. (Run as the namespace's PID 1, which
# ignores signals it has no handler for, a make there outlived it.) A marker argument finds it.
marker=2999.$$
setsid "$TOP/scripts/toolchain-run" "$root" "$tmp" sleep "$marker" &
pid=$!	# setsid did not fork (a background job leads no group): the session's process group
i=0
while ! pgrep -xf "sleep $marker" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
env kill -TERM -- "-$pid"
i=0
while pgrep -xf "sleep $marker" >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
left=$(pgrep -xf "sleep $marker")
is "${left:-none}" none "a SIGTERM to toolchain-run's process group ends the command inside"
[ -z "$left" ] || kill -KILL "$pid" $left 2>/dev/null
wait "$pid" 2>/dev/null
done_testing
