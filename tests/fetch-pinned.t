#!/bin/sh
# scripts/fetch-pinned finds a pinned file by its sha256 in dl/, CACHE_DIR, BUNDLE, apt and
# MIRRORS, in that order: a copy in dl/, the cache or the bundle with another sha256 is refused
# with an error naming the file, where it was and both hashes (and left as it was); a mirror's
# wrong download is thrown away for the next mirror; when no place has it, one error names the
# file, its sha256 and every place tried. Also: the pinned inputs it lists are those of the locks.
# apt offers nothing here (tests/lib/fetch.sh), so no test reaches the network.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fetch.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fetch-pinned.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
apt_without_sources "$tmp/apt" || bail "cannot write an apt configuration in $tmp/apt"
export DL="$tmp/dl" CACHE_DIR="$tmp/cache" BUNDLE='' MIRRORS=''
sha() { sha256sum <"$1" | cut -d' ' -f1; }
name=enclave-kit-test version=1:1.0-1 file=enclave-kit-test_1.0-1_all.deb
printf 'the package\n' >"$tmp/good" && printf 'evil\n' >"$tmp/evil" || bail "cannot write $tmp"
want=$(sha "$tmp/good") evil=$(sha "$tmp/evil")
fetch() { "$TOP/scripts/fetch-pinned" "$name" "$version" all "$file" "$want" >"$tmp/out" 2>&1; }
# bundle_with FILE: a bundle whose input $file holds FILE's bytes.
bundle_with() {
	rm -rf "$tmp/b" && mkdir -p "$tmp/b/enclave-kit-bundle/inputs" && cp "$1" "$tmp/b/enclave-kit-bundle/inputs/$file" &&
		tar -C "$tmp/b" -cf "$tmp/bundle.tar" enclave-kit-bundle
}
placed() { [ -e "$1" ] && sha "$1" || echo absent; }

# Nowhere: one error with the file, its sha256 and every place tried.
fetch
is "$?" 1 "a file no place has is an error"
is "$(grep -c '^fetch-pinned:' "$tmp/out")" 1 "one error" || sed 's/^/# /' "$tmp/out"
is "$(grep -c "^fetch-pinned: $file ($name $version all, sha256 $want) was found in none of the places tried" "$tmp/out")" 1 \
	"it names the file, its version and its sha256"
for place in "dl/: *no $DL/$file" "cache: *no $CACHE_DIR/dl/$want" "bundle: *BUNDLE not set" \
	"apt: *does not offer $name $version" "mirrors: *MIRRORS not set" "Put a copy with that sha256 in $DL/"; do
	is "$(grep -c "^ *$place" "$tmp/out")" 1 "it lists: $place"
done

# Mirrors: a missing URL and a wrong file are passed over; the placeholders are filled in.
mkdir -p "$tmp/m/bad/$name/$version/all" "$tmp/m/good" || bail "cannot create $tmp/m"
cp "$tmp/evil" "$tmp/m/bad/$name/$version/all/$file" && cp "$tmp/good" "$tmp/m/good/$want" || bail "cannot fill $tmp/m"
MIRRORS="file://$tmp/m/none/{filename} file://$tmp/m/bad/{name}/{version}/{arch}/{filename}" fetch
is "$?" 1 "mirrors that have only a wrong file do not do"
is "$(grep -c "mirror: *file://$tmp/m/bad/$name/$version/all/$file gave sha256 $evil (refused)" "$tmp/out") $(grep -c "mirror: *file://$tmp/m/none/$file: " "$tmp/out")" \
	"1 1" "the error says what each mirror gave" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file")" absent "nothing reaches dl/ from them"
