#!/bin/sh
# eif audit judges what each name holds at boot, with hard links resolved as the kernel's
# unpacker resolves them (init/initramfs.c; the rules are in eif/lib/cpio_read.c): an image whose
# cpio headers make a pinned file a hard link of another fails, naming the bytes it will
# really have; and cpio_read_links(), the model, follows every rule of the kernel.
. "$TOP/tests/audit/common.sh"
cc=${CC:-cc}
newc() { perl "$TOP/tests/audit/newc-tool" "$@"; }

clean_fixture

# 1. rootfs/etc/passwd gets the inode number of rootfs/a.c, nlink 2 on both: at boot a.c is
# a second name of passwd's inode and holds passwd's bytes.
newc set "$parts/out/ramdisk/user.cpio" "$work/linked.cpio" \
	rootfs/etc/passwd ino ino-of:rootfs/a.c rootfs/etc/passwd nlink 2 rootfs/a.c nlink 2 ||
	bail "cannot edit the user ramdisk"
build_eif "$work/linked.eif" "$work/linked.cpio" || bail "cannot build the EIF with the linked ramdisk"
run_audit "$work/linked.eif" "$work/provenance"
audit_status_is 1 "a pinned file turned into a hard link of another: exit 1"
passwd_size=$(wc -c <"$parts/app/etc/passwd")
has_line "^mismatch +ramdisk 1 rootfs/a\\.c \\[file 0644 0:0, $passwd_size bytes; one of 2 hard links to the inode first made as 'rootfs/a\\.c'; its own data is overwritten at boot: the $passwd_size bytes stored with 'rootfs/etc/passwd'; $passwd_size bytes, the manifest says $(wc -c <"$parts/app/a.c"); sha256 differs from the manifest's $(sha "$parts/app/a.c")\\] <- app: .* sha256:$(sha "$parts/app/etc/passwd")\$" \
	"a.c is a mismatch with the size and sha256 of the bytes it holds at boot"
has_line "^ok +ramdisk 1 rootfs/etc/passwd \\[file 0644 0:0, $passwd_size bytes; one of 2 hard links" \
	"passwd keeps its own bytes"

# 2. The JSON report carries the same booted bytes.
run_audit "$work/linked.eif" "$work/provenance" --json
is "$(jq -r '.items[] | select(.what == "ramdisk 1 rootfs/a.c") | .sha256' "$work/audit.out")" \
	"$(sha "$parts/app/etc/passwd")" "--json: the item's sha256 is the booted bytes'"

# 3. The model, rule by rule, on hand-made archives (built with ASan and UBSan).
harness=$work/cpio-read-mutate
$cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -I"$TOP/eif/include" -I"$TOP/eif/lib" -o "$harness" \
	"$TOP/tests/audit/cpio-read-mutate.c" "$TOP/eif/lib/cpio_read.c" "$TOP/eif/lib/util.c" \
	2>"$work/cc.log"
ok $? "the harness builds" || sed 's/^/# /' "$work/cc.log"

links_are() {	# DESC, the spec on stdin, expected lines in $expected
	newc write "$work/spec.cpio" || { ok 1 "$1: cannot write the archive"; return; }
	"$harness" links "$work/spec.cpio" >"$work/links.out" 2>&1
	is "$(cat "$work/links.out")" "$expected" "$1"
}

expected='a inode=a data=c attrs=c names=3 100755 0:0 size=6 rdev=0:0 body=data-c
b inode=a data=c attrs=c names=3 100755 0:0 size=6 rdev=0:0 body=data-c
c inode=a data=c attrs=c names=3 100755 0:0 size=6 rdev=0:0 body=data-c'
links_are "data on the last member reaches every name" <<'SPEC'
a file 0755 7 3 0:0 0:0 0:0 -
b file 0755 7 3 0:0 0:0 0:0 -
c file 0755 7 3 0:0 0:0 0:0 data-c
SPEC

expected='p inode=p data=r attrs=s names=4 100600 7:7 size=5 rdev=0:0 body=third
q inode=p data=r attrs=s names=4 100600 7:7 size=5 rdev=0:0 body=third
r inode=p data=r attrs=s names=4 100600 7:7 size=5 rdev=0:0 body=third
s inode=p data=r attrs=s names=4 100600 7:7 size=5 rdev=0:0 body=third'
links_are "the last member with data gives the data, the last member mode and owner" <<'SPEC'
p file 0644 8 4 0:0 0:0 0:0 first
q file 0600 8 4 0:0 0:0 5:5 -
r file 0640 8 4 0:0 0:0 6:6 third
s file 0600 8 4 0:0 0:0 7:7 -
SPEC

