#!/bin/sh
# eif cpio writes exactly the newc bytes derived by hand below: header fields, name and body
# padding to 4, symlink bodies without NUL, hard links (one inode, data on the last member),
# device numbers, implied parents, bytewise order, the trailer and the 512-byte tail.
. "$TOP/tests/cpio/common.sh"

# hdr INO MODE UID GID NLINK MTIME FILESIZE RDEVMAJOR RDEVMINOR NAMESIZE: one newc header with
# the constant dev 3:1 and check 0; every argument is the literal 8-digit field.
hdr() { printf '070701%s%s%s%s%s%s%s0000000300000001%s%s%s00000000' "$@"; }
pad() { head -c "$1" /dev/zero; }
z=00000000

cd "$work" || bail "cannot enter $work"

# 1. The nitro-cli bootstrap ramdisk layout (docs/boot-contract.md#the-system-ramdisk): dev, init,
# nsm.ko, mtime 1492533000.
printf 'INIT' >init
printf 'NSM.KO!' >nsm.ko
cat >system.list <<'EOF'
# the AWS bootstrap layout
dir /dev 0755 0 0
file /init init 0755 0 0

file /nsm.ko nsm.ko 0755 0 0
EOF
{
	# offset 0: dev, 110 + 4 ("dev\0") = 114, pad 2 -> 116
	hdr 000002d1 000041ed $z $z 00000002 58f63f08 $z $z $z 00000004; printf 'dev\0'; pad 2
	# 116: init, 116 + 110 + 5 = 231, pad 1 -> 232, "INIT" -> 236, pad 0
	hdr 000002d2 000081ed $z $z 00000001 58f63f08 00000004 $z $z 00000005; printf 'init\0'; pad 1
	printf 'INIT'
	# 236: nsm.ko, 236 + 110 + 7 = 353, pad 3 -> 356, 7 bytes -> 363, pad 1 -> 364
	hdr 000002d3 000081ed $z $z 00000001 58f63f08 00000007 $z $z 00000007; printf 'nsm.ko\0'; pad 3
	printf 'NSM.KO!'; pad 1
	# 364: trailer, next inode, mode 0, nlink 1, mtime 0; 364 + 110 + 11 = 485, pad 3 -> 488
	hdr 000002d4 $z $z $z 00000001 $z $z $z $z 0000000b; printf 'TRAILER!!!\0'; pad 3
	# tail: 488 -> 512
	pad 24
} >expected-system.cpio
"$EIF" cpio --mtime 1492533000 --base "$work" --list system.list -o system.cpio
ok $? "bootstrap list: eif cpio succeeds"
cmp expected-system.cpio system.cpio >cmp.out 2>&1
ok $? "bootstrap list: bytes match the hand-derived nitro-cli layout"
[ -s cmp.out ] && diag "$(cat cmp.out)"
is "$(wc -c <system.cpio | tr -d ' ')" 512 "bootstrap list: 512 bytes"

# The same through SOURCE_DATE_EPOCH instead of --mtime.
SOURCE_DATE_EPOCH=1492533000 "$EIF" cpio --base "$work" --list system.list -o sde.cpio
cmp -s expected-system.cpio sde.cpio
ok $? "SOURCE_DATE_EPOCH is the default mtime"
# --mtime wins over SOURCE_DATE_EPOCH.
SOURCE_DATE_EPOCH=7 "$EIF" cpio --mtime 1492533000 --base "$work" --list system.list -o sde2.cpio
cmp -s expected-system.cpio sde2.cpio
ok $? "--mtime overrides SOURCE_DATE_EPOCH"

# 2. Every entry type, hard links, implied parents and the "a-b" < "a/b" order.
printf 'bbox\n' >bb
cat >types.list <<'EOF'
nod /dev/console 0600 0 0 c 5 1
slink /bin/sh busybox 0777 0 0
file /bin/busybox bb 0755 0 0 /sbin/init
pipe /run/p 0644 0 0
sock /run/s 0755 1 2
dir /a-b 0700 0 0
	# a comment after blanks
