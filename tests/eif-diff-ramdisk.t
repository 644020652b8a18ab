#!/bin/sh
# eif diff names exactly the one thing that differs between two EIFs built from inputs that
# differ in one thing (an app file's content, mode, owner, mtime, a hard link, an added file,
# a symlink target, a system ramdisk file, the command line, a metadata field) and the PCRs
# it moves, and nothing else; identical inputs give "identical" and exit 0.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/diff.sh"
. "$TOP/tests/lib/eif.sh"
cd "$work" || bail "cd $work"

mkdir files
printf 'hello, enclave\n' >files/hello
printf 'data v1\n' >files/data
printf 'data v2\n' >files/data2
printf '#!/bin/sh\necho tool\n' >files/tool
printf 'new\n' >files/new
printf 'hello, Enclave\n' >files/hello2
printf 'kernel bytes' >bzImage
printf 'file /init hello 0755 0 0\n' >sys-a.list
printf 'file /init hello2 0755 0 0\n' >sys-b.list
"$EIF" cpio --mtime 100 --base files --list sys-a.list -o sys-a.cpio || bail "system cpio"
"$EIF" cpio --mtime 100 --base files --list sys-b.list -o sys-b.cpio || bail "system cpio"

# The application: one list; each case edits one line of it.
cat >base.list <<'EOF'
dir /app 0755 0 0
file /app/hello hello 0644 0 0
file /app/data data 0644 0 0
file /app/tool tool 0755 0 0
file /app/tool2 tool 0755 0 0
slink /app/link hello 0777 0 0
EOF

# eif_of NAME LIST [SYSTEM-CPIO [CMDLINE [BUILD-TIME [EXTRA-CPIO]]]]: NAME.eif from a user list.
eif_of() {
	"$EIF" cpio --mtime 100 --base files --list "$2" -o "$1.cpio" || bail "cpio $1"
	[ -n "${6:-}" ] && { cat "$6" >>"$1.cpio" || bail "append $6"; }
	"$EIF" build --kernel bzImage --cmdline "${4:-console=ttyS0 quiet}" \
		--ramdisk "${3:-sys-a.cpio}" --ramdisk "$1.cpio" --output "$1.eif" \
		--build-time "${5:-1970-01-01T00:00:00+00:00}" >/dev/null 2>&1 || bail "build $1"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

# check NAME EXPECTED-CHANGES EXPECTED-SECTIONS EXPECTED-PCRS: diff base.eif NAME.eif.
check() {
	"$EIF" diff base.eif "$1.eif" >"$1.out" 2>"$1.err"
	is "$?" 1 "$1: exit 1 (different)"
	is "$(changes "$1.out")" "$2" "$1: names exactly that change and its PCRs" ||
		diag "$(cat "$1.out" "$1.err")"
	is "$(different_sections "$1.out")" "$3" "$1: only that section differs"
	is "$(moved_pcrs "$1.out")" "$4" "$1: the recomputed PCRs that differ are $4"
	is "$(tail -1 "$1.out")" different "$1: verdict"
}

eif_of base base.list
"$EIF" diff base.eif base.eif >same.out
is "$?" 0 "identical EIFs: exit 0"
is "$(tail -1 same.out)" identical "identical EIFs: 'identical'"
is "$(changes same.out)" "" "identical EIFs: no change lines"
cp base.eif copy.eif
"$EIF" diff base.eif copy.eif >/dev/null
is "$?" 0 "a byte-identical copy is identical"

sed 's|^file /app/data data |file /app/data data2 |' base.list >content.list
eif_of content content.list
check content "ramdisk 1 app/data: content sha256 $(sha files/data) -> $(sha files/data2), first difference at byte 6; moves PCR0 PCR2" \
	"ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "

sed 's|^file /app/data data 0644|file /app/data data 0600|' base.list >mode.list
eif_of mode mode.list
check mode "ramdisk 1 app/data: mode 0644 -> 0600; moves PCR0 PCR2" "ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "

sed 's|^file /app/data data 0644 0 0|file /app/data data 0644 1000 1000|' base.list >owner.list
eif_of owner owner.list
check owner "ramdisk 1 app/data: owner 0:0 -> 1000:1000; moves PCR0 PCR2" "ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "

# eif cpio gives every entry one mtime, so the one file whose mtime differs rides in a second
# archive appended to the ramdisk (the kernel unpacks archives back to back), at the root so
# that the archive implies no directory.
printf 'file /stamp new 0644 0 0\n' >stamp.list
"$EIF" cpio --mtime 100 --base files --list stamp.list -o stamp100.cpio || bail "stamp cpio"
"$EIF" cpio --mtime 200 --base files --list stamp.list -o stamp200.cpio || bail "stamp cpio"
eif_of mtime-a base.list sys-a.cpio "" "" stamp100.cpio
eif_of mtime-b base.list sys-a.cpio "" "" stamp200.cpio
"$EIF" diff mtime-a.eif mtime-b.eif >mtime.out
is "$?" 1 "mtime: exit 1"
is "$(changes mtime.out)" "ramdisk 1 stamp: mtime 100 (1970-01-01T00:01:40+00:00) -> 200 (1970-01-01T00:03:20+00:00); moves PCR0 PCR2" \
	"mtime: names the mtime of the entries that differ, and nothing else" || diag "$(cat mtime.out)"
is "$(moved_pcrs mtime.out)" "PCR0 PCR2 " "mtime: PCR0 and PCR2 move"

sed -e '/^file \/app\/tool2 /d' -e 's|^file /app/tool tool 0755 0 0$|file /app/tool tool 0755 0 0 /app/tool2|' \
	base.list >link.list
eif_of link link.list
check link "ramdisk 1 app/tool: hard links none -> app/tool2; moves PCR0 PCR2
ramdisk 1 app/tool2: hard links none -> app/tool; moves PCR0 PCR2" "ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "

{ cat base.list; echo 'file /app/new new 0644 0 0'; } >added.list
eif_of added added.list
check added "ramdisk 1 app/new: added file 0644 0:0, 4 bytes, sha256 $(sha files/new); moves PCR0 PCR2" \
	"ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "
# The same pair the other way round: a removed file.
"$EIF" diff added.eif base.eif >removed.out
is "$(changes removed.out)" "ramdisk 1 app/new: removed file 0644 0:0, 4 bytes, sha256 $(sha files/new); moves PCR0 PCR2" \
	"removed: the file B lacks"

sed 's|^slink /app/link hello |slink /app/link data |' base.list >target.list
eif_of target target.list
check target "ramdisk 1 app/link: link target hello -> data; moves PCR0 PCR2" "ramdisk 1 (user): PCR0 PCR2" "PCR0 PCR2 "

eif_of system base.list sys-b.cpio
check system "ramdisk 0 init: content sha256 $(sha files/hello) -> $(sha files/hello2), first difference at byte 7; moves PCR0 PCR1" \
	"ramdisk 0 (system): PCR0 PCR1" "PCR0 PCR1 "

eif_of cmdline base.list sys-a.cpio "console=ttyS0 loglevel=7 quiet"
check cmdline "cmdline word 2: added loglevel=7; moves PCR0 PCR1" "cmdline: PCR0 PCR1" "PCR0 PCR1 "

eif_of metadata base.list sys-a.cpio "" 2025-01-01T00:00:00+00:00
check metadata 'metadata BuildMetadata.BuildTime: value "1970-01-01T00:00:00+00:00" -> "2025-01-01T00:00:00+00:00"; moves no PCR (the metadata section is not measured)' \
	"metadata: no PCR (the metadata section is not measured)" ""

done_testing
