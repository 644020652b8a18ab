#!/bin/sh
# eif sbom writes, in one process, the same bytes as the shell scripts/sbom it replaced
# (tests/data/sbom-oracle.sh): for the default build, for a tree with awkward names, modes,
# hard links, FIFOs and symlinks, for a tar, and for a lock with control characters and
# odd blanks; with the user ramdisk's record instead of the tree. For a cross build (--arch
# aarch64, a second lock) it names the Image and the second lock's tool and deb packages, and
# refuses a deb line that is no archive path. With --toolchain-lock every .deb of the toolchain
# root is a tool of the kernel, its .config, nsm.ko and init, and a malformed toolchain lock is
# refused by line; scripts/sbom names the toolchain OUTDIR/kernel/toolchain records. And it
# fails cleanly when an output is missing.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/sbom.sh"
for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
	[ -f "$O/$f" ] || bail "$O/$f is missing: run make first"
done
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT INT TERM
export SOURCE_DATE_EPOCH=1735689600
# The oracle reads configs/sources.lock and Makefile next to it; outside git, commit "unknown".
top=$work/top
mkdir -p "$top/scripts" "$top/configs" && cp "$TOP/tests/data/sbom-oracle.sh" "$top/scripts/sbom" &&
	cp "$TOP/Makefile" "$top/" && cp "$TOP/configs/sources.lock" "$top/configs/" || bail "cannot copy the oracle"
same() {	# same APP NAME: eif sbom and the oracle agree byte for byte
	"$top/scripts/sbom" "$O" "$1" >"$work/want.json" 2>"$work/want.err" || bail "the oracle failed on $2: $(cat "$work/want.err")"
	"$EIF" sbom "$O" --app "$1" --lock "$top/configs/sources.lock" --version 0.1.0 >"$work/got.json" 2>"$work/got.err"
	ok $? "eif sbom succeeds on $2" || sed 's/^/#   /' "$work/got.err"
	cmp -s "$work/want.json" "$work/got.json"
	ok $? "eif sbom writes the oracle's bytes for $2" || diff "$work/want.json" "$work/got.json" | head -8 | sed 's/^/#   /'
}
same "$TOP/examples/hello" "the hello example's sources"
[ -d "$O/examples/hello/rootfs" ] && same "$O/examples/hello/rootfs" "the default APP"

app=$work/app
mkdir -p "$app/dir/sub" && printf 'x' >"$app/dir/a b" && printf 'y' >"$app/tab$(printf '\t')n" &&
	printf 'z' >"$app/new
line" && printf '' >"$app/empty" && ln -s 'target x' "$app/link" && ln -s ../dir "$app/dir/sub/up" &&
	ln "$app/dir/a b" "$app/hard" && mkfifo "$app/dir/fifo" && printf 'b' >"$app/back\\slash" &&
	chmod 4755 "$app/dir/a b" && chmod 1777 "$app/dir/sub" && chmod 2711 "$app/dir" &&
	chmod 0 "$app/empty" || bail "cannot create the tree"
same "$app" "a tree with awkward names, modes, links and a FIFO"
chmod 0644 "$app/empty"
tar -C "$app" -cf "$work/app.tar" . || bail "tar failed"
same "$work/app.tar" "a tar APP"

ctl=$(printf 'q"b\\s\001\002\b\f\r\013\033\037\177e')
printf 'tool evil%s 1.0%s -\n' "$ctl" "$ctl" >>"$top/configs/sources.lock"
printf 'tool \t spaced\t 2.0  abc def  \n# comment\n\nunknown kind here\ntool no-newline 1 -' >>"$top/configs/sources.lock"
same "$app" "a lock with control characters, blanks and no final newline"

# With eif cpio's record of the user ramdisk, the tree is not read again: the same bytes from
# the record, the packed content even when the tree changed since, and no use of a record
# that is not that of OUTDIR/ramdisk/user.cpio.
rec=$work/rec-out
mkdir -p "$rec/ramdisk" "$rec/kernel" && for f in bzImage nsm.ko init ramdisk/system.cpio enclave.eif kernel/config; do
	cp "$O/$f" "$rec/$f" || bail "cannot copy $f"
