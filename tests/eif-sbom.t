#!/bin/sh
# eif sbom writes, in one process, the same bytes as the shell scripts/sbom it replaced
# (tests/data/sbom-oracle.sh): for the default build, for a tree with awkward names, modes,
# hard links, FIFOs and symlinks, for a tar, and for a lock with control characters and
# odd blanks; with the user ramdisk's record instead of the tree. For a cross build (--arch
# aarch64, a second lock) it names the Image and the second lock's tool and deb packages, and
# refuses a deb line that is no archive path. And it fails cleanly when an output is missing.
. "$TOP/tests/lib/tap.sh"
for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
	[ -f "$O/$f" ] || bail "$O/$f is missing: run make first"
done
command -v jq >/dev/null || bail "jq is missing (configs/packages/check)"
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
mkdir -p "$fresh/scripts" "$fresh/configs" && cp "$TOP/scripts/sbom" "$fresh/scripts/" &&
	cp "$TOP/Makefile" "$fresh/" && cp "$TOP/configs/sources.lock" "$fresh/configs/" &&
	git init -q "$fresh" || bail "cannot make a fresh repository"
EIF=$EIF "$fresh/scripts/sbom" "$O" "$TOP/examples/hello" >"$work/fresh.json" 2>"$work/err"
ok $? "scripts/sbom runs in a repository without commits" || sed 's/^/#   /' "$work/err"
is "$(jq -r '.packages[] | select(.name == "enclave-kit") | .versionInfo' "$work/fresh.json")" unknown \
	"and names the commit 'unknown'"

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

mkdir -p "$work/out/ramdisk" "$work/out/kernel"
"$EIF" sbom "$work/out" --app "$app" --lock "$top/configs/sources.lock" --version 0.1.0 >"$work/out.json" 2>"$work/err"
is "$?:$(cat "$work/err")" "1:eif: sbom: $work/out/kernel/config is missing; run make first" "a missing output is named"
[ ! -s "$work/out.json" ]; ok $? "and nothing is written"
"$EIF" sbom "$O" --app "$work/none" --lock "$top/configs/sources.lock" --version 0.1.0 >/dev/null 2>"$work/err"
is "$?" 1 "a missing APP fails"
grep -q "cannot read the application tree '$work/none'" "$work/err"; ok $? "and says which" || sed 's/^/#   /' "$work/err"
done_testing
