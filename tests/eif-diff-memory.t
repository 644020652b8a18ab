#!/bin/sh
# eif diff's memory does not grow with the images: two EIFs whose user ramdisks hold a
# 256 MiB file that differs in its last bytes are compared (every byte hashed and scanned)
# in well under the file's size of memory. The limit, 96 MiB, is the reader's 32 MiB of
# hashing buffers plus headroom; keeping the mapped ramdisk pages would take 512 MiB.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
. "$TOP/tests/lib/diff.sh"
cd "$work" || bail "cd $work"
[ -x /usr/bin/time ] || "$TOP/scripts/ensure-packages" check || bail "GNU time is missing (configs/packages/check)"

size=$((256 * 1024 * 1024))
head -c "$size" /dev/zero >blob-a
cp blob-a blob-b
printf 'x' | dd of=blob-b bs=1 seek=$((size - 5)) conv=notrunc 2>/dev/null
printf 'init\n' >init
printf 'file /init init 0755 0 0\n' >sys.list
"$EIF" cpio --list sys.list -o sys.cpio || bail "cpio"
for x in a b; do
	printf 'file /app/blob blob-%s 0644 0 0\n' $x >$x.list
	"$EIF" cpio --list $x.list -o $x.cpio || bail "cpio $x"
	rm -f blob-$x
	"$EIF" build --kernel init --cmdline console=ttyS0 --ramdisk sys.cpio --ramdisk $x.cpio \
		--output $x.eif --name big --build-time 1970-01-01T00:00:00+00:00 >/dev/null 2>&1 || bail "build $x"
	rm -f $x.cpio
done

/usr/bin/time -f %M -o rss "$EIF" diff a.eif b.eif >out
is "$?" 1 "a 256 MiB file that differs: exit 1"
is "$(changes out | sed 's/ sha256 [0-9a-f]* -> [0-9a-f]*,/ sha256 ... ->,/')" \
	"ramdisk 1 app/blob: content sha256 ... ->, first difference at byte $((size - 5)); moves PCR0 PCR2" \
	"names the file and its first differing byte"
rss=$(tail -1 rss)
diag "peak resident set: $rss KiB"
[ "$rss" -lt $((96 * 1024)) ]
ok $? "peak memory $rss KiB stays under 96 MiB for 2 x 256 MiB of ramdisk"

done_testing
