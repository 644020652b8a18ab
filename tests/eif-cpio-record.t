#!/bin/sh
# eif cpio --record writes every entry as the writer wrote it: compared with the archive
# itself (tests/cpio/newc-dump), hard-linked names each with their group's data; eif build
# --record each section as written; and the
# provenance scripts/provenance makes from the records equals, line for line, what the shell
# re-implementation it replaced (tests/data/provenance-oracle.sh) made for the same inputs:
# a tree with hard links, symlinks, a FIFO and setuid bits, a tar, a list with implied
# parents, links, devices and absolute locations, and without records (the --capture case).
. "$TOP/tests/audit/common.sh"
make_parts || bail "cannot create the synthetic parts in $parts"

# 1. The record against the archive.
sample_list lst >"$work/list" || bail "cannot write the list"
"$EIF" cpio --dir rootfs="$parts/app" --base "$parts/app" --list "$work/list" --mtime 0 \
	--record "$work/rec" -o "$work/a.cpio" 2>"$work/err"
ok $? "eif cpio --record runs" || diag "$(cat "$work/err")"
# One line per entry from each side: NAME KIND MODE UID:GID SIZE SHA256 TARGET, where the
# archive's hard-linked names without data get the data of their group's last name.
dump "$work/a.cpio" | perl -e '
	use Digest::SHA qw(sha256_hex);
	my %kind = (1 => "fifo", 2 => "char", 4 => "dir", 6 => "block", 8 => "file", 10 => "symlink", 12 => "socket");
	my (@e, %data);
	while (<STDIN>) {
		my ($ino, $mode, $uid, $gid, $nlink, $mtime, $size, $dev, $rdev, $name, $body) = split / /;
		chomp $body; s/%([0-9A-F]{2})/chr(hex($1))/ge for $name, $body;
		next if $name eq "TRAILER!!!";
		my $m = oct($mode); my $k = $kind{$m >> 12};
		$data{$ino} = [$size, $body] if $body ne "-";
		push @e, [$ino, $name, $k, sprintf("%04o", $m & 07777), "$uid:$gid", $rdev];
	}
	for my $x (@e) {
		my ($ino, $name, $k, $mode, $owner, $rdev) = @$x;
		my ($size, $sha, $target) = (0, "-", "-");
		if ($k eq "file") { ($size, $sha) = @{$data{$ino} // [0, sha256_hex("")]} }
		if ($k eq "symlink") { ($target = $data{$ino}[1]) =~ s/^->//; $size = length $target; $sha = sha256_hex($target) }
		$target = $rdev if $k eq "char" || $k eq "block";
		print join("\t", $name, $k, $mode, $owner, $size, $sha, $target), "\n";
	}' >"$work/from-archive"
awk -F '\t' -v OFS='\t' '$1 == "entry" { print $3, $4, $5, $6, $7, $8, $9 }' "$work/rec" >"$work/from-record"
[ -s "$work/from-archive" ] && cmp -s "$work/from-archive" "$work/from-record"
ok $? "every entry, in archive order, as the archive holds it (hard links with their group's data)" ||
	diff "$work/from-archive" "$work/from-record" | head -10 | sed 's/^/#   /'
is "$(awk -F '\t' '$1 == "entry" && $2 != "-"' "$work/rec" | wc -l)" 0 "the ramdisk index is left to the reader (-)"
is "$(grep -c "^entry	-	rootfs/bin/sh	file	.*	dir	bin/sh\$" "$work/rec")" 1 "a tree entry names its path below the tree"
is "$(grep -c "^entry	-	lst/a/b/deep	file	.*	list	a/b/deep\$" "$work/rec")" 1 "a list file names its location as written"
is "$(grep -c "^entry	-	lst/lib	symlink	.*	list	-\$" "$work/rec")" 1 "other list lines have no location"
is "$(grep -c "^entry	-	rootfs	dir	0755	0:0	0	-	-	implied	-\$" "$work/rec")" 1 "the prefix is an implied directory"
is "$(tail -1 "$work/rec")" "# archive	$(stat -c %s "$work/a.cpio")	$(sha "$work/a.cpio")" \
	"the last line gives the archive's size and sha256"

# eif build --record: each section as written, then the metadata strings it was given.
"$EIF" build --kernel "$parts/out/bzImage" --cmdline 'console=ttyS0 quiet' --ramdisk "$work/a.cpio" \
	--ramdisk "$work/a.cpio" --name rec --version 1.2 --build-time 2025-01-01T00:00:00+00:00 \
	--img-kernel 6.1 --record "$work/build.rec" --output "$work/b.eif" >/dev/null 2>"$work/err"
ok $? "eif build --record runs" || diag "$(cat "$work/err")"
cpio_line="$(stat -c %s "$work/a.cpio")	$(sha "$work/a.cpio")	-	-"
is "$(cat "$work/build.rec")" "section	0	kernel	$(stat -c %s "$parts/out/bzImage")	$(sha "$parts/out/bzImage")	-	-
section	1	cmdline	19	$(printf 'console=ttyS0 quiet' | sha256sum | cut -c1-64)	-	-
section	2	metadata	-	-	-	-
section	3	ramdisk	$cpio_line
section	4	ramdisk	$cpio_line
metadata	ImageName	rec
metadata	ImageVersion	1.2
metadata	BuildTime	2025-01-01T00:00:00+00:00
metadata	KernelVersion	6.1" "the sections with the size and sha256 of their data, then the metadata"
"$EIF" build --kernel "$parts/out/bzImage" --cmdline x --ramdisk "$work/a.cpio" \
	--record "$work/nowhere/rec" --output "$work/c.eif" >/dev/null 2>"$work/err"
is "$?:$(ls "$work" | grep -c '^c\.eif')" "1:0" "a record that cannot be written stops the build before the EIF"

# 2. A name the format cannot carry: refused with --record, packed without it.
mkdir -p "$work/ctl" && printf x >"$work/ctl/tab$(printf '\t')name" || bail "cannot create the tree"
mkdir -p "$work/out"
"$EIF" cpio --dir "$work/ctl" --record "$work/out/rec" -o "$work/out/bad.cpio" 2>"$work/err"
is "$?" 1 "a name with a tab fails with --record"
grep -q "'tab?name': a name or link target with a control character cannot be recorded; rename it" "$work/err"
ok $? "and says which name and why" || diag "$(cat "$work/err")"
is "$(ls -A "$work/out")" "" "and writes neither the archive nor the record"
"$EIF" cpio --dir "$work/ctl" -o "$work/out/good.cpio" 2>/dev/null
ok $? "without --record the same tree packs"
rm -f "$work/out/good.cpio"
"$EIF" cpio --dir "$parts/app" --record "$parts/app/rec" -o "$work/out/bad.cpio" 2>"$work/err"
grep -q "is inside --dir" "$work/err"
ok $? "a record inside the packed tree is refused" || diag "$(cat "$work/err")"

# 3. scripts/provenance from records = the shell oracle. Both run from copies of the tree
# outside git, so their labels name the same unpinned sources.
for side in old new; do
	mkdir -p "$work/$side/scripts" && cp -R "$TOP/configs" "$work/$side/" &&
		cp "$TOP/scripts/user-ramdisk" "$work/$side/scripts/" || bail "cannot copy the tree"
done
cp "$TOP/tests/data/provenance-oracle.sh" "$work/old/scripts/provenance" &&
	cp "$TOP/scripts/provenance" "$TOP/scripts/toolchain-of.sh" "$work/new/scripts/" || bail "cannot copy the scripts"
# The oracle knows nothing of the toolchain root: both sides describe a host-toolchain build.
export TOOLCHAIN=host
same() {	# same DESCRIPTION APP [RECORDS]: both sides agree (sorted: the oracle wrote list order)
	for side in old new; do
		CMDLINE_FILE=$parts/cmdline GIT_DIR=$work/no-git "$work/$side/scripts/provenance" \
			"$parts/out" "$2" "$CMD" "$parts/env" >"$work/$side.prov" 2>"$work/$side.err" ||
			{ ok 1 "$1"; diag "$side: $(cat "$work/$side.err")"; return; }
		LC_ALL=C sort "$work/$side.prov" >"$work/$side.sorted"
	done
	[ "$(grep -c '^entry' "$work/new.prov")" -gt 5 ] && cmp -s "$work/old.sorted" "$work/new.sorted"
	ok $? "$1" || diff "$work/old.sorted" "$work/new.sorted" | head -10 | sed 's/^/#   /'
}
chmod 4755 "$parts/app/bin/sh" && chmod 2755 "$parts/app/usr/bin"
build_eif "$work/e.eif" || bail "cannot build the EIF"
ls "$parts/out/ramdisk"/*.record >/dev/null 2>&1 && bail "build_eif wrote records; the next test needs none"
same "no records (scripts/user-ramdisk packs again, as --capture did): the same entries" "$parts/app"
"$TOP/scripts/user-ramdisk" "$EIF" "$parts/app" "$CMD" "$parts/env" "$parts/out/ramdisk/user.cpio" \
	"$parts/out/ramdisk/user.record" && "$EIF" cpio --mtime 0 --base "$parts/out" \
	--list "$TOP/configs/ramdisk/system.list" --record "$parts/out/ramdisk/system.record" \
	-o "$parts/out/ramdisk/system.cpio" || bail "cannot pack with records"
same "records as make keeps them: the same entries" "$parts/app"
cp "$work/new.prov" "$work/with-records.prov"
mv "$parts/app" "$parts/app.away" || bail "cannot move the tree"
CMDLINE_FILE=$parts/cmdline GIT_DIR=$work/no-git "$work/new/scripts/provenance" "$parts/out" \
	"$parts/app" "$CMD" "$parts/env" >"$work/away.prov" 2>"$work/err"
ok $? "with fresh records the application tree is not read again (it is gone now)" || diag "$(cat "$work/err")"
cmp -s "$work/away.prov" "$work/with-records.prov"
ok $? "and the provenance is the same"
mv "$parts/app.away" "$parts/app" || bail "cannot move the tree back"
printf 'entry\t-\tbogus\tdir\t0755\t0:0\t0\t-\t-\timplied\t-\n# archive\t1\t%064d\n' 0 >"$parts/out/ramdisk/user.record"
same "a record of other bytes is not used" "$parts/app"
(cd "$parts/app" && tar -cf "$work/app.tar" .) || bail "cannot tar the tree"
same "a tar APP" "$work/app.tar"

# A system list with implied parents, hard links, a symlink, devices, a FIFO, a socket and an
# absolute location.
cat >"$work/system.list" <<LIST
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/loop0 0660 0 6 b 7 0
file /init init 0755 0 0
file /deep/er/nsm.ko nsm.ko 0644 0 0 /deep/link1 /other/link2
file /abs $parts/env 0400 1 2
slink /deep/er/sl nsm.ko 0777 0 0
pipe /deep/fifo 0600 0 0
sock /sock 0600 0 0
LIST
SYSTEM_LIST=$work/system.list
export SYSTEM_LIST
"$EIF" cpio --mtime 0 --base "$parts/out" --list "$work/system.list" -o "$parts/out/ramdisk/system.cpio" ||
	bail "cannot pack the system list"
same "a list with implied parents, hard links, devices, a FIFO, a socket, an absolute location" "$parts/app"
grep -q "^entry	0	other	dir	0755	0:0	0	-	-	system-list	implied parent directory\$" "$work/new.prov"
ok $? "implied parents of list entries are labelled so"
done_testing
