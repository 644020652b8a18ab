#!/bin/sh
# Hostile input never crashes eif cpio: 400 lists made from a valid one by seeded random
# mutation (byte flips, NULs, newlines, huge tokens and numbers, cut lines, duplicated lines,
# '..', '/', 'TRAILER!!!'), plus lists of random bytes.  Every run exits 0 or 1 (never a signal
# or abort), says something on failure, and any archive it writes parses strictly.  Then the
# deepest tree the name limit allows, packed on a small stack.
. "$TOP/tests/cpio/common.sh"

cd "$work" || bail "cannot enter $work"
printf 'bbox\n' >bb
mkdir -p tree/sub && printf 'x' >tree/sub/f && ln -s ../sub tree/sub/up
cat >seed.list <<'EOF'
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
file /bin/busybox bb 0755 0 0 /sbin/init /bin/sh
slink /lib usr/lib 0777 0 0
pipe /run/p 0644 0 0
sock /run/s 0755 1 2
dir /usr/lib 0755 0 0
# comment
EOF

perl -e '
	my ($seed, $count) = @ARGV;
	srand($seed);
	open(my $fh, "<", "seed.list") or die; my @lines = <$fh>; close($fh);
	my @nasty = ("..", "/", "TRAILER!!!", "\0", "\n", "\t", "\r", "99999999999999999999",
		     "0" x 5000, "a" x 4100, "-1", "0x10", "7777", "07777", "b", "c", "#",
		     "\${X}", "/../../etc", "./.", "//", "\xff\xfe", "file", "dir", "slink");
	for my $i (1 .. $count) {
		my $text = join("", @lines);
		my $edits = 1 + int(rand(6));
		for (1 .. $edits) {
			my $what = int(rand(6));
			my $pos = int(rand(length($text) + 1));
			if ($what == 0) { substr($text, $pos, 1, chr(int(rand(256)))) if $pos < length($text); }
			elsif ($what == 1) { substr($text, $pos, 0, $nasty[int(rand(@nasty))]); }
			elsif ($what == 2) { substr($text, $pos, int(rand(20)), ""); }
			elsif ($what == 3) { $text .= $lines[int(rand(@lines))]; }
			elsif ($what == 4) { my @w = split(/ /, $text); $w[int(rand(@w))] = $nasty[int(rand(@nasty))]; $text = join(" ", @w); }
			else { $text = substr($text, 0, $pos); }
		}
		open(my $out, ">", sprintf("m%03d.list", $i)) or die; print $out $text; close($out);
	}
	for my $i (1 .. 40) {
		open(my $out, ">", sprintf("r%03d.list", $i)) or die;
		print $out join("", map { chr(int(rand(256))) } 1 .. int(rand(2000)));
		close($out);
	}
' 20261202 400 || bail "cannot generate the lists"

crashes=0 silent=0 bad_archives=0 written=0 runs=0
for list in m*.list r*.list; do
	runs=$((runs + 1))
	rm -f out.cpio
	"$EIF" cpio --base "$work" --list "$list" --dir mnt="$work/tree" -o out.cpio >/dev/null 2>err.txt
	rc=$?
	case $rc in
	0)
		written=$((written + 1))
		dump out.cpio >/dev/null 2>&1 || { bad_archives=$((bad_archives + 1)); diag "$list: archive does not parse"; } ;;
	1)
		[ -s err.txt ] || { silent=$((silent + 1)); diag "$list: exit 1 without a message"; } ;;
	*)
		crashes=$((crashes + 1)); diag "$list: exit status $rc: $(head -c 300 err.txt)" ;;
	esac
done
is "$runs" 440 "440 hostile lists were tried"
is "$crashes" 0 "no run ended by a signal or an unexpected status"
is "$silent" 0 "every refusal printed a message"
is "$bad_archives" 0 "every archive written parses strictly"
# Some mutations stay valid (e.g. a changed mode); both paths must have been exercised.
if [ "$written" -gt 0 ] && [ "$written" -lt "$runs" ]; then ok 0 "both accepted ($written) and refused lists were seen"
else ok 1 "both accepted ($written) and refused lists were seen"; fi
is "$(ls -A | grep -c '^\.out\.cpio\.tmp')" 0 "no temporary file was left behind"

# About the deepest tree the host allows: 2046 levels of "d/", packed from inside it (--dir .)
# so the longest host path, "./d/.../d", is 4093 bytes.  The walk keeps its own stack on the
# heap, so a 128 KiB call stack (musl's thread default) is enough.  Three more levels exceed
# PATH_MAX and the 4095-byte name limit: refused with a message, not a crash.
perl -e 'mkdir "deep" or die; chdir "deep"; for (1 .. 2046) { mkdir "d" or die; chdir "d" or die }' ||
	bail "cannot build the deep tree"
(cd deep && ulimit -s 128 && "$EIF" cpio --dir . -o ../deep.cpio) 2>err.txt
ok $? "a 2046-level tree is packed with a 128 KiB stack"
[ -s err.txt ] && diag "$(head -c 300 err.txt)"
is "$(dump deep.cpio | grep -c ' 040755 ')" 2046 "all 2046 directories are in the archive"
perl -e 'chdir "deep" or die; for (1 .. 2046) { chdir "d" or die } for (1 .. 3) { mkdir "d" or die; chdir "d" or die }' ||
	bail "cannot deepen the tree"
(cd deep && ulimit -s 128 && "$EIF" cpio --dir . -o ../deeper.cpio) 2>err.txt
is "$?" 1 "three levels deeper is refused, not a crash"
grep -q "cannot open directory '\.\.\./d/d/[d/]*': File name too long; the host path is too long" err.txt
ok $? "with the host path limit as the reason and the path's tail shown"
[ -e deeper.cpio ] && diag "deeper.cpio was written"

done_testing