done
tree=$work/tree
mkdir -p "$tree" && cp -a "$app/." "$tree/" && rm -f "$tree/new"* "$tree/tab"* || bail "cannot copy the tree"
"$EIF" cpio --dir rootfs="$tree" --record "$rec/ramdisk/user.record" -o "$rec/ramdisk/user.cpio" ||
	bail "cannot pack the tree"
with_record() { "$EIF" sbom "$rec" --app "$tree" --lock "$top/configs/sources.lock" --version 0.1.0 --record "$rec/ramdisk/user.record"; }
"$top/scripts/sbom" "$rec" "$tree" >"$work/want.json" 2>/dev/null || bail "the oracle failed"
with_record >"$work/got.json"
cmp -s "$work/want.json" "$work/got.json"
ok $? "--record: the oracle's bytes for a tree with links, a FIFO, setuid and sticky bits" ||
	diff "$work/want.json" "$work/got.json" | head -8 | sed 's/^/#   /'
printf 'changed after packing' >"$tree/dir/a b"
with_record >"$work/got2.json"
cmp -s "$work/want.json" "$work/got2.json"
ok $? "--record: the content as packed, not as the tree holds it now (the tree is not read)"
"$EIF" cpio --dir rootfs="$tree" -o "$rec/ramdisk/user.cpio" || bail "cannot pack the tree again"
"$top/scripts/sbom" "$rec" "$tree" >"$work/want3.json" 2>/dev/null || bail "the oracle failed"
with_record >"$work/got3.json"
cmp -s "$work/want3.json" "$work/got3.json" && ! cmp -s "$work/want.json" "$work/got3.json"
ok $? "--record of other bytes than ramdisk/user.cpio: not used, the tree is read"
# A record whose mode is not octal digits is refused, not read as far as strtoul gets.
"$EIF" cpio --dir rootfs="$tree" --record "$rec/ramdisk/user.record" -o "$rec/ramdisk/user.cpio" ||
	bail "cannot pack the tree with a record"
awk -F '\t' -v OFS='\t' '$1 == "entry" && $10 == "dir" && !bad { $5 = "07x5"; bad = 1 } { print }' \
	"$rec/ramdisk/user.record" >"$work/bad.record" && mv "$work/bad.record" "$rec/ramdisk/user.record" ||
	bail "cannot edit the record"
with_record >"$work/got4.json" 2>"$work/err"
is "$?" 1 "--record with a mode that is not 4 octal digits: refused"
grep -q "mode '07x5', not 4 octal digits" "$work/err"; ok $? "and the mode is named" || sed 's/^/#   /' "$work/err"

# scripts/sbom in a git repository without a commit yet: the commit is "unknown" (the shell
# script wrote "HEAD", a newline and "unknown").
fresh=$work/fresh
mkdir -p "$fresh/scripts" "$fresh/configs" || bail "cannot create $fresh"
for f in scripts/sbom scripts/toolchain-of.sh scripts/toolchain-root Makefile configs/sources.lock configs/toolchain.lock; do
	cp "$TOP/$f" "$fresh/$f" || bail "cannot copy $f"
done
git init -q "$fresh" || bail "cannot make a fresh repository"
EIF=$EIF "$fresh/scripts/sbom" "$O" "$TOP/examples/hello" >"$work/fresh.json" 2>"$work/err"
ok $? "scripts/sbom runs in a repository without commits" || sed 's/^/#   /' "$work/err"
is "$(jq -r '.packages[] | select(.name == "enclave-kit") | .versionInfo' "$work/fresh.json")" unknown \
	"and names the commit 'unknown'"

# scripts/sbom names the toolchain make used: the one OUTDIR/kernel/toolchain records (make's
# "root KEY" or "host"), and refuses a TOOLCHAIN or lock that is not the recorded one.
tco=$work/tc-out
mkdir -p "$tco/ramdisk" "$tco/kernel" && for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
	cp "$O/$f" "$tco/$f" || bail "cannot copy $f"
