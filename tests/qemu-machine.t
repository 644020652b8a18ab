#!/bin/sh
# The QEMU we built has the nitro-enclave machine, comes from the cache outside the clone under
# the key of its pinned source and configure flags, and has the firmware it boots with.
. "$TOP/tests/lib/tap.sh"
qemu=$O/qemu/qemu-system-x86_64
[ -n "${CACHE_DIR-}" ] || bail "CACHE_DIR is not set; run this test through make check (T='qemu-*')"
plan 6
if [ ! -x "$qemu" ]; then
	ok 1 "$qemu exists (build it with: make $qemu)"
	exit 1
fi
ok 0 "$qemu exists"
machines=$("$qemu" -M help 2>&1)
if printf '%s\n' "$machines" | grep -q '^nitro-enclave '; then
	ok 0 "-M help lists nitro-enclave"
else
	ok 1 "-M help lists nitro-enclave"
	diag "expected a line starting 'nitro-enclave ', actual -M help output:"
	printf '%s\n' "$machines" | sed 's/^/#   /'
fi
options=$("$qemu" -M nitro-enclave,help 2>&1)
for opt in vsock id acpi; do
	printf '%s\n' "$options" | grep -q "^  $opt=" || missing="${missing-} $opt"
done
is "${missing:-none}" none "the machine has the vsock, id and acpi options (missing ones listed)"
cached=$(sed -n "s/^bin='\(.*\)'\$/\1/p" "$qemu")
expected_dir=$("$TOP/tests/qemu/build" --print-dir "$CACHE_DIR")
is "$cached" "$expected_dir/bin/qemu-system-x86_64" "the wrapper runs the binary cached under the pinned source and flags key"
case $cached in
"$TOP"/*) ok 1 "the cached binary lives outside the clone"; diag "actual: $cached, inside $TOP" ;;
*) ok 0 "the cached binary lives outside the clone" ;;
esac
for f in /usr/share/seabios/bios-microvm.bin /usr/share/qemu/qboot.rom; do
	[ -r "$f" ] || absent="${absent-} $f"
done
is "${absent:-none}" none "the firmware the wrapper points at is installed (qemu-system-data, seabios)"