MIRRORS="file://$tmp/m/none/{filename} file://$tmp/m/bad/{name}/{version}/{arch}/{filename} file://$tmp/m/good/{sha256}" fetch
ok $? "the third mirror has it" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file") $(placed "$CACHE_DIR/dl/$want")" "$want $want" "it is in dl/ and in the cache, keyed by its sha256"
is "$(grep -c "(from file://$tmp/m/good/$want)" "$tmp/out")" 1 "the fetch says where it came from"

# dl/: a wrong copy is refused and kept for inspection.
cp "$tmp/evil" "$DL/$file"
fetch
is "$?" 1 "a wrong copy in dl/ is refused"
is "$(grep -c "^fetch-pinned: $file in dl/ ($DL/$file) has sha256 $evil, but the lock pins $want" "$tmp/out")" 1 \
	"the error names the file, where it is, its sha256 and the pinned one" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file")" "$evil" "the refused copy is left as it was"

# The cache fills dl/; a wrong cache entry is refused.
rm -f "$DL/$file"
fetch
ok $? "a good cache entry fills dl/"
is "$(placed "$DL/$file") $(grep -c '(from cache)' "$tmp/out")" "$want 1" "from the cache"
rm -f "$DL/$file" && cp "$tmp/evil" "$CACHE_DIR/dl/$want"
fetch
is "$?" 1 "a wrong cache entry is refused"
is "$(grep -c "^fetch-pinned: $file in the cache ($CACHE_DIR/dl/$want) has sha256 $evil, but the lock pins $want" "$tmp/out")" 1 \
	"the error names the cache entry and both hashes" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file") $(placed "$CACHE_DIR/dl/$want")" "absent $evil" "nothing reaches dl/ and the entry is left as it was"

# The bundle fills dl/ and the cache; a wrong file in it is refused.
rm -f "$CACHE_DIR/dl/$want"
bundle_with "$tmp/good" || bail "cannot write $tmp/bundle.tar"
BUNDLE=$tmp/bundle.tar fetch
ok $? "a bundle with the file fills dl/" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file") $(placed "$CACHE_DIR/dl/$want") $(grep -c "(from bundle $tmp/bundle.tar)" "$tmp/out")" "$want $want 1" \
	"dl/ and the cache have it, from the bundle"
rm -f "$DL/$file" "$CACHE_DIR/dl/$want"
bundle_with "$tmp/evil" || bail "cannot write $tmp/bundle.tar"
BUNDLE=$tmp/bundle.tar MIRRORS="file://$tmp/m/good/{sha256}" fetch
is "$?" 1 "a wrong file in the bundle is refused, even when a mirror has a good one"
is "$(grep -c "^fetch-pinned: $file in the bundle ($tmp/bundle.tar, member enclave-kit-bundle/inputs/$file) has sha256 $evil, but the lock pins $want" "$tmp/out")" 1 \
	"the error names the bundle, the member and both hashes" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file") $(placed "$CACHE_DIR/dl/$want")" "absent absent" "nothing reaches dl/ or the cache"
BUNDLE=$tmp/no-such.tar fetch
is "$?" 1 "a BUNDLE that does not exist is an error"
is "$(grep -c "BUNDLE=$tmp/no-such.tar: no such readable file" "$tmp/out")" 1 "that names it"

# apt: a package whose version has an epoch (apt-get download writes NAME_1%3a1.0-1_all.deb, the
# lock names the pool file NAME_1.0-1_all.deb) is found. A local file: repository, no network.
# test_deb NAME VERSION FILE: a .deb in the repository, and its Packages stanza.
test_deb() {
	rm -rf "$tmp/deb" && mkdir -p "$tmp/deb/DEBIAN" "$tmp/repo" &&
		printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: t\n' \
		"$1" "$2" >"$tmp/deb/DEBIAN/control" && dpkg-deb -b --root-owner-group "$tmp/deb" "$tmp/repo/$3" >/dev/null ||
		bail "cannot build a test .deb"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nFilename: ./%s\nSize: %s\nSHA256: %s\nDescription: t\n\n' \
		"$1" "$2" "$3" "$(wc -c <"$tmp/repo/$3")" "$(sha "$tmp/repo/$3")" >>"$tmp/repo/Packages"
}
test_deb "$name" "$version" pkg.deb
test_deb enclave-kit-second 2.0-1 second.deb
debsha=$(sha "$tmp/repo/pkg.deb") sha2=$(sha "$tmp/repo/second.deb")
echo "deb [trusted=yes] file:$tmp/repo ./" >"$tmp/apt/sources.list.d/local.list"
apt-get -q -o APT::Sandbox::User=root update >"$tmp/update.log" 2>&1 || { sed 's/^/# /' "$tmp/update.log"; bail "apt-get update of $tmp/repo failed"; }
rm -rf "$DL" "$CACHE_DIR"
"$TOP/scripts/fetch-pinned" "$name" "$version" all "$file" "$debsha" >"$tmp/out" 2>&1
ok $? "apt's download of a version with an epoch is found" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/$file") $(grep -c '(from apt)' "$tmp/out")" "$debsha 1" "it is in dl/ under the lock's file name, from apt"

# Several files (--stdin, as scripts/toolchain-root gives them): one apt-get download for all;
# when it fails (one version is not offered), each is asked for on its own, and only the missing
# one is an error.
rm -rf "$DL" "$CACHE_DIR"
two="$name $version all $file $debsha
enclave-kit-second 2.0-1 all enclave-kit-second_2.0-1_all.deb $sha2"
printf '%s\n' "$two" | "$TOP/scripts/fetch-pinned" --stdin >"$tmp/out" 2>&1
ok $? "fetch-pinned --stdin fetches two .debs" || sed 's/^/# /' "$tmp/out"
is "$(grep -c 'downloading 2 .debs in one call' "$tmp/out") $(grep -c '(from apt)' "$tmp/out")" "1 2" \
	"in one apt-get download" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/enclave-kit-second_2.0-1_all.deb")" "$sha2" "each checked and in dl/ under its file name"
is "$(find "$DL" -name '.apt.*' | wc -l | tr -d ' ')" 0 "the batch's directory is gone"
rm -rf "$DL" "$CACHE_DIR"
printf '%s\nenclave-kit-second 3.0-1 all enclave-kit-second_3.0-1_all.deb %s\n' "$two" "$evil" |
	"$TOP/scripts/fetch-pinned" --stdin >"$tmp/out" 2>&1
is "$?" 1 "fetch-pinned --stdin with a version apt does not offer fails"
is "$(grep -c 'apt-get download of them all failed' "$tmp/out") $(grep -c '(from apt)' "$tmp/out")" "1 2" \
	"after fetching the other two file by file" || sed 's/^/# /' "$tmp/out"
is "$(grep -c 'apt:      does not offer enclave-kit-second 3.0-1 (newest offered: 2.0-1)' "$tmp/out")" 1 \
	"and the error names the missing one"
echo 'not a line' | "$TOP/scripts/fetch-pinned" --stdin >"$tmp/out" 2>&1
is "$?" 2 "a malformed --stdin line is a usage error"

# A .deb of an architecture the host's apt does not list (dpkg has no arm64 here: ARCH=aarch64's
# musl-dev) is not asked of apt, in one call or alone; its POOL-PATH in the Debian archive
# (DEBIAN_MIRROR, a file: URL here) is the next place.
foreign=$(dpkg --print-foreign-architectures | grep -qx s390x && echo riscv64 || echo s390x)
mkdir -p "$tmp/archive/pool/main/f/foreign" && cp "$tmp/good" "$tmp/archive/pool/main/f/foreign/foreign_1.0_$foreign.deb" ||
	bail "cannot fill $tmp/archive"
rm -rf "$DL" "$CACHE_DIR"
printf '%s\nforeign 1.0 %s foreign_1.0_%s.deb %s pool/main/f/foreign/foreign_1.0_%s.deb\n' "$two" "$foreign" "$foreign" "$want" "$foreign" |
	DEBIAN_MIRROR="file://$tmp/archive" "$TOP/scripts/fetch-pinned" --stdin >"$tmp/out" 2>&1
ok $? "fetch-pinned --stdin with a $foreign .deb and its pool path" || sed 's/^/# /' "$tmp/out"
is "$(grep -c 'downloading 2 .debs in one call' "$tmp/out") $(grep -c 'apt-get download of them all failed' "$tmp/out")" "1 0" \
	"apt is asked, in one call, only for the two it lists" || sed 's/^/# /' "$tmp/out"
is "$(placed "$DL/foreign_1.0_$foreign.deb") $(grep -c "(from file://$tmp/archive/pool/main/f/foreign/foreign_1.0_$foreign.deb)" "$tmp/out")" "$want 1" \
	"the $foreign one comes from the archive, by its pool path"
rm -rf "$DL" "$CACHE_DIR" "$tmp/archive"
DEBIAN_MIRROR="file://$tmp/archive" "$TOP/scripts/fetch-pinned" foreign 1.0 "$foreign" "foreign_1.0_$foreign.deb" "$want" "pool/main/f/foreign/foreign_1.0_$foreign.deb" \
	>"$tmp/out" 2>&1
is "$?" 1 "with the archive gone, the $foreign .deb is not found"
is "$(grep -c "apt:      lists no $foreign packages (dpkg has no $foreign architecture)" "$tmp/out") $(grep -c '^    archive: .*/pool/main/f/foreign/' "$tmp/out")" "1 1" \
	"the error says why apt was not asked, and names the archive URL tried" || sed 's/^/# /' "$tmp/out"
rm -f "$tmp/apt/sources.list.d/local.list" "$tmp/apt/lists/"*_Packages

# The pinned inputs are the locks' own: every source package and the QEMU source, with a sha256.
"$TOP/scripts/fetch-pinned" --list >"$tmp/list" 2>&1
ok $? "fetch-pinned --list"
for input in linux-source-6.12 qemu; do
	is "$(awk -v n="$input" '$1 == n && NF == 5 && length($5) == 64 && $5 !~ /[^0-9a-f]/ { c++ } END { print c + 0 }' "$tmp/list")" 1 \
		"$input is pinned with a sha256"
done
kernel=$(awk '$1 == "source" && $2 == "linux-source-6.12" { print $2, $3, "all", $2 "_" $3 "_all.deb", $4 }' "$TOP/configs/sources.lock")
is "$(grep -c "^$kernel\$" "$tmp/list")" 1 "the kernel source line is the lock's, with the file name make uses"

# Through make: a tampered kernel source package in dl/ stops the build before anything is unpacked.
deb=$(awk '$1 ~ /^linux-source-/ { print $4 }' "$tmp/list")
mkdir -p "$tmp/dl-make" && cp "$tmp/evil" "$tmp/dl-make/$deb" || bail "cannot write $tmp/dl-make"
make --no-print-directory -s -C "$TOP" O="$tmp/o" DL="$tmp/dl-make" "$tmp/o/stamp/kernel-source" >"$tmp/make.out" 2>&1
is "$?" 2 "make refuses a tampered $deb in dl/"
is "$(grep -c "$tmp/dl-make/$deb: sha256 $evil, configs/sources.lock expects" "$tmp/make.out")" 1 \
	"the error names the file and both hashes" || sed 's/^/# /' "$tmp/make.out"
is "$(ls "$tmp/o/kernel/build" 2>/dev/null | wc -l | tr -d ' ')" 0 "nothing is unpacked"
done_testing
