#!/bin/sh
# Every refusal of eif cpio: a clear message, exit status 1 (2 for usage), no output file and
# no temporary file left, an existing output untouched.  Files of 4 GiB or more, files that
# change while being read, unreadable entries, duplicate names, names that leave the root,
# parents that are not directories, device nodes and sockets in trees, over-long names.
. "$TOP/tests/cpio/common.sh"

out=$work/out/bad.cpio
tree=$work/tree
mkdir -p "$tree/etc" && printf 'root\n' >"$tree/etc/passwd"
printf 'file /x big 0644 0 0\n' >"$work/big.list"

# 4 GiB: newc's filesize field has 32 bits (sparse files, nothing is read).
mkdir "$work/big" && truncate -s 4G "$work/big/huge" && truncate -s 4G "$work/big-file"
fails "4 GiB file in a tree" "'$work/big/huge' has 4294967296 bytes, but newc stores at most 4 GiB - 1 per file" \
	"$EIF" cpio --dir "$work/big" -o "$out"
printf 'file /x big-file 0644 0 0\n' >"$work/big.list"
fails "4 GiB file in a list" "big.list' line 1: '$work/big-file' has 4294967296 bytes" \
	"$EIF" cpio --base "$work" --list "$work/big.list" -o "$out"
truncate -s 5G "$work/big/huge"
fails "5 GiB file" "has 5368709120 bytes" "$EIF" cpio --dir "$work/big" -o "$out"
rm -f "$work/big/huge" "$work/big-file"

# Files that change while being read, made to change at the first read() by a preload shim.
# (The shim also hooks open(), for directories swapped during the walk, below.)
shim=$work/mutate-on-read.so
cc -shared -fPIC -O2 -o "$shim" "$cpio_data/mutate-on-read.c" -ldl 2>"$work/cc.err" || bail "cannot build the shim: $(cat "$work/cc.err")"
mkdir "$work/moving"
seq 1 100000 >"$work/moving/data"
for how in shrink grow rewrite; do
	cp "$work/moving/data" "$work/moving/victim"
	touch -d @1000000000 "$work/moving/victim"
	case $how in
	shrink) pattern="victim' shrank from 588895 to [0-9]* bytes while being read" ;;
	*) pattern="victim' grew or was rewritten while being read (588895 bytes expected)" ;;
	esac
	fails "file that does '$how' while read" "$pattern" \
		env LD_PRELOAD="$shim" MUTATE=$how MUTATE_PATH="$work/moving/victim" "$EIF" cpio --dir "$work/moving" -o "$out"
done
# A directory replaced between listing and entering it: by a symlink (which must not be
# followed out of the tree) or by another directory (not the one listed).
mkdir -p "$work/swapping/sub" && printf 'x' >"$work/swapping/sub/f"
fails "a directory swapped for a symlink" "cannot open directory '$work/swapping/sub': \(Not a directory\|Too many levels of symbolic links\); it was replaced while archiving" \
	env LD_PRELOAD="$shim" MUTATE=swap-symlink MUTATE_PATH="$work/swapping/sub" "$EIF" cpio --dir "$work/swapping" -o "$out"
rm -rf "$work/swapping" && mkdir -p "$work/swapping/sub"
fails "a directory swapped for another" "directory '$work/swapping/sub' was replaced while archiving" \
	env LD_PRELOAD="$shim" MUTATE=swap-dir MUTATE_PATH="$work/swapping/sub" "$EIF" cpio --dir "$work/swapping" -o "$out"
printf 'file /status /proc/self/status 0644 0 0\n' >"$work/proc.list"
fails "a /proc file (size 0 on stat, data on read)" "grew or was rewritten while being read (0 bytes expected)" \
	"$EIF" cpio --list "$work/proc.list" -o "$out"