dir /a 0711 0 0
slink /a/b ../a-b 0777 0 0
EOF
{
	# 0: a (dir 0711), 110 + 2 = 112, pad 0
	hdr 000002d1 000041c9 $z $z 00000002 00000001 $z $z $z 00000002; printf 'a\0'
	# 112: a-b (dir 0700) sorts before a/b: '-' is 0x2d, '/' 0x2f; 112 + 110 + 4 = 226, pad 2 -> 228
	hdr 000002d2 000041c0 $z $z 00000002 00000001 $z $z $z 00000004; printf 'a-b\0'; pad 2
	# 228: a/b -> ../a-b, 228 + 110 + 4 = 342, pad 2 -> 344, "../a-b" -> 350, pad 2 -> 352
	hdr 000002d3 0000a1ff $z $z 00000001 00000001 00000006 $z $z 00000004; printf 'a/b\0'; pad 2
	printf '../a-b'; pad 2
	# 352: bin, implied 0755; 352 + 110 + 4 = 466, pad 2 -> 468
	hdr 000002d4 000041ed $z $z 00000002 00000001 $z $z $z 00000004; printf 'bin\0'; pad 2
	# 468: bin/busybox, first of two links: nlink 2, no data; 468 + 110 + 12 = 590, pad 2 -> 592
	hdr 000002d5 000081ed $z $z 00000002 00000001 $z $z $z 0000000c; printf 'bin/busybox\0'; pad 2
	# 592: bin/sh -> busybox, 592 + 110 + 7 = 709, pad 3 -> 712, 7 bytes -> 719, pad 1 -> 720
	hdr 000002d6 0000a1ff $z $z 00000001 00000001 00000007 $z $z 00000007; printf 'bin/sh\0'; pad 3
	printf 'busybox'; pad 1
	# 720: dev, implied; 720 + 110 + 4 = 834, pad 2 -> 836
	hdr 000002d7 000041ed $z $z 00000002 00000001 $z $z $z 00000004; printf 'dev\0'; pad 2
	# 836: dev/console c 5:1 0600; 836 + 110 + 12 = 958, pad 2 -> 960
	hdr 000002d8 00002180 $z $z 00000001 00000001 $z 00000005 00000001 0000000c; printf 'dev/console\0'; pad 2
	# 960: run, implied; 960 + 110 + 4 = 1074, pad 2 -> 1076
	hdr 000002d9 000041ed $z $z 00000002 00000001 $z $z $z 00000004; printf 'run\0'; pad 2
	# 1076: run/p FIFO 0644; 1076 + 110 + 6 = 1192, pad 0
	hdr 000002da 000011a4 $z $z 00000001 00000001 $z $z $z 00000006; printf 'run/p\0'
	# 1192: run/s socket 0755, owner 1:2; 1192 + 110 + 6 = 1308, pad 0
	hdr 000002db 0000c1ed 00000001 00000002 00000001 00000001 $z $z $z 00000006; printf 'run/s\0'
	# 1308: sbin, implied; 1308 + 110 + 5 = 1423, pad 1 -> 1424
	hdr 000002dc 000041ed $z $z 00000002 00000001 $z $z $z 00000005; printf 'sbin\0'; pad 1
	# 1424: sbin/init, last link: inode of bin/busybox, data here; 1424 + 110 + 10 = 1544, pad 0,
	# 5 bytes -> 1549, pad 3 -> 1552
	hdr 000002d5 000081ed $z $z 00000002 00000001 00000005 $z $z 0000000a; printf 'sbin/init\0'
	printf 'bbox\n'; pad 3
	# 1552: trailer takes the next unused inode; 1552 + 110 + 11 = 1673, pad 3 -> 1676
	hdr 000002dd $z $z $z 00000001 $z $z $z $z 0000000b; printf 'TRAILER!!!\0'; pad 3
	# tail: 1676 -> 2048
	pad 372
} >expected-types.cpio
"$EIF" cpio --mtime 1 --base "$work" --list types.list -o types.cpio
ok $? "all types: eif cpio succeeds"
cmp expected-types.cpio types.cpio >cmp.out 2>&1
ok $? "all types: bytes match the hand-derived layout"
[ -s cmp.out ] && diag "$(cat cmp.out)"

# --owner rewrites every owner, also the list's 1:2 and implied directories.
"$EIF" cpio --mtime 1 --owner 1000:1001 --base "$work" --list types.list -o owner.cpio
ok $? "--owner: eif cpio succeeds"
owners=$(dump owner.cpio | awk '$10 != "TRAILER!!!" { print $3 ":" $4 }' | sort -u | tr '\n' ' ')
is "$owners" "1000:1001 " "--owner sets uid:gid of every entry"

# 3. An empty tree is just the trailer; a prefix implies its directories (0755).
mkdir empty-tree
"$EIF" cpio --mtime 0 --dir empty-tree -o empty.cpio
ok $? "empty tree: eif cpio succeeds"
{
	hdr 000002d1 $z $z $z 00000001 $z $z $z $z 0000000b; printf 'TRAILER!!!\0'; pad 3
	pad 388
} >expected-empty.cpio
cmp -s expected-empty.cpio empty.cpio
ok $? "empty tree: only the trailer, 512 bytes"
"$EIF" cpio --mtime 0 --dir /x//y/=empty-tree -o prefix.cpio
{
	hdr 000002d1 000041ed $z $z 00000002 $z $z $z $z 00000002; printf 'x\0'
	hdr 000002d2 000041ed $z $z 00000002 $z $z $z $z 00000004; printf 'x/y\0'; pad 2
	hdr 000002d3 $z $z $z 00000001 $z $z $z $z 0000000b; printf 'TRAILER!!!\0'; pad 3
	pad 160
} >expected-prefix.cpio
cmp -s expected-prefix.cpio prefix.cpio
ok $? "prefix '/x//y/' is normalized to x, x/y, both implied 0755"

# The strict parser agrees with the layout (it is used by the other cpio tests).
dump types.cpio >/dev/null
ok $? "newc-dump accepts the archive"

done_testing
