#!/bin/sh
# eif cpio and the kernel's own usr/gen_init_cpio (from $O/kernel/build) agree on a list given
# in archive order with -t: the same entries with the same inode numbers, modes, owners, nlink,
# mtime, sizes, device numbers, names and data.  What differs, by design, and is checked as such:
#   - hex case: gen_init_cpio writes upper case, eif cpio lower case (as nitro-cli's gocpio);
#   - symlinks: gen_init_cpio stores the target with a NUL (filesize + 1), eif cpio without;
#   - the trailer: gen_init_cpio gives it inode 0 and dev 0:0, eif cpio the next inode and 3:1;
#   - FIFOs and sockets: gen_init_cpio writes nlink 2 (its dir/pipe/sock code is shared),
#     eif cpio 1, as gocpio does and as for every other non-directory.
# gen_init_cpio does not sort, so the list below is written in bytewise order, hard links
# adjacent; both tools then number inodes the same way.
. "$TOP/tests/cpio/common.sh"

kb=$O/kernel/build
if [ -f "$kb/usr/gen_init_cpio.c" ]; then
	cc -O2 -o "$work/gen_init_cpio" "$kb/usr/gen_init_cpio.c" 2>"$work/cc.err" ||
		bail "cannot compile $kb/usr/gen_init_cpio.c: $(cat "$work/cc.err")"
	gic=$work/gen_init_cpio
elif [ -x "$kb/usr/gen_init_cpio" ]; then
	gic=$kb/usr/gen_init_cpio
else
	skip "no kernel tree in $kb yet (make kernel builds it); nothing to compare with"
	done_testing
	exit
fi
diag "comparing with $gic"

cd "$work" || bail "cannot enter $work"
printf 'INIT' >init
seq 1 50000 >big
printf 'shared\n' >shared
: >empty
cat >kernel.list <<'EOF'
dir /bin 0755 0 0
file /bin/a shared 0755 0 0 /bin/b /bin/c
slink /bin/sh a 0777 0 0
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
nod /dev/sda 0660 0 6 b 8 0
file /empty empty 0644 0 0
file /init init 0755 0 0
dir /root 0700 0 0
dir /run 0755 0 0
pipe /run/fifo 0600 0 0
sock /run/sock 0755 0 0
dir /tmp 1777 0 0
dir /usr 0755 0 0
file /usr/big big 0644 1000 1000
slink /usr/lib ../lib 0777 0 0
EOF

"$gic" -t 1492533000 kernel.list >kernel.cpio 2>gic.err
ok $? "gen_init_cpio writes the archive"
[ -s gic.err ] && diag "gen_init_cpio: $(cat gic.err)"
"$EIF" cpio --mtime 1492533000 --list kernel.list -o eif.cpio
ok $? "eif cpio writes the archive"

dump --gen-init-cpio kernel.cpio >kernel.dump
ok $? "gen_init_cpio's archive parses (upper-case hex, symlink NULs allowed)"
dump eif.cpio >eif.dump
ok $? "eif cpio's archive parses strictly (lower-case hex)"
grep -v ' TRAILER!!! ' kernel.dump >kernel.entries
grep -v ' TRAILER!!! ' eif.dump >eif.entries
# FIFO (01xxxx) and socket (14xxxx) nlink: 2 there, 1 here; everything else must be equal.
awk '$2 ~ /^(01|14)/ { $5 = 1 } { print }' kernel.entries >kernel.normalized
diff kernel.normalized eif.entries >entries.diff
ok $? "every entry matches: inode, mode, owner, nlink, mtime, size, devices, name, data"
[ -s entries.diff ] && diag "$(head -20 entries.diff)"
is "$(grep -c . eif.entries)" 18 "all 18 entries are compared (16 lines, 2 of them extra links)"
is "$(awk '$2 ~ /^(01|14)/ { printf "%s:%s ", $10, $5 }' kernel.entries)" "run/fifo:2 run/sock:2 " \
	"gen_init_cpio's FIFO and socket have nlink 2"

# The documented differences, so a change on either side shows up here.
is "$(grep ' TRAILER!!! ' kernel.dump)" "0 000000 0 0 1 0 0 0:0 0:0 TRAILER!!! -" "gen_init_cpio's trailer: inode 0, dev 0:0"
is "$(grep ' TRAILER!!! ' eif.dump)" "737 000000 0 0 1 0 0 3:1 0:0 TRAILER!!! -" "eif cpio's trailer: next inode (737), dev 3:1"
if LC_ALL=C grep -q '070701[0-9A-F]*[A-F]' kernel.cpio; then ok 0 "gen_init_cpio writes upper-case hex"; else ok 1 "gen_init_cpio writes upper-case hex"; fi
is "$(dump kernel.cpio 2>&1 >/dev/null | sed 's/ at offset.*//')" "newc-dump: field 0 '000002D1' is not 8 lower-case hex digits" \
	"so its bytes cannot equal eif cpio's, which are lower case"
# Without symlinks, FIFOs and sockets, and with the header hex upper-cased, eif cpio's bytes
# are gen_init_cpio's up to the trailer.
grep -v -e '^slink' -e '^pipe' -e '^sock' kernel.list >nolinks.list
"$gic" -t 1492533000 nolinks.list >kernel-nolinks.cpio 2>/dev/null
"$EIF" cpio --mtime 1492533000 --list nolinks.list -o eif-nolinks.cpio
perl -e '
	local $/; open(my $k, "<:raw", $ARGV[0]) or die; open(my $e, "<:raw", $ARGV[1]) or die;
	my ($kb, $eb) = (<$k>, <$e>);
	# Upper-case every header of our archive, walking it entry by entry.
	my ($off, $out) = (0, "");
	while ($off < length($eb)) {
		my $h = substr($eb, $off, 110);
		my $namesize = hex(substr($h, 94, 8)); my $size = hex(substr($h, 54, 8));
		my $name = substr($eb, $off + 110, $namesize - 1);
		last if $name eq "TRAILER!!!";
		my $body = ($off + 110 + $namesize + 3) & ~3;
		my $next = ($body + $size + 3) & ~3;
		$out .= uc($h) . substr($eb, $off + 110, $next - $off - 110);
		$off = $next;
	}
	exit(substr($kb, 0, length($out)) eq $out ? 0 : 1);
' kernel-nolinks.cpio eif-nolinks.cpio
ok $? "without symlinks, FIFOs, sockets: eif cpio's bytes, headers upper-cased, are gen_init_cpio's up to the trailer"

done_testing