# The old output survives a failed run.
printf 'old archive\n' >"$work/out/kept.cpio"
env LD_PRELOAD="$shim" MUTATE=grow MUTATE_PATH="$work/moving/victim" "$EIF" cpio --dir "$work/moving" -o "$work/out/kept.cpio" 2>/dev/null
is "$(cat "$work/out/kept.cpio")" "old archive" "a failed run leaves the existing output as it was"
is "$(ls -A "$work/out" | tr '\n' ' ')" "kept.cpio " "and no temporary file"
rm -f "$work/out/kept.cpio"

# A full disk (a 64 KiB tmpfs, as root): the write fails, the old output and no temporary remain.
mnt=$work/full
if [ "$(id -u)" -eq 0 ] && mkdir "$mnt" && mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; cleanup' EXIT INT TERM
	printf 'old\n' >"$mnt/x.cpio"
	"$EIF" cpio --dir "$work/moving" -o "$mnt/x.cpio" 2>"$work/stderr"
	is "$?" 1 "full disk: exit status"
	if grep -q "output '$mnt/x.cpio': write failed: No space left on device" "$work/stderr"; then
		ok 0 "full disk: message"
	else
		ok 1 "full disk: message"; diag "  actual: $(cat "$work/stderr")"
	fi
	is "$(cat "$mnt/x.cpio")" old "full disk: the old output is kept"
	is "$(ls -A "$mnt")" x.cpio "full disk: the temporary file is removed"
	umount "$mnt"
else
	for i in 1 2 3 4; do skip "full disk: needs root and a tmpfs mount"; done
fi

# Unreadable entries (as uid 65534 when run as root: root reads everything).
as_user=
if [ "$(id -u)" -eq 0 ]; then as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"; fi
mkdir -p "$work/locked/open" "$work/locked/closed" "$work/locked2/closed"
printf 'secret\n' >"$work/locked/open/secret"
chmod 0000 "$work/locked/open/secret"
chmod 0777 "$work/out"
fails "unreadable file in a tree" "cannot read '$work/locked/open/secret': Permission denied; make it readable or leave it out" \
	$as_user "$EIF" cpio --dir "$work/locked/open" -o "$out"
chmod 0000 "$work/locked2/closed"
fails "unreadable directory in a tree" "cannot open directory '$work/locked2/closed': Permission denied; make it readable or leave it out" \
	$as_user "$EIF" cpio --dir "$work/locked2" -o "$out"
printf 'file /s open/secret 0600 0 0\n' >"$work/secret.list"
fails "unreadable list location" "secret.list' line 1: cannot read '$work/locked/open/secret'" \
	$as_user "$EIF" cpio --base "$work/locked" --list "$work/secret.list" -o "$out"
chmod 0000 "$work/secret.list"
fails "unreadable list file" "list '$work/secret.list': cannot open it: Permission denied" \
	$as_user "$EIF" cpio --list "$work/secret.list" -o "$out"
chmod 0755 "$work/locked2/closed" "$work/out"; chmod 0644 "$work/locked/open/secret" "$work/secret.list"

# Duplicate names from two inputs (and inside one), with both origins named.
mkdir -p "$work/other/etc" && printf 'other\n' >"$work/other/etc/passwd"
fails "the same name from two trees" "'etc' comes from --dir '$tree' and again from --dir '$work/other'" \
	"$EIF" cpio --dir "$tree" --dir "$work/other" -o "$out"
printf 'file /etc/passwd etc/passwd 0644 0 0\n' >"$work/dup.list"
fails "the same name from a tree and a list" "'etc/passwd' comes from --dir '$tree' and again from list '$work/dup.list' line 1" \
	"$EIF" cpio --dir "$tree" --base "$tree" --list "$work/dup.list" -o "$out"
printf 'dir /a 0755 0 0\ndir a/ 0700 0 0\n' >"$work/dup2.list"
fails "the same name twice in one list ('/a' is 'a/')" "'a' comes from list '$work/dup2.list' line 1 and again from list '$work/dup2.list' line 2" \
	"$EIF" cpio --list "$work/dup2.list" -o "$out"
