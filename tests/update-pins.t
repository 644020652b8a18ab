#!/bin/sh
# scripts/update-pins moves the pins to what apt offers, on a copy of the tree (scripts/,
# kernel/update-lock, configs/), always with --no-build or where make fails at once (the copy has
# no Makefile), so no kernel is built:
#   - with the host's apt, a second run finds every pin offered: every lock stays byte-identical
#     and it says nothing moved (the first run moves only what apt no longer has as candidate);
#   - with the host's lists plus a local file: repository offering a newer linux-source-6.12 and
#     newer bc and linux-libc-dev-arm64-cross, exactly those lines move, with the right sha256s,
#     and the toolchain root's bc line with them;
#   - a failure before the locks are put in place leaves them all unchanged and says so; a failure
#     after (the build) names the locks already rewritten;
#   - --compare prints, PCR by PCR, old -> new or unchanged;
#   - a --kernel VERSION apt does not offer fails, naming it, and changes nothing;
#   - the arm64 musl-dev `deb` line follows musl-dev, from arm64 lists fetched from Debian.
# The host's apt lists are copied, not updated, for the local repository: the test reads the same
# archive as the host. Only the arm64 case uses the network (Debian's arm64 lists, about 10 s).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fetch.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/update-pins.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
sha() { sha256sum <"$1" | cut -d' ' -f1; }
t=$tmp/tree
mkdir -p "$t/kernel" && cp -R "$TOP/scripts" "$TOP/configs" "$t/" && cp "$TOP/kernel/update-lock" "$t/kernel/" ||
	bail "cannot copy the tree into $t"
locks='sources.lock sources-aarch64.lock toolchain.lock toolchain.packages expected-pcr.json expected-pcr-aarch64.json'
snapshot() { rm -rf "$tmp/$1" && mkdir "$tmp/$1" && (cd "$t/configs" && cp $locks "$tmp/$1/"); }
# same SNAPSHOT: every lock of the copy is byte-identical to the snapshot (else the diff).
same() { (cd "$t/configs" && for l in $locks; do cmp -s "$l" "$tmp/$1/$l" || diff -u "$tmp/$1/$l" "$l"; done) >"$tmp/diff" && [ ! -s "$tmp/diff" ]; }
pins() { "$t/scripts/update-pins" "$@" >"$tmp/out" 2>&1; }
# changed FILE: the lines of the copy's FILE that are new since snapshot "before".
changed() { diff "$tmp/before/$1" "$t/configs/$1" | sed -n 's/^> //p'; }

# (a) The host's apt, twice: the second run is a fixpoint.
unset APT_CONFIG
snapshot original || bail "cannot snapshot $t/configs"
pins --no-build
ok $? "update-pins --no-build with the host's apt" || sed 's/^/# /' "$tmp/out"
# Each tool line the first run moved is said, old -> new, and nothing else moved.
said=$(sed -n 's/^update-pins: tool: \([^ ]*\) \([^ ]*\) -> \([^ ]*\)$/tool \1 \3/p' "$tmp/out" | sort)
is "$(diff "$tmp/original/sources.lock" "$t/configs/sources.lock" | sed -n 's/^> \(tool [^ ]* [^ ]*\) .*/\1/p' | sort)" "$said" \
	"the tool lines it moved are the ones it names" || sed 's/^/# /' "$tmp/out"
snapshot before
pins --no-build
ok $? "update-pins --no-build again" || sed 's/^/# /' "$tmp/out"
same before
ok $? "every lock is byte-identical when apt offers the pinned versions" || sed 's/^/# /' "$tmp/diff"
is "$(grep -c '^update-pins: nothing moved' "$tmp/out") $(grep -c -e ' -> ' -e 'rewritten' "$tmp/out")" "1 0" \
	"it says nothing moved" || sed 's/^/# /' "$tmp/out"

# The arm64 musl-dev .deb follows musl-dev: with its line set back to another version, the arm64
# lists of the host's sources (fetched into a temporary directory: Debian's network) give back
# the exact line, pool path and sha256.
musl=$(awk '$1 == "tool" && $2 == "musl-dev" { print $3 }' "$t/configs/sources.lock")
sed "s|^deb [^ ]*/musl-dev_[^ ]*_arm64\.deb .*|deb pool/main/m/musl/musl-dev_0-0_arm64.deb 0-0 -|" \
	"$tmp/before/sources-aarch64.lock" >"$t/configs/sources-aarch64.lock"
