#!/bin/sh
# A gen_init_cpio list gives the same bytes as the same tree given as a directory, whatever the
# order of its lines; --base and the current directory resolve relative locations; trees and
# lists combine (the user-ramdisk layout); malformed lines fail with the line number, no output.
. "$TOP/tests/cpio/common.sh"

tree=$work/tree
sample_tree "$tree" forward
sample_list >"$work/tree.list"
sample_list rootfs >"$work/rootfs.list"
tac "$work/tree.list" >"$work/reversed.list"

"$EIF" cpio --mtime 99 --dir "$tree" -o "$work/dir.cpio"
ok $? "pack the tree as a directory"
"$EIF" cpio --mtime 99 --base "$tree" --list "$work/tree.list" -o "$work/list.cpio"
ok $? "pack the same tree as a list"
is "$(sha "$work/list.cpio")" "$(sha "$work/dir.cpio")" "list and directory give the same bytes"
"$EIF" cpio --mtime 99 --base "$tree" --list "$work/reversed.list" -o "$work/reversed.cpio"
is "$(sha "$work/reversed.cpio")" "$(sha "$work/dir.cpio")" "the order of list lines does not matter"
(cd "$tree" && "$EIF" cpio --mtime 99 --list "$work/tree.list" -o "$work/cwd.cpio")
is "$(sha "$work/cwd.cpio")" "$(sha "$work/dir.cpio")" "without --base, locations resolve against the current directory"
sed "s|^file \([^ ]*\) \([^ ]*\)|file \1 $tree/\2|" "$work/tree.list" >"$work/absolute.list"
"$EIF" cpio --mtime 99 --base /nonexistent --list "$work/absolute.list" -o "$work/absolute.cpio"
is "$(sha "$work/absolute.cpio")" "$(sha "$work/dir.cpio")" "absolute locations ignore --base"

"$EIF" cpio --mtime 99 --dir rootfs="$tree" -o "$work/prefix-dir.cpio"
"$EIF" cpio --mtime 99 --base "$tree" --list "$work/rootfs.list" -o "$work/prefix-list.cpio"
is "$(sha "$work/prefix-list.cpio")" "$(sha "$work/prefix-dir.cpio")" \
	"--dir rootfs=TREE equals the list below /rootfs (the implied rootfs is 0755 in both)"

# Split one tree over a directory and a list: the user-ramdisk layout (rootfs/ + /cmd + /env).
printf '/bin/hello\n' >"$work/cmd"
: >"$work/env"
mkdir "$work/app" && mkdir "$work/app/bin" && printf 'hi' >"$work/app/bin/hello" && chmod 0755 "$work/app/bin/hello"
cat >"$work/user.list" <<'EOF'
dir /rootfs/dev 0755 0 0
dir /rootfs/proc 0755 0 0
file /cmd cmd 0644 0 0
file /env env 0644 0 0
EOF
"$EIF" cpio --mtime 1 --base "$work" --list "$work/user.list" --dir rootfs="$work/app" -o "$work/user.cpio"
ok $? "a tree and a list combine"
is "$(dump "$work/user.cpio" | awk '{ printf "%s %s %s|", $10, $2, $7 }')" \
	"cmd 100644 11|env 100644 0|rootfs 040755 0|rootfs/bin 040755 0|rootfs/bin/hello 100755 2|rootfs/dev 040755 0|rootfs/proc 040755 0|TRAILER!!! 000000 0|" \
	"user ramdisk: cmd, env at the root, rootfs sorted with the list's directories"
"$EIF" cpio --mtime 1 --dir rootfs="$work/app" --base "$work" --list "$work/user.list" -o "$work/user2.cpio"
is "$(sha "$work/user2.cpio")" "$(sha "$work/user.cpio")" "the order of --dir and --list does not matter"

# Malformed lines: exit 1, the list and line named, the fix suggested, no output.
out=$work/out/bad.cpio
bad_line() {	# bad_line DESCRIPTION PATTERN LINE
	printf 'dir /ok 0755 0 0\n%s\n' "$3" >"$work/bad.list"
	fails "$1" "$2" "$EIF" cpio --base "$tree" --list "$work/bad.list" -o "$out"
}
bad_line "unknown type" "bad.list' line 2: unknown entry type 'fil'" "fil /x a.c 0644 0 0"
bad_line "too few fields" "line 2: 3 fields after 'dir'; write 'dir NAME MODE UID GID'" "dir /x 0755 0"
bad_line "too many fields" "line 2: 5 fields after 'dir'" "dir /x 0755 0 0 extra"
bad_line "mode not octal" "line 2: mode '0855' is not octal" "dir /x 0855 0 0"
bad_line "mode with type bits" "line 2: mode '100644' is not octal permission bits" "file /x a.c 100644 0 0"
bad_line "negative uid" "line 2: owner '-1 0' is not two decimal ids" "dir /x 0755 -1 0"
bad_line "uid over 32 bits" "line 2: owner '4294967296 0'" "dir /x 0755 4294967296 0"
bad_line "device type" "line 2: device type 'x' is neither 'b'" "nod /dev/x 0600 0 0 x 1 3"
bad_line "major too big" "line 2: device number '4096 0' is not a decimal major (0 to 4095)" "nod /dev/x 0600 0 0 c 4096 0"
bad_line "missing location" "line 2: cannot use location '$tree/nope'" "file /x nope 0644 0 0"
bad_line "location is a directory" "line 2: location '$tree/bin' is a directory, not a regular file" "file /x bin 0644 0 0"
bad_line "location is a FIFO" "line 2: location '$tree/run/fifo' is a FIFO" "file /x run/fifo 0644 0 0"
bad_line "environment variables" "line 2: location '\${TOP}/a.c' uses \${VAR}" 'file /x ${TOP}/a.c 0644 0 0'
bad_line "the root itself" "line 2: name '/' is the archive root itself" "dir / 0755 0 0"
bad_line "the root itself, dotted" "line 2: name '/./' is the archive root itself" "dir /./ 0755 0 0"
bad_line "a trailer name" "line 2: '/TRAILER!!!': an entry named 'TRAILER!!!'" "dir /TRAILER!!! 0755 0 0"
bad_line "symlink target too long" "line 2: symlink target of 4096 bytes" "slink /x $(printf '%04096d' 0) 0777 0 0"
bad_line "name too long" "line 2: '\.\.\.0*': name of 4096 bytes is longer than the 4095" "dir /$(printf '%04096d' 0) 0755 0 0"
printf 'dir /ok 0755 0 0\ndir /x\0y 0755 0 0\n' >"$work/nul.list"
fails "NUL byte" "nul.list' line 2: the line contains a NUL byte" "$EIF" cpio --list "$work/nul.list" -o "$out"
fails "list is a directory" "list '$work': is a directory" "$EIF" cpio --list "$work" -o "$out"
fails "missing list" "list '$work/none.list': cannot open it: No such file" "$EIF" cpio --list "$work/none.list" -o "$out"

# Lines that gen_init_cpio accepts and so do we: CRLF endings, tabs, comments, blank lines.
printf 'dir\t/x\t0755 0 0\r\n\n   \n# c\n\t#c\nslink /x/y ../z 0777 0 0\r\n' >"$work/crlf.list"
"$EIF" cpio --list "$work/crlf.list" -o "$work/crlf.cpio"
ok $? "CRLF, tabs, blank lines and comments are accepted"
is "$(dump "$work/crlf.cpio" | awk '{ printf "%s %s|", $10, $11 }')" "x -|x/y ->../z|TRAILER!!! -|" "and read as intended"

done_testing