done
key=$("$TOP/scripts/toolchain-root" --key) || bail "scripts/toolchain-root --key failed"
script_sbom() { EIF=$EIF "$fresh/scripts/sbom" "$tco" "$TOP/examples/hello" >"$work/s.json" 2>"$work/err"; }
echo "root $key" >"$tco/kernel/toolchain"
script_sbom; ok $? "scripts/sbom on a build in the root of configs/toolchain.lock" || sed 's/^/#   /' "$work/err"
is "$(sbom_toolchain_missing "$work/s.json" "$TOP/configs/toolchain.lock" SPDXRef-File-bzImage)" "" \
	"lists every .deb of configs/toolchain.lock as a tool of the kernel, nsm.ko and init"
TOOLCHAIN=host script_sbom
is "$?:$(cat "$work/err")" "1:sbom: $tco/kernel/toolchain says 'root $key' built the kernel, not 'host' (TOOLCHAIN=host); run make with that toolchain first" \
	"TOOLCHAIN=host for that build is refused"
echo host >"$tco/kernel/toolchain"
script_sbom; ok $? "scripts/sbom on a build with the host's tools" || sed 's/^/#   /' "$work/err"
is "$(jq -r '[.packages[] | select(.SPDXID | startswith("SPDXRef-Toolchain-"))] | length' "$work/s.json")" 0 \
	"lists no toolchain .deb"
TOOLCHAIN=root script_sbom
is "$?:$(cat "$work/err")" "1:sbom: $tco/kernel/toolchain says 'host' built the kernel, not 'root $key' (TOOLCHAIN=root); run make with that toolchain first" \
	"TOOLCHAIN=root for that build is refused"
echo "root $key" >"$tco/kernel/toolchain"
grep -v '^bc ' "$TOP/configs/toolchain.lock" >"$work/other-toolchain.lock"
other=$("$TOP/scripts/toolchain-root" --key --lock "$work/other-toolchain.lock")
TOOLCHAIN_LOCK=$work/other-toolchain.lock script_sbom
is "$?:$(cat "$work/err")" "1:sbom: $tco/kernel/toolchain says 'root $key' built the kernel, not 'root $other' (TOOLCHAIN=root, TOOLCHAIN_LOCK=$work/other-toolchain.lock); run make with that toolchain first" \
	"another toolchain lock than the one that built it is refused"
TOOLCHAIN=cross script_sbom
is "$?:$(cat "$work/err")" "2:sbom: TOOLCHAIN=cross: use root (the root of configs/toolchain.lock) or host" "TOOLCHAIN=cross is a usage error"

# A cross build (make ARCH=aarch64 on x86_64): --arch aarch64 names OUTDIR/Image, the second
# lock's packages say which lock pins them, and its deb line (an archive path) is NAME:ARCH.
a64=$work/a64
mkdir -p "$a64/ramdisk" "$a64/kernel" "$work/configs" && cp "$O/bzImage" "$a64/Image" &&
	for f in nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
		cp "$O/$f" "$a64/$f" || bail "cannot copy $f"
	done
sha_a=$(printf a | sha256sum | cut -c1-64) sha_b=$(printf b | sha256sum | cut -c1-64)
cross=$work/configs/sources-aarch64.lock
printf 'tool gcc-cross 1.0 %s
deb pool/main/m/musl/musl-dev_1.2.3-1_arm64.deb 1.2.3-1 %s
' "$sha_a" "$sha_b" >"$cross"
a64_sbom() { "$EIF" sbom "$a64" --app "$app" --lock "$top/configs/sources.lock" --version 0.1.0 "$@"; }
a64_sbom --arch aarch64 --lock "$cross" >"$work/a64.json" 2>"$work/err"
ok $? "eif sbom --arch aarch64 with two locks succeeds" || sed 's/^/#   /' "$work/err"
is "$(jq -r '[.files[].fileName] | map(select(. == "./Image" or . == "./bzImage")) | join(" ")' "$work/a64.json")" ./Image \
	"it names ./Image, no ./bzImage"
is "$(jq -r '.files[] | select(.fileName == "./Image") | .checksums[] | select(.algorithm == "SHA256") | .checksumValue' "$work/a64.json")" \
	"$(sha256sum "$a64/Image" | cut -c1-64)" "with the Image's sha256"
