#!/bin/sh
# Symlinks in APP are data to pack, never prerequisites to resolve: a tree with dangling links
# (bin/x -> ../nonexistent, etc/resolv.conf -> ../run/resolvconf/resolv.conf, as real root
# filesystems have) builds, and the ramdisk holds each link with its target.
. "$TOP/tests/lib/build.sh"
app=$work/app
mkdir -p "$app/bin" "$app/etc" "$app/lib" && printf 'hi\n' >"$app/bin/real" &&
	ln -s ../nonexistent "$app/bin/x" && ln -s ../run/resolvconf/resolv.conf "$app/etc/resolv.conf" &&
	ln -s /absolute/gone "$app/lib/abs" && ln -s real "$app/bin/alias" && ln -s loop "$app/lib/loop" ||
	bail "cannot create the application tree"

build_ok "make with an APP that holds dangling symlinks" APP="$app" CMD=/bin/real ENV=
grep -q 'No rule to make target' "$work/make.out"; [ $? -ne 0 ]; ok $? "make does not look for the link targets"
outputs_are_fresh "dangling symlinks" "$app" /bin/real ""
# newc-dump: ino mode uid gid nlink mtime filesize dev rdev name body
perl "$TOP/tests/cpio/newc-dump" "$b/ramdisk/user.cpio" >"$work/dump" 2>&1 || sed 's/^/#   /' "$work/dump"
for link in bin/x:../nonexistent etc/resolv.conf:../run/resolvconf/resolv.conf lib/abs:/absolute/gone \
		bin/alias:real lib/loop:loop; do
	name=rootfs/${link%%:*} target=${link#*:}
	is "$(awk -v n="$name" '$10 == n { print substr($2, 1, 3) " " $11 }' "$work/dump")" "120 ->$target" \
		"$name is packed as a symlink to $target"
done
done_testing