start=$(date +%s)
pins --no-build
ok $? "update-pins --no-build with the arm64 musl-dev line set back" || sed 's/^/# /' "$tmp/out"
diag "it took $(($(date +%s) - start)) s, arm64 lists included"
is "$(grep -c "^update-pins: deb: arm64 musl-dev 0-0 -> $musl " "$tmp/out")" 1 "it says the arm64 musl-dev moved" || sed 's/^/# /' "$tmp/out"
same before
ok $? "the line is the published one again, and nothing else moved" || sed 's/^/# /' "$tmp/diff"

# (d) A kernel version apt does not offer.
pins --no-build --kernel 6.12.0-0~nosuch
is "$?" 1 "--kernel with a version apt does not offer fails"
is "$(grep -c "^update-pins: --kernel 6.12.0-0~nosuch: apt does not offer linux-source-6.12 6.12.0-0~nosuch" "$tmp/out")" 1 \
	"the error names the version" || sed 's/^/# /' "$tmp/out"
same before
ok $? "and every lock is unchanged" || sed 's/^/# /' "$tmp/diff"
is "$(find "$t/configs" -name '*tmp*' -o -name '*.new' | wc -l | tr -d ' ')" 0 "no temporary file is left in configs/"

# (b) A local repository offers a newer kernel source and two newer tools.
apt_without_sources "$tmp/apt" || bail "cannot write an apt configuration in $tmp/apt"
cp /etc/apt/sources.list.d/debian.sources "$tmp/apt/sources.list.d/" || bail "cannot copy the host's debian.sources"
mkdir -p "$tmp/repo" || bail "cannot create $tmp/repo"
# fake_deb NAME VERSION ARCH [DEPENDS]: a .deb of the files under $tmp/root in the repository,
# REPO/NAME.deb, and its Packages stanza.
fake_deb() {
	mkdir -p "$tmp/root/DEBIAN" && {
		printf 'Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: t <t@example.org>\n' "$1" "$2" "$3"
		[ -z "${4-}" ] || printf 'Depends: %s\n' "$4"
		printf 'Description: a test package of update-pins.t\n'
	} >"$tmp/root/DEBIAN/control" && dpkg-deb -b --root-owner-group "$tmp/root" "$tmp/repo/$1.deb" >/dev/null &&
		rm -rf "$tmp/root" && {
		dpkg-deb -f "$tmp/repo/$1.deb" Package Version Architecture Depends
		printf 'Filename: ./%s.deb\nSize: %s\nSHA256: %s\nDescription: t\n\n' "$1" "$(wc -c <"$tmp/repo/$1.deb")" "$(sha "$tmp/repo/$1.deb")"
	} >>"$tmp/repo/Packages"
}
kv=6.12.999-1~test1 bcv=1.07.1-3+b9 xv=6.1.4-1cross9
mkdir -p "$tmp/root/usr/src" && echo 'not a kernel' | xz >"$tmp/root/usr/src/linux-source-6.12.tar.xz" ||
	bail "cannot write the fake kernel tarball"
member_sha=$(sha "$tmp/root/usr/src/linux-source-6.12.tar.xz")
bcdeps=$(apt-cache show "bc=$(awk '$1 == "tool" && $2 == "bc" { print $3 }' "$t/configs/sources.lock")" | sed -n 's/^Depends: //p' | head -n 1)
fake_deb linux-source-6.12 "$kv" all && fake_deb bc "$bcv" amd64 "$bcdeps" &&
	fake_deb linux-libc-dev-arm64-cross "$xv" all || bail "cannot build the test .debs"