expected='e inode=e data=e attrs=f names=2 100644 0:0 size=0 rdev=0:0 body=
f inode=e data=e attrs=f names=2 100644 0:0 size=0 rdev=0:0 body='
links_are "a group without data is empty" <<'SPEC'
e file 0600 9 2 0:0 0:0 0:0 -
f file 0644 9 2 0:0 0:0 0:0 -
SPEC

expected='d1 inode=d1 data=d1 attrs=d1 names=1 100644 0:0 size=3 rdev=0:0 body=one
d2 inode=d2 data=d2 attrs=d2 names=1 100644 0:0 size=3 rdev=0:0 body=two
m1 inode=m1 data=m1 attrs=m1 names=1 100644 0:0 size=3 rdev=0:0 body=one
m2 inode=m2 data=m2 attrs=m2 names=1 100644 0:0 size=3 rdev=0:0 body=two
t1 inode=t1 data=t1 attrs=t1 names=1 100644 0:0 size=3 rdev=0:0 body=one
t2 inode=t2 data=t2 attrs=t2 names=1 010644 0:0 size=0 rdev=0:0 body=
n1 inode=n1 data=n1 attrs=n1 names=1 100644 0:0 size=3 rdev=0:0 body=one
n2 inode=n2 data=n2 attrs=n2 names=1 100644 0:0 size=3 rdev=0:0 body=two
s1 inode=s1 data=s1 attrs=s1 names=1 120777 0:0 size=3 rdev=0:0 body=one
s2 inode=s2 data=s2 attrs=s2 names=1 120777 0:0 size=3 rdev=0:0 body=two
r1 inode=r1 data=r1 attrs=r1 names=1 040755 0:0 size=0 rdev=0:0 body=
r2 inode=r2 data=r2 attrs=r2 names=1 040755 0:0 size=0 rdev=0:0 body=
x1 inode=x1 data=x1 attrs=x1 names=1 100644 0:0 size=3 rdev=0:0 body=one
x2 inode=x2 data=x2 attrs=x2 names=1 100644 0:0 size=3 rdev=0:0 body=two'
links_are "no link across dev major or minor, type, nlink 1, symlinks, directories or archives" <<'SPEC'
d1 file 0644 20 2 8:1 0:0 0:0 one
d2 file 0644 20 2 9:1 0:0 0:0 two
m1 file 0644 21 2 8:1 0:0 0:0 one
m2 file 0644 21 2 8:2 0:0 0:0 two
t1 file 0644 22 2 0:0 0:0 0:0 one
t2 fifo 0644 22 2 0:0 0:0 0:0 -
n1 file 0644 23 2 0:0 0:0 0:0 one
n2 file 0644 23 1 0:0 0:0 0:0 two
s1 symlink 0777 24 2 0:0 0:0 0:0 one
s2 symlink 0777 24 2 0:0 0:0 0:0 two
r1 dir 0755 25 2 0:0 0:0 0:0 -
r2 dir 0755 25 2 0:0 0:0 0:0 -
x1 file 0644 26 2 0:0 0:0 0:0 one
TRAILER
PAD 8
x2 file 0644 26 2 0:0 0:0 0:0 two
SPEC

expected='c1 inode=c1 data=c1 attrs=c1 names=2 020600 0:0 size=0 rdev=1:3 body=
c2 inode=c1 data=c1 attrs=c1 names=2 020600 0:0 size=0 rdev=1:3 body=
f1 inode=f1 data=f1 attrs=f1 names=2 010600 1:1 size=0 rdev=0:0 body=
f2 inode=f1 data=f1 attrs=f1 names=2 010600 1:1 size=0 rdev=0:0 body='
links_are "devices and FIFOs: every name keeps the first member's mode, owner and device" <<'SPEC'
c1 char 0600 30 2 0:0 1:3 0:0 -
c2 char 0666 30 2 0:0 1:5 4:4 -
f1 fifo 0600 31 2 0:0 0:0 1:1 -
f2 fifo 0644 31 2 0:0 0:0 2:2 -
SPEC

# 4. The clean EIF still passes (the checks above can fail).
run_audit "$work/clean.eif" "$work/provenance"
audit_status_is 0 "the clean EIF passes"
done_testing
