#!/bin/sh
# The archive is a pure function of the tree: the same tree built in a different readdir
# order, with different file mtimes, packed under a different umask, at a different time or
# by a different uid gives the same bytes.
# Trees live on tmpfs (/dev/shm) when there is one: there readdir follows creation order,
# so creating siblings in reverse really reverses what the walk sees.
[ -d /dev/shm ] && [ -w /dev/shm ] && CPIO_TEST_TMP=/dev/shm
. "$TOP/tests/cpio/common.sh"

sample_tree "$work/one" forward
sample_tree "$work/two" reverse
# Different trees would make every comparison below meaningless; the walk orders must differ.
is "$(manifest "$work/one")" "$(manifest "$work/two")" \
	"the two trees hold the same names, types, modes and contents"
if [ "$(ls -f "$work/one" | tr '\n' ' ')" != "$(ls -f "$work/two" | tr '\n' ' ')" ]; then
	ok 0 "the two trees have different readdir orders"
else
	ok 1 "the two trees have different readdir orders"
	diag "readdir order of $work_parent does not follow creation order; set CPIO_TEST_TMP to a tmpfs"
fi
if [ "$(stat -c %Y "$work/one/bin/sh")" != "$(stat -c %Y "$work/two/bin/sh")" ]; then
	ok 0 "the two trees have different file mtimes"
else
	ok 1 "the two trees have different file mtimes"
fi

(umask 022 && "$EIF" cpio --dir rootfs="$work/one" -o "$work/one.cpio")
ok $? "pack tree one (umask 022)"
(umask 077 && "$EIF" cpio --dir rootfs="$work/two" -o "$work/two.cpio")
ok $? "pack tree two (umask 077)"
is "$(sha "$work/two.cpio")" "$(sha "$work/one.cpio")" "readdir order, file mtimes and umask do not change a byte"

sleep 1
(umask 000 && "$EIF" cpio --dir rootfs="$work/one" -o "$work/again.cpio")
is "$(sha "$work/again.cpio")" "$(sha "$work/one.cpio")" "a second run a second later (umask 000) gives the same bytes"

# The builder's uid: run as nobody, which can read the tree but owns none of it.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir "$work/nobody" && chmod 0777 "$work/nobody"
	# A copy of the tree that nobody can read and traverse (and, for the 0555 dir, clean up).
	sample_tree "$work/three" forward 1234567890
	chmod -R a+rX "$work/three"
	for d in sealed root a/b; do chmod 0777 "$work/three/$d"; done
	chmod a+r "$work/three/a/b/deep" "$work/three/etc/shadow"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$EIF" cpio --dir rootfs="$work/three" -o "$work/nobody/three.cpio"
	ok $? "pack as uid 65534"
	(umask 022 && "$EIF" cpio --dir rootfs="$work/three" -o "$work/three-root.cpio")
	is "$(sha "$work/nobody/three.cpio")" "$(sha "$work/three-root.cpio")" "uid 65534 and root write the same bytes"
	is "$(dump "$work/nobody/three.cpio" | awk '$10 != "TRAILER!!!" { print $3 ":" $4 }' | sort -u)" "0:0" \
		"owners are 0:0, not the builder's uid"
else
	skip "builder uid: needs root and setpriv to run as another uid"
	skip "builder uid: needs root and setpriv"
	skip "builder uid: needs root and setpriv"
fi

# Nothing of the host leaks: inodes count from 721, dev is 3:1, mtimes are the one mtime,
# nlink is 2 for directories and the in-archive link count for files.
dump "$work/one.cpio" >"$work/one.dump" || bail "newc-dump rejected the archive"
is "$(awk '{ print $8 }' "$work/one.dump" | sort -u)" "3:1" "dev is 3:1 on every entry"
is "$(awk '{ print $6 }' "$work/one.dump" | sort -u)" "0" "mtime is 0 on every entry (no SOURCE_DATE_EPOCH, no --mtime)"
is "$(awk '$10 != "TRAILER!!!" { print $1 }' "$work/one.dump" | sort -un | head -1)" 721 "inodes start at 721"
is "$(awk '$10 != "TRAILER!!!" { print $1 }' "$work/one.dump" | sort -un | awk 'NR > 1 && $1 != prev + 1 { bad = 1 } { prev = $1 } END { print bad ? "gaps" : "dense" }')" dense \
	"inode numbers are consecutive"
is "$(awk '$10 != "TRAILER!!!" { print $10 }' "$work/one.dump" | LC_ALL=C sort -c 2>&1 && echo sorted)" sorted \
	"entries are in bytewise order"
is "$(awk '$2 ~ /^04/ { print $5 }' "$work/one.dump" | sort -u)" 2 "directories have nlink 2"
is "$(grep -c ' 3 [0-9]* [0-9]* 3:1 0:0 rootfs/\(a/hl\|bin/tool2\|usr/bin/tool\) ' "$work/one.dump")" 3 \
	"the three hard links have nlink 3"
# A file whose second hard link lies outside the tree is a plain file in the archive.
mkdir "$work/half" && printf 'data\n' >"$work/half/f" && ln "$work/half/f" "$work/outside-link"
"$EIF" cpio --dir "$work/half" -o "$work/half.cpio"
is "$(dump "$work/half.cpio" | awk '$10 == "f" { print $5, $7 }')" "1 5" \
	"host nlink 2, one name in the tree: nlink 1 and the data"
is "$(awk '$10 == "rootfs/tmp" { print $2 }' "$work/one.dump")" 041777 "the sticky bit of tmp is kept"
is "$(awk '$10 == "rootfs/sealed" { print $2 }' "$work/one.dump")" 040555 "a 0555 directory stays 0555"

done_testing
