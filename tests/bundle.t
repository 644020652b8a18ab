#!/bin/sh
# `make bundle` writes one tar with every pinned input, the locks and a manifest, the same bytes
# from another dl/ (other mtimes) under another umask; and `make BUNDLE=that.tar` fetches every
# pinned input with the network removed (unshare -n) and apt unable to offer anything (an apt
# configuration with no sources, then a PATH without apt-get), into an empty dl/ and cache:
# the fetched files are those of the locks.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fetch.sh"
unshare -n true 2>/dev/null || bail "unshare -n does not work here (needs root or user namespaces)"
tmp=$(mktemp -d "$O/bundle-test.XXXXXX") || bail "cannot create a temporary directory in $O"
trap 'rm -rf "$tmp"' EXIT INT TERM
apt_without_sources "$tmp/apt" || bail "cannot write an apt configuration in $tmp/apt"
# Another O for every make here, so that the knobs recorded under O leave $O alone.
mk() { make --no-print-directory -s -C "$TOP" O="$tmp/out" "$@"; }
inputs=$("$TOP/scripts/fetch-pinned" --list) || bail "fetch-pinned --list failed"
# equal_to_lock DIR: every pinned input is in DIR with its pinned sha256 (sha256sum -c).
equal_to_lock() { echo "$inputs" | awk '{ print $5 "  " $4 }' | (cd "$1" && sha256sum --quiet --strict -c -) >"$tmp/check" 2>&1; }

start=$(date +%s)
mk bundle >"$tmp/make.out" 2>&1
ok $? "make bundle" || sed 's/^/# /' "$tmp/make.out"
bundle=$tmp/out/bundle.tar
[ -s "$bundle" ] || bail "make bundle wrote no $bundle"
diag "bundle: $(wc -c <"$bundle") bytes, made in $(( $(date +%s) - start )) s"
tar -tf "$bundle" | grep -v '/$' >"$tmp/members"
expected=$( { echo enclave-kit-bundle/INPUTS; echo enclave-kit-bundle/MANIFEST
	echo enclave-kit-bundle/configs/sources.lock; echo enclave-kit-bundle/configs/toolchain.lock
	echo enclave-kit-bundle/tests/qemu/source.lock
	echo "$inputs" | awk '{ print "enclave-kit-bundle/inputs/" $4 }'; } | LC_ALL=C sort)
is "$(cat "$tmp/members")" "$expected" "it holds the inputs, the locks, INPUTS and MANIFEST, in sorted order"
mkdir "$tmp/x" && tar -xf "$bundle" -C "$tmp/x" || bail "cannot unpack $bundle"
(cd "$tmp/x/enclave-kit-bundle" && sha256sum --quiet --strict -c MANIFEST) >"$tmp/manifest.out" 2>&1
ok $? "sha256sum -c MANIFEST holds" || sed 's/^/# /' "$tmp/manifest.out"
is "$(cut -c67- "$tmp/x/enclave-kit-bundle/MANIFEST")" "$(grep -v '/MANIFEST$' "$tmp/members" | sed 's,^enclave-kit-bundle/,,')" \
	"MANIFEST lists every other file"
is "$(tar -tvf "$bundle" | awk '{ print $2, $4, $5 }' | sort -u | tr '\n' ' ')" "0/0 2025-01-01 00:00 " \
	"every member has owner 0/0 and the mtime SOURCE_DATE_EPOCH"
equal_to_lock "$tmp/x/enclave-kit-bundle/inputs"
ok $? "its inputs are the locks' bytes" || sed 's/^/# /' "$tmp/check"

# Same bytes from copies with other mtimes, under another umask.
mv "$tmp/x/enclave-kit-bundle/inputs" "$tmp/dl2" && touch "$tmp/dl2"/* && rm -rf "$tmp/x" || bail "cannot set up $tmp/dl2"
(umask 077 && mk DL="$tmp/dl2" O="$tmp/out2" bundle) >"$tmp/make2.out" 2>&1
ok $? "make bundle from another dl/, umask 077" || sed 's/^/# /' "$tmp/make2.out"
is "$(sha256sum <"$tmp/out2/bundle.tar")" "$(sha256sum <"$bundle")" "the two bundles are the same bytes"
rm -rf "$tmp/dl2" "$tmp/out2"

# No network, apt offers nothing: make fetch and the kernel's own fetch rule take everything from
# the bundle.
unshare -n sh -c 'exec "$@"' - make --no-print-directory -s -C "$TOP" O="$tmp/out" DL="$tmp/dl" \
	CACHE_DIR="$tmp/cache" BUNDLE="$bundle" fetch >"$tmp/fetch.out" 2>&1
ok $? "unshare -n make fetch BUNDLE=... with an apt that has no sources" || sed 's/^/# /' "$tmp/fetch.out"
equal_to_lock "$tmp/dl"
ok $? "every fetched file has the lock's sha256" || sed 's/^/# /' "$tmp/check"
is "$(grep -c "(from bundle $bundle)" "$tmp/fetch.out")" "$(echo "$inputs" | wc -l)" "every one came from the bundle"
equal_to_lock "$tmp/cache/dl" 2>/dev/null
is "$(cd "$tmp/cache/dl" && ls | LC_ALL=C sort | tr '\n' ' ')" "$(echo "$inputs" | awk '{ print $5 }' | LC_ALL=C sort | tr '\n' ' ')" \
	"and is kept in the cache, named by its sha256"

# The same through the kernel's fetch rule, with apt-get and apt-cache gone from PATH.
mkdir "$tmp/bin" || bail "cannot create $tmp/bin"
for d in $(echo "$PATH" | tr ':' ' '); do
	for f in "$d"/*; do
		b=${f##*/}
		case $b in apt-get|apt-cache) continue ;; esac
		[ -x "$f" ] && [ ! -e "$tmp/bin/$b" ] && ln -s "$f" "$tmp/bin/$b"
	done
done
deb=$(echo "$inputs" | awk '$1 ~ /^linux-source-/ { print $4 }')
PATH=$tmp/bin unshare -n sh -c 'exec "$@"' - make --no-print-directory -s -C "$TOP" O="$tmp/out" DL="$tmp/dl3" \
	CACHE_DIR="$tmp/cache3" BUNDLE="$bundle" "$tmp/dl3/$deb" >"$tmp/deb.out" 2>&1
ok $? "unshare -n make BUNDLE=... $deb, no apt-get on PATH" || sed 's/^/# /' "$tmp/deb.out"
is "$(sha256sum <"$tmp/dl3/$deb" 2>/dev/null | cut -d' ' -f1)" "$(echo "$inputs" | awk '$1 ~ /^linux-source-/ { print $5 }')" \
	"the kernel source package has the lock's sha256"
done_testing
