#!/bin/sh
# The kernel source is taken only when its hashes match (fetching it: tests/fetch-pinned.t):
# kernel/unpack-source refuses a package or tarball with the wrong hash and leaves the
# destination untouched, and a patch that does not apply leaves no half-made tree. Also: the
# pinned source's vsock patch is applied in the tree.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/source
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
cd "$TOP" || bail "cannot enter $TOP"
sha() { sha256sum "$1" | cut -d' ' -f1; }
want=$(printf 'the package\n' | sha256sum | cut -d' ' -f1)

# unpack-source: a tarball (bring-your-own kernel) with the wrong hash is never unpacked.
mkdir -p "$work/src/linux-9.9/kernel" && printf 'all:\n' >"$work/src/linux-9.9/Makefile" &&
	printf 'old\n' >"$work/src/linux-9.9/kernel/file" || bail "cannot make the test tree"
tar -C "$work/src" -cJf "$work/linux-9.9.tar.xz" linux-9.9 || bail "cannot make the test tarball"
kernel/unpack-source tarball "$work/linux-9.9.tar.xz" "$want" "$work/tree" >"$work/badtar.out" 2>&1
is "$?" 1 "unpack-source refuses a tarball whose sha256 is not KERNEL_SHA256"
is "$([ -e "$work/tree" ] && echo present || echo absent)" absent "nothing is unpacked from it"
kernel/unpack-source tarball "$work/linux-9.9.tar.xz" "$(sha "$work/linux-9.9.tar.xz")" "$work/tree" >"$work/tar.out" 2>&1
ok $? "unpack-source unpacks a tarball with the right hash"
is "$(cat "$work/tree/kernel/file" 2>/dev/null)" old "the tree's top directory is stripped"
printf -- '--- a/kernel/file\n+++ b/kernel/file\n@@ -1 +1 @@\n-missing\n+new\n' >"$work/bad.patch"
kernel/unpack-source tarball "$work/linux-9.9.tar.xz" "$(sha "$work/linux-9.9.tar.xz")" "$work/tree" "$work/bad.patch" >"$work/patch.out" 2>&1
is "$?" 1 "unpack-source fails when a patch does not apply"
is "$(cat "$work/tree/kernel/file" 2>/dev/null) $(ls -d "$work"/tree.* 2>/dev/null | wc -l)" "old 0" \
	"the previous tree is kept and no half-made tree is left"

# unpack-source: the pinned package itself is checked before anything is read from it.
printf 'x\n' >"$work/fake.deb"
kernel/unpack-source deb "$work/fake.deb" "$want" usr/src/linux-source-6.12.tar.xz "$want" "$work/tree2" >"$work/baddeb.out" 2>&1
is "$?" 1 "unpack-source refuses a .deb whose sha256 differs from the lock"
is "$([ -e "$work/tree2" ] && echo present || echo absent)" absent "nothing is unpacked from it"

# The pinned source has the queued_replies pushback (docs/boot-contract.md#kernel-patches); our
# patch removes it.
transport=$O/kernel/build/net/vmw_vsock/virtio_transport.c
if [ -r "$transport" ]; then
	is "$(grep -c queued_replies "$transport")" 0 "the built tree's virtio_transport.c has no queued_replies pushback"
else
	ok 1 "$transport exists (run make kernel)"
fi
done_testing