echo "deb [trusted=yes] file:$tmp/repo ./" >"$tmp/apt/sources.list.d/local.list"
# The host's lists, then an update of the local repository alone (List-Cleanup keeps the others).
cp /var/lib/apt/lists/*_InRelease /var/lib/apt/lists/*_Packages* "$tmp/apt/lists/" 2>/dev/null
apt-get -q -o APT::Sandbox::User=root -o APT::Get::List-Cleanup=0 -o Dir::Etc::sourceparts=- \
	-o Dir::Etc::sourcelist="$tmp/apt/sources.list.d/local.list" update >"$tmp/update.log" 2>&1 ||
	{ sed 's/^/# /' "$tmp/update.log"; bail "apt-get update of $tmp/repo failed"; }
is "$(apt-cache policy linux-source-6.12 bc | sed -n 's/^ *Candidate: //p' | tr '\n' ' ')" "$kv $bcv " \
	"the private apt offers the fake kernel source and bc as candidates"

# A failure before the locks are put in place (toolchain-lock cannot resolve) changes nothing.
echo enclave-kit-no-such-package >>"$t/configs/toolchain.packages"
pins --no-build
is "$?" 1 "a step that fails makes update-pins fail"
is "$(grep -c '^update-pins: scripts/toolchain-lock failed' "$tmp/out") $(grep -c '^update-pins: no file of configs/ was changed' "$tmp/out")" \
	"1 1" "it names the step and says nothing was changed" || sed 's/^/# /' "$tmp/out"
cp "$tmp/before/toolchain.packages" "$t/configs/toolchain.packages"
same before
ok $? "every lock is unchanged, though the kernel and tools had moved in its copy" || sed 's/^/# /' "$tmp/diff"

pins --no-build
ok $? "update-pins --no-build with the local repository" || sed 's/^/# /' "$tmp/out"
for move in "kernel: linux-source-6.12 6.12.118-1~deb12u1 -> $kv" "tool: bc 1.07.1-3+b1 -> $bcv" \
	"tool: linux-libc-dev-arm64-cross 6.1.4-1cross1 -> $xv"; do
	is "$(grep -c "^update-pins: $move" "$tmp/out")" 1 "it says $move" || sed 's/^/# /' "$tmp/out"
done
is "$(grep -c ' -> ' "$tmp/out")" 3 "and no other move" || sed 's/^/# /' "$tmp/out"
is "$(changed sources.lock)" "source linux-source-6.12 $kv $(sha "$tmp/repo/linux-source-6.12.deb")
member usr/src/linux-source-6.12.tar.xz $kv $member_sha
tool bc $bcv $(sha "$tmp/repo/bc.deb")" "sources.lock: exactly the kernel and bc lines moved, with the right sha256s"
is "$(diff "$tmp/before/sources.lock" "$t/configs/sources.lock" | grep -c '^<')" 3 "and they replaced the old ones"
is "$(changed sources-aarch64.lock)" "tool linux-libc-dev-arm64-cross $xv $(sha "$tmp/repo/linux-libc-dev-arm64-cross.deb")" \
	"sources-aarch64.lock: exactly the linux-libc-dev-arm64-cross line moved"
is "$(changed toolchain.lock)" "bc $bcv amd64 $(sha "$tmp/repo/bc.deb") ./bc.deb" \
	"toolchain.lock: the closure has the new bc and nothing else new"
is "$(grep -c '^update-pins: rewritten: configs/sources.lock configs/sources-aarch64.lock configs/toolchain.lock$' "$tmp/out")" 1 \
	"it names the locks it rewrote" || sed 's/^/# /' "$tmp/out"

# A failure after the locks are in place (the copy has no Makefile: make stops at once) names them.
snapshot moved
for l in sources.lock sources-aarch64.lock toolchain.lock; do cp "$tmp/before/$l" "$t/configs/$l"; done
pins
is "$?" 1 "a failing build makes update-pins fail"
is "$(grep -c '^update-pins: make ARCH=x86_64 failed' "$tmp/out") $(grep -c '^update-pins: already rewritten: configs/sources.lock configs/sources-aarch64.lock configs/toolchain.lock (see git diff configs/' "$tmp/out")" \
	"1 1" "it says the build failed and which locks it had rewritten" || sed 's/^/# /' "$tmp/out"
same moved
ok $? "those locks are the moved ones; expected-pcr.json is untouched" || sed 's/^/# /' "$tmp/diff"

# (c) The PCR comparison.
a=aaaa b=bbbb c=cccc
printf '{\n  "HashAlgorithm": "Sha384 { ... }",\n  "PCR0": "%s",\n  "PCR1": "%s",\n  "PCR2": "%s"\n}\n' "$a" "$b" "$c" >"$tmp/old.json"
printf '{\n  "HashAlgorithm": "Sha384 { ... }",\n  "PCR0": "%s",\n  "PCR1": "%s",\n  "PCR2": "%s"\n}\n' "$a" "$c" "$b" >"$tmp/new.json"
pins --compare "$tmp/old.json" "$tmp/new.json"
ok $? "--compare of two pcr.json files"
is "$(cat "$tmp/out")" "  PCR0: unchanged
  PCR1: $b -> $c
  PCR2: $c -> $b" "it prints each PCR: unchanged, or old -> new"
pins --compare "$TOP/configs/expected-pcr.json" "$TOP/configs/expected-pcr.json"
is "$(grep -c ': unchanged$' "$tmp/out") $(wc -l <"$tmp/out" | tr -d ' ')" "3 3" "the published PCRs against themselves: 3 unchanged"
pins --compare "$tmp/old.json" "$t/configs/sources.lock"
is "$?" 1 "--compare of a file that is no pcr.json fails"
is "$(grep -c "$t/configs/sources.lock has no \"PCRn\"" "$tmp/out")" 1 "naming it" || sed 's/^/# /' "$tmp/out"
done_testing
