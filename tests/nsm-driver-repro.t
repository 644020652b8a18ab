#!/bin/sh
# nsm.ko is reproducible: built again in another directory (a different absolute path and
# depth, another umask and locale), it has the same bytes as $O/nsm.ko. The build also fails
# on any W=1 warning, so this is a second W=1 check.
. "$TOP/tests/lib/tap.sh"
if [ ! -s "$O/nsm.ko" ] || [ ! -s "$O/kernel/build/Module.symvers" ]; then
	ok 1 "$O/nsm.ko and the kernel build tree exist (run make check)"
	done_testing
	exit 1
fi
base=$(mktemp -d "${TMPDIR:-/tmp}/nsm-repro.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$base"' EXIT
dir=$base/some/other/place
( umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Tokyo make -s -C "$TOP" O="$O" NSM_MODULE_DIR="$dir" \
	nsm-module-in ) >"$base/log" 2>&1
rc=$?
is "$rc" 0 "nsm.ko builds in $dir without W=1 warnings"
[ "$rc" -eq 0 ] || sed 's/^/# /' "$base/log" | tail -30
want=$(sha256sum <"$O/nsm.ko" | cut -d' ' -f1)
got=$( [ -f "$dir/nsm.ko" ] && sha256sum <"$dir/nsm.ko" | cut -d' ' -f1)
is "$got" "$want" "the second nsm.ko has the same SHA-256 as $O/nsm.ko"
diag "nsm.ko $(wc -c <"$O/nsm.ko") bytes, sha256 $want"
if strings "$O/nsm.ko" | grep -qF -e "$TOP" -e "$base" -e "$(cd "$O" && pwd)"; then
	ok 1 "nsm.ko holds no build path"
	strings "$O/nsm.ko" | grep -F -e "$TOP" -e "$base" | head -5 | sed 's/^/# /'
else
	ok 0 "nsm.ko holds no build path"
fi
done_testing