is "$(jq -r '.relationships[] | select(.relatedSpdxElement == "SPDXRef-File-Image") | .spdxElementId' "$work/a64.json")" \
	SPDXRef-File-enclave.eif "the EIF is GENERATED_FROM the Image"
is "$(jq -r --arg h "$sha_b" '.packages[] | select(.name == "musl-dev:arm64") | [.versionInfo, (.checksums[0].checksumValue == $h), .comment] | join(" | ")' "$work/a64.json")" \
	"1.2.3-1 | true | arm64 Debian package pinned in configs/sources-aarch64.lock (sha256 of the .deb), fetched from the archive's pool/main/m/musl/musl-dev_1.2.3-1_arm64.deb and unpacked into the build's output directory, never installed" \
	"a deb line is the package NAME:ARCH with its version, sha256 and lock"
is "$(jq -r '.packages[] | select(.name == "gcc-cross") | .comment' "$work/a64.json")" \
	"toolchain package pinned in configs/sources-aarch64.lock (sha256 of the .deb as the archive lists it; - where it no longer does)" \
	"a tool line of the second lock names that lock"
is "$(jq -r '[.relationships[] | select(.relationshipType == "BUILD_TOOL_OF" and
	(.spdxElementId == "SPDXRef-Package-gcc-cross" or .spdxElementId == "SPDXRef-Package-musl-dev-arm64"))] | length' "$work/a64.json")" 2 \
	"both are BUILD_TOOL_OF the EIF"
printf 'deb musl-dev.deb 1 -\n' >"$work/bad.lock"
a64_sbom --arch aarch64 --lock "$work/bad.lock" >"$work/out.json" 2>"$work/err"
is "$?:$(cat "$work/err")" "1:eif: sbom: $work/bad.lock line 1: deb 'musl-dev.deb' is not a Debian archive path (pool/.../NAME_VERSION_ARCH.deb)" \
	"a deb line without NAME_VERSION_ARCH is refused, by line"
[ ! -s "$work/out.json" ]; ok $? "and nothing is written"
a64_sbom >/dev/null 2>"$work/err"
is "$?:$(cat "$work/err")" "1:eif: sbom: $a64/bzImage is missing; run make first" "without --arch aarch64 the bzImage is looked for"
a64_sbom --arch riscv64 >/dev/null 2>"$work/err"
is "$?" 2 "--arch riscv64 is a usage error"
grep -q "'riscv64': use x86_64 or aarch64" "$work/err"; ok $? "and says which architectures" || sed 's/^/#   /' "$work/err"

# --toolchain-lock (make's TOOLCHAIN=root): every .deb of the toolchain lock is the package
# NAME:ARCH with its version, sha256 and lock, under an id apart from the lock packages of the
# same name (gcc-12 is a tool line of sources.lock too), BUILD_TOOL_OF the outputs made in the
# root and nothing else. Comments, blank lines, tabs and a last line without its newline are
# read as awk reads them. The same inputs give the same bytes.
tc=$work/configs/toolchain.lock
sha_c=$(printf c | sha256sum | cut -c1-64)
printf '# a comment line\n\ngcc-12 12.2.0-14+deb12u1 amd64 %s pool/main/g/gcc-12/gcc-12_12.2.0-14+deb12u1_amd64.deb # trailing comment\n \tdebconf\t1.5.82 all %s  pool/main/d/debconf/debconf_1.5.82_all.deb\t\nlibstdc++6 12.2.0-14+deb12u1 amd64 %s pool/main/g/gcc-12/libstdc++6_12.2.0-14+deb12u1_amd64.deb' \
	"$sha_a" "$sha_b" "$sha_c" >"$tc"
