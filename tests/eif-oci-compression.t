#!/bin/sh
# A layer plain, gzip, zstd, as concatenated gzip members (pigz, gzip of parts) and as several
# zstd frames flattens to the same archive.
. "$TOP/tests/oci/common.sh"
plan 5
python3 -c 'print("f big 0644 0 0 " + "abc " * 50000)' >spec && printf 'd d 0755 0 0\nf d/small 0600 0 0 x\n' >>spec
mklayer l.tar <spec || bail "cannot make the layer"
gzip -nc l.tar >l.tar.gz && zstd -q -c l.tar >l.tar.zst &&
	head -c 70000 l.tar >part1 && tail -c +70001 l.tar >part2 &&
	{ gzip -nc part1; gzip -nc part2; } >l.multi.gz && { zstd -q -c part1; zstd -q -c part2; } >l.multi.zst ||
	bail "cannot compress"
"$EIF" cpio --oci "$(mklayout plain l.tar && echo plain)" -o plain.cpio 2>err.txt
ok $? "the plain layer is packed" || diag "$(cat err.txt)"
for c in l.tar.gz l.tar.zst l.multi.gz l.multi.zst; do
	mklayout "img-$c" "$c" && "$EIF" cpio --oci "img-$c" -o "$c.cpio" 2>err.txt && cmp -s "$c.cpio" plain.cpio
	ok $? "$c gives the same archive" || diag "$(cat err.txt)"
done