printf 'file /a etc/passwd 0644 0 0 /b /a\n' >"$work/dup3.list"
fails "a hard link named like its file" "'a' comes from list '$work/dup3.list' line 1 and again from list '$work/dup3.list' line 1" \
	"$EIF" cpio --base "$tree" --list "$work/dup3.list" -o "$out"
printf 'file /rootfs etc/passwd 0644 0 0\n' >"$work/prefix-clash.list"
fails "a file where a prefix needs a directory" "'rootfs' from list '$work/prefix-clash.list' line 1 is a regular file, but a directory implied by --dir 'rootfs=$tree' needs it to be a directory" \
	"$EIF" cpio --base "$tree" --list "$work/prefix-clash.list" --dir rootfs="$tree" -o "$out"
# Implied directories merge with declared ones without complaint (the declared mode wins).
printf 'dir /rootfs 0700 0 0\ndir /x/y 0700 0 0\nfile /x/y/z etc/passwd 0644 0 0\n' >"$work/merge.list"
"$EIF" cpio --base "$tree" --list "$work/merge.list" --dir rootfs="$tree" -o "$work/merge.cpio"
ok $? "implied directories merge with declared ones"
is "$(dump "$work/merge.cpio" | awk '{ printf "%s %s|", $10, $2 }')" \
	"rootfs 040700|rootfs/etc 040755|rootfs/etc/passwd 100644|x 040755|x/y 040700|x/y/z 100644|TRAILER!!! 000000|" \
	"declared modes win, missing parents are 0755"

# A parent that is a symlink: an unpacker would follow it out of the root.
mkdir "$work/linked" && ln -s /etc "$work/linked/etc"
fails "an entry below a symlink" "'etc' from --dir '$work/linked' is a symlink, but a directory implied by list '$work/dup.list' line 1 needs it to be a directory" \
	"$EIF" cpio --dir "$work/linked" --base "$tree" --list "$work/dup.list" -o "$out"

# Names that leave the archive root.
for name in ../x /../x a/../../x a/.. ..; do
	printf 'dir %s 0755 0 0\n' "$name" >"$work/up.list"
	fails "list name '$name'" "line 1: name '$name' has a '..' component, which could leave the archive root" \
		"$EIF" cpio --list "$work/up.list" -o "$out"
done
fails "prefix '../up'" "--dir '../up=$tree': name '../up' has a '..' component" "$EIF" cpio --dir ../up="$tree" -o "$out"
fails "prefix '/'" "prefix '/' names the archive root; write --dir '$tree' without a prefix" "$EIF" cpio --dir /="$tree" -o "$out"

# The end marker as a name would end the archive early; below a prefix it is harmless.
mkdir "$work/trailer" && : >"$work/trailer/TRAILER!!!"
fails "a file named TRAILER!!! at the root" "--dir '$work/trailer': '$work/trailer/TRAILER!!!': an entry named 'TRAILER!!!' at the archive root would end the archive early" \
	"$EIF" cpio --dir "$work/trailer" -o "$out"
"$EIF" cpio --dir x="$work/trailer" -o "$work/trailer.cpio"
ok $? "TRAILER!!! below a prefix is packed"
is "$(dump "$work/trailer.cpio" | awk '{ printf "%s|", $10 }')" "x|x/TRAILER!!!|TRAILER!!!|" "and read back whole"

# Device nodes and sockets are not taken from trees.
mkdir "$work/dev"
if [ "$(id -u)" -eq 0 ]; then
	mknod "$work/dev/null" c 1 3
	fails "a character device in a tree" "'$work/dev/null' is a character device; device nodes and sockets are not taken from directory trees" \
		"$EIF" cpio --dir "$work/dev" -o "$out"
	rm "$work/dev/null" && mknod "$work/dev/loop" b 7 0
	fails "a block device in a tree" "'$work/dev/loop' is a block device" "$EIF" cpio --dir "$work/dev" -o "$out"
	rm "$work/dev/loop"