tc_sbom() { "$EIF" sbom "$O" --app "$app" --lock "$top/configs/sources.lock" --version 0.1.0 "$@"; }
tc_sbom --toolchain-lock "$tc" >"$work/tc.json" 2>"$work/err"
ok $? "eif sbom --toolchain-lock succeeds" || sed 's/^/#   /' "$work/err"
tc_sbom --toolchain-lock "$tc" | cmp -s - "$work/tc.json"
ok $? "a second run writes the same bytes"
tc_pkg() {	# NAME: the toolchain package NAME, its fields joined by " | "
	jq -r --arg n "$1" '.packages[] | select(.name == $n) | [.SPDXID, .versionInfo, .supplier,
		([.checksums[] | select(.algorithm == "SHA256") | .checksumValue] | join(",")), .comment] | join(" | ")' "$work/tc.json"
}
into="and unpacked into the toolchain root the kernel, its .config, nsm.ko and init were built in, never installed"
is "$(tc_pkg gcc-12:amd64)" "SPDXRef-Toolchain-gcc-12-amd64 | 12.2.0-14+deb12u1 | Organization: Debian | $sha_a | amd64 Debian package pinned in configs/toolchain.lock (sha256 of the .deb), fetched from the archive's pool/main/g/gcc-12/gcc-12_12.2.0-14+deb12u1_amd64.deb $into" \
	"a toolchain .deb is the package NAME:ARCH with its version, sha256, supplier and lock"
is "$(tc_pkg debconf:all)" "SPDXRef-Toolchain-debconf-all | 1.5.82 | Organization: Debian | $sha_b | all Debian package pinned in configs/toolchain.lock (sha256 of the .deb), fetched from the archive's pool/main/d/debconf/debconf_1.5.82_all.deb $into" \
	"a line with tabs and blanks around its fields"
is "$(tc_pkg libstdc++6:amd64 | cut -d'|' -f1-2)" "SPDXRef-Toolchain-libstdc--6-amd64 | 12.2.0-14+deb12u1 " \
	"the last line without its newline, '+' made '-' in its SPDX id"
is "$(jq -r '[.packages[] | select(.SPDXID | startswith("SPDXRef-Toolchain-"))] | length' "$work/tc.json")" 3 \
	"exactly the lock's three packages: comments and blank lines are no packages"
is "$(jq -r '[.packages[] | select(.name == "gcc-12") | .SPDXID] | join(" ")' "$work/tc.json")" SPDXRef-Package-gcc-12 \
	"sources.lock's gcc-12 keeps its own package and id"
tc_tool_of() {	# ID: what ID is BUILD_TOOL_OF, sorted
	jq -r --arg id "$1" '[.relationships[] | select(.spdxElementId == $id) | .relationshipType + ":" + .relatedSpdxElement] | sort | join(" ")' "$2"
}
is "$(tc_tool_of SPDXRef-Toolchain-gcc-12-amd64 "$work/tc.json")" \
	"BUILD_TOOL_OF:SPDXRef-File-bzImage BUILD_TOOL_OF:SPDXRef-File-init BUILD_TOOL_OF:SPDXRef-File-kernel.config BUILD_TOOL_OF:SPDXRef-File-nsm.ko" \
	"it is BUILD_TOOL_OF the kernel image, its .config, nsm.ko and init, not of the ramdisks or the EIF"
sbom_check_spdx "$work/tc.json"
missing=$(sbom_toolchain_missing "$work/tc.json" "$tc" SPDXRef-File-bzImage)
is "${missing:-none}" none "tests/lib/sbom.sh finds every line of the lock"
sed 's/libstdc++6 12.2.0-14+deb12u1/libstdc++6 12.2.0-15/' "$tc" >"$work/other.lock"
is "$(sbom_toolchain_missing "$work/tc.json" "$work/other.lock" SPDXRef-File-bzImage)" " libstdc++6:amd64" \
	"and names the package whose version differs"
is "$(sbom_toolchain_missing "$work/tc.json" "$tc" SPDXRef-File-Image)" " gcc-12:amd64 debconf:all libstdc++6:amd64" \
	"and those not BUILD_TOOL_OF the kernel image it is given"
a64_sbom --arch aarch64 --toolchain-lock "$tc" >"$work/tc-a64.json" 2>"$work/err"
ok $? "with --arch aarch64 too" || sed 's/^/#   /' "$work/err"
is "$(tc_tool_of SPDXRef-Toolchain-debconf-all "$work/tc-a64.json" | cut -d' ' -f1)" BUILD_TOOL_OF:SPDXRef-File-Image \
	"then the Image is the kernel it built"

