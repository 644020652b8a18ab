#!/bin/sh
# GNU cpio -idm restores exactly the tree eif cpio packed: names (also with newlines, blanks
# and bytes >= 0x80), types, permission bits, contents, symlink targets, hard links, the one
# mtime; setuid/setgid bits from trees are dropped, from lists kept; a prefix's directory is
# 0755 whatever the mode of the tree's root.
. "$TOP/tests/cpio/common.sh"
command -v cpio >/dev/null || "$TOP/scripts/ensure-packages" check || bail "GNU cpio is missing (configs/packages/check)"

tree=$work/tree
sample_tree "$tree" forward
nl='
'
printf 'odd\n' >"$tree/sp ace"
printf 'odd\n' >"$tree/new${nl}line"
printf 'odd\n' >"$tree/$(printf 'high\377\376bytes')"
printf 'odd\n' >"$tree/$(printf 'tab\there')"
printf 'odd\n' >"$tree/back\\slash"
printf 'odd\n' >"$tree/-dash"
ln -s "$(printf 'target\nwith newline')" "$tree/odd-link"
long=$(printf '%0255d' 0)
printf 'long\n' >"$tree/$long"
deep=$tree
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do deep=$deep/d$i; done
mkdir -p "$deep" && printf 'deep\n' >"$deep/leaf"
chmod 0700 "$tree"

"$EIF" cpio --mtime 1234567 --dir "$tree" -o "$work/tree.cpio"
ok $? "pack the tree"
mkdir "$work/restored"
(cd "$work/restored" && cpio -idm --quiet --no-absolute-filenames <"$work/tree.cpio") 2>"$work/cpio.err"
ok $? "GNU cpio -idm extracts it"
[ -s "$work/cpio.err" ] && diag "cpio: $(cat "$work/cpio.err")"
manifest "$tree" >"$work/expected.manifest"
manifest "$work/restored" >"$work/actual.manifest"
diff "$work/expected.manifest" "$work/actual.manifest" >"$work/manifest.diff"
ok $? "names, types, modes, contents, symlink targets and hard links are restored exactly"
[ -s "$work/manifest.diff" ] && diag "$(head -20 "$work/manifest.diff")"
is "$(grep -c . "$work/actual.manifest")" "$(grep -c . "$work/expected.manifest")" "as many entries as in the tree"
# GNU cpio 2.13 sets the mtime of files only; the archive's own fields are checked elsewhere.
is "$(find "$work/restored" -type f -exec stat -c %Y {} + | sort -u)" 1234567 "every restored file has mtime --mtime"
is "$(dump "$work/tree.cpio" | awk '{ print $6 }' | sort -u | tr '\n' ' ')" "0 1234567 " \
	"every entry has mtime --mtime (the trailer 0)"
is "$(stat -c %h "$work/restored/usr/bin/tool")" 3 "the hard-link group has three names after restore"
is "$(cat "$work/restored/a/hl")" "$(printf '#!/bin/sh\necho tool')" "hard-link data is restored on every name"
if [ "$(id -u)" -eq 0 ]; then
	is "$(find "$work/restored" ! -uid 0 -o ! -gid 0 | wc -l | tr -d ' ')" 0 "every entry is owned by 0:0"
else
	skip "owners: cpio -i restores 0:0 only as root"
fi

# setuid/setgid: dropped from trees (owners are rewritten), kept when a list declares them.
mkdir -p "$work/suid/bin" "$work/suid/shared"
printf 'x' >"$work/suid/bin/su"
chmod 4755 "$work/suid/bin/su"
chmod 2775 "$work/suid/shared"
printf 'x' >"$work/su.bin"
printf 'file /bin/su-list su.bin 4755 0 0\n' >"$work/suid.list"
"$EIF" cpio --dir "$work/suid" --list "$work/suid.list" --base "$work" -o "$work/suid.cpio"
ok $? "pack a setuid file from a tree and one from a list"
dump "$work/suid.cpio" >"$work/suid.dump"
is "$(awk '$10 == "bin/su" { print $2 }' "$work/suid.dump")" 100755 "tree: setuid dropped, permissions kept"
is "$(awk '$10 == "shared" { print $2 }' "$work/suid.dump")" 040775 "tree: setgid directory bit dropped"
is "$(awk '$10 == "bin/su-list" { print $2 }' "$work/suid.dump")" 104755 "list: setuid kept as declared"
mkdir "$work/suid-restored"
(cd "$work/suid-restored" && cpio -idm --quiet <"$work/suid.cpio")
is "$(stat -c %a "$work/suid-restored/bin/su-list")" 4755 "GNU cpio restores the declared setuid bit"

# A prefix: its directories are 0755, the tree's root mode (0700 here) is not used.
"$EIF" cpio --dir srv/app="$tree" -o "$work/prefix.cpio"
mkdir "$work/prefix-restored"
(cd "$work/prefix-restored" && cpio -idm --quiet <"$work/prefix.cpio")
ok $? "extract the prefixed archive"
is "$(stat -c %a "$work/prefix-restored/srv" "$work/prefix-restored/srv/app" | tr '\n' ' ')" "755 755 " \
	"prefix directories are 0755"
diff "$work/expected.manifest" "$(manifest "$work/prefix-restored/srv/app" >"$work/prefix.manifest"; echo "$work/prefix.manifest")" >/dev/null
ok $? "the tree below the prefix is restored exactly"

done_testing