else
	skip "character device in a tree: mknod needs root"; skip "mknod needs root"; skip "mknod needs root"
	skip "block device in a tree: mknod needs root"; skip "mknod needs root"; skip "mknod needs root"
fi
perl -MSocket -e 'socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die; bind($s, pack_sockaddr_un($ARGV[0])) or die' "$work/dev/sock"
fails "a socket in a tree" "'$work/dev/sock' is a socket; device nodes and sockets are not taken from directory trees: leave it out and declare a device with a list line" \
	"$EIF" cpio --dir "$work/dev" -o "$out"

# Names longer than the kernel unpacker's PATH_MAX.
long=$(printf '%0200d' 0)
deep=$work/long
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21; do deep=$deep/$long; done
mkdir -p "$deep"
fails "a 4221-byte name in a tree" "--dir '$work/long': '\.\.\.[0/]*': name of 42[0-9][0-9] bytes is longer than the 4095 the kernel unpacker accepts" \
	"$EIF" cpio --dir "$work/long" -o "$out"
rm -rf "$work/long"

# Inputs that are not what they claim.
fails "--dir on a file" "--dir '$tree/etc/passwd': '$tree/etc/passwd' is a regular file, not a directory" \
	"$EIF" cpio --dir "$tree/etc/passwd" -o "$out"
fails "--dir on a missing path" "--dir '$work/nope': cannot use '$work/nope' as a tree: No such file" \
	"$EIF" cpio --dir "$work/nope" -o "$out"
fails "output in a missing directory" "output '$work/nope/x.cpio': cannot create temporary file" \
	"$EIF" cpio --dir "$tree" -o "$work/nope/x.cpio"

# Usage errors: exit status 2, nothing written.
usage_fails() {	# usage_fails DESCRIPTION PATTERN ARGS...
	what=$1 pattern=$2
	shift 2
	"$EIF" cpio "$@" >/dev/null 2>"$work/stderr"
	is "$?" 2 "usage: $what: exit status 2"
	if grep -q -e "$pattern" "$work/stderr"; then
		ok 0 "usage: $what: message"
	else
		ok 1 "usage: $what: message"; diag "expected: $pattern"; diag "  actual: $(cat "$work/stderr")"
	fi
}
usage_fails "no output" "no output; give -o OUT" --dir "$tree"
usage_fails "no input" "nothing to pack; give --dir or --list" -o "$out"
usage_fails "bad --mtime" "--mtime '12x' is not a number of seconds" --mtime 12x --dir "$tree" -o "$out"
usage_fails "--mtime past 2106" "--mtime '4294967296'" --mtime 4294967296 --dir "$tree" -o "$out"
usage_fails "bad --owner" "--owner '0' is not UID:GID" --owner 0 --dir "$tree" -o "$out"
usage_fails "unknown option" "unknown option '--dirs'" --dirs "$tree" -o "$out"
usage_fails "a stray argument" "unexpected argument '$tree'; inputs are given with --dir, --list, --oci or --docker-archive" "$tree" -o "$out"
usage_fails "output inside a tree" "output '$tree/etc/x.cpio' is inside --dir 'rootfs=$tree', so the next run would pack this archive" \
	--dir rootfs="$tree" -o "$tree/etc/x.cpio"
cd "$tree" || bail "cannot enter $tree"
usage_fails "output in the tree, relative" "output 'x.cpio' is inside --dir '.'" --dir . -o x.cpio
cd "$work" || bail "cannot enter $work"
is "$(ls "$tree")" etc "nothing was written into the tree"
mkdir "$work/treeish"
"$EIF" cpio --dir "$tree" -o "$work/treeish/x.cpio" 2>"$work/stderr"
ok $? "a sibling whose name starts like the tree is not inside it"
SOURCE_DATE_EPOCH=yesterday usage_fails "bad SOURCE_DATE_EPOCH" "SOURCE_DATE_EPOCH 'yesterday' is not a number" --dir "$tree" -o "$out"
no_output "$work/out" bad.cpio
ok $? "usage errors write nothing"

done_testing