# A toolchain lock eif sbom cannot read as NAME VERSION ARCH SHA256 POOL-PATH lines is refused
# with its file and line, and nothing is written.
tc_refused() {	# LOCK-TEXT MESSAGE DESC
	printf "$1" >"$work/bad-tc.lock"
	tc_sbom --toolchain-lock "$work/bad-tc.lock" >"$work/out.json" 2>"$work/err"
	is "$?:$(cat "$work/err")" "1:eif: sbom: $work/bad-tc.lock $2" "$3"
	[ ! -s "$work/out.json" ]; ok $? "... and nothing is written"
}
good="gcc-12 1 amd64 $sha_a pool/g.deb"
tc_refused "# c\n$good\ngcc-12 1 amd64 $sha_a\n" \
	"line 3: 4 fields, not the 5 of NAME VERSION ARCH SHA256 POOL-PATH; write the lock with scripts/toolchain-lock" \
	"a line with 4 fields"
tc_refused "$good extra\n" \
	"line 1: 6 fields, not the 5 of NAME VERSION ARCH SHA256 POOL-PATH; write the lock with scripts/toolchain-lock" \
	"a line with 6 fields"
tc_refused "tool gcc-12 1 $sha_a\n" \
	"line 1: 4 fields, not the 5 of NAME VERSION ARCH SHA256 POOL-PATH; write the lock with scripts/toolchain-lock" \
	"a sources.lock line"
tc_refused "$good\nbc 1 amd64 $(printf %s "$sha_b" | tr a-f A-F) pool/b.deb\n" \
	"line 2: the SHA256 field of bc is not 64 lowercase hex digits" "an uppercase sha256"
tc_refused "bc 1 amd64 ${sha_b%?} pool/b.deb\n" \
	"line 1: the SHA256 field of bc is not 64 lowercase hex digits" "a sha256 of 63 digits"
tc_refused "bc 1 amd64 - pool/b.deb\n" \
	"line 1: the SHA256 field of bc is not 64 lowercase hex digits" "no sha256 ('-', as tool lines may have)"
tc_refused "$good\nbc 1 amd64 $sha_b pool/b.deb\n$good\n" \
	"lines 1 and 3: the same package (SPDX id SPDXRef-Toolchain-gcc-12-amd64); keep one line per NAME:ARCH (scripts/toolchain-lock writes the lock)" \
	"a package pinned twice"
tc_refused "g++ 1 amd64 $sha_a pool/a.deb\ng-- 2 amd64 $sha_b pool/b.deb\n" \
	"lines 1 and 2: the same package (SPDX id SPDXRef-Toolchain-g---amd64); keep one line per NAME:ARCH (scripts/toolchain-lock writes the lock)" \
	"two names that only differ in bytes an SPDX id cannot hold"
tc_refused "# nothing but comments\n\n  \t\n" \
	"pins no package; write it with scripts/toolchain-lock" "a lock without packages"
tc_refused "$good\nbc 1 amd64 $sha_b pool/b\000.deb\n" \
	"line 2 holds a NUL byte; a toolchain lock is text (NAME VERSION ARCH SHA256 POOL-PATH lines)" "a NUL byte"
tc_sbom --toolchain-lock "$work/none.lock" >"$work/out.json" 2>"$work/err"
is "$?" 1 "a missing toolchain lock fails"
grep -qF "toolchain lock '$work/none.lock'" "$work/err"; ok $? "and names it" || sed 's/^/#   /' "$work/err"
[ ! -s "$work/out.json" ]; ok $? "and nothing is written"

mkdir -p "$work/out/ramdisk" "$work/out/kernel"
"$EIF" sbom "$work/out" --app "$app" --lock "$top/configs/sources.lock" --version 0.1.0 >"$work/out.json" 2>"$work/err"
is "$?:$(cat "$work/err")" "1:eif: sbom: $work/out/kernel/config is missing; run make first" "a missing output is named"
[ ! -s "$work/out.json" ]; ok $? "and nothing is written"
"$EIF" sbom "$O" --app "$work/none" --lock "$top/configs/sources.lock" --version 0.1.0 >/dev/null 2>"$work/err"
is "$?" 1 "a missing APP fails"
grep -q "cannot read the application tree '$work/none'" "$work/err"; ok $? "and says which" || sed 's/^/#   /' "$work/err"
done_testing
