#!/bin/sh
# Hostile layers never crash eif cpio --oci: 60 layers made from a valid one (pax names, long
# names, hard links, symlinks, devices, whiteouts) by seeded random byte flips, cuts and
# insertions, stored with correct digests (so the tar reader and the tree see them), plain and
# gzip. Every run exits 0 or 1, says something on failure, and leaves no partial output.
. "$TOP/tests/oci/common.sh"
plan 4
python3 -c 'print("f " + "long/" * 30 + "name 0644 0 0 x")' >spec
cat >>spec <<'SPEC'
d etc 0755 0 0
f etc/passwd 0644 0 0 root:x:0:0
h etc/link etc/passwd
l etc/sym passwd
c dev-null 0666 0 0 1 3
p fifo 0600 1000 1000
f .wh.gone 0644 0 0
d opq 0755 0 0
f opq/.wh..wh..opq 0644 0 0
SPEC
mklayer seed.tar <spec || bail "cannot make the seed layer"
python3 - <<'PY' || bail "cannot make the mutants"
import gzip, random
rnd = random.Random(20261207)
seed = open("seed.tar", "rb").read()
for i in range(60):
    d = bytearray(seed)
    for _ in range(rnd.randint(1, 8)):
        what, pos = rnd.randrange(4), rnd.randrange(len(d))
        if what == 0: d[pos] = rnd.randrange(256)
        elif what == 1: d[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 40)))
        elif what == 2: del d[pos:pos + rnd.randint(1, 600)]
        else: d[pos:pos + 12] = rnd.choice([b"99999999999\0", b"\x80" + b"\xff" * 11, b"../../../etc", b".wh..wh..opq", b"/abs/path\0\0\0"])
    data = bytes(d)
    if i % 3 == 0:
        data = gzip.compress(data, mtime=0)
    open("m%03d.layer" % i, "wb").write(data)
PY
crashes=0 silent=0 accepted=0 leftovers=0 runs=0
for layer in m*.layer; do
	runs=$((runs + 1))
	rm -rf img out && mkdir out && mklayout img "$layer" >/dev/null 2>&1 || continue
	"$EIF" cpio --oci img -o out/a.cpio >/dev/null 2>err.txt
	rc=$?
	case $rc in
	0) accepted=$((accepted + 1)) ;;
	1) [ -s err.txt ] || { silent=$((silent + 1)); diag "$layer: exit 1 without a message"; }
	   [ -z "$(ls -A out)" ] || { leftovers=$((leftovers + 1)); diag "$layer: output left"; } ;;
	*) crashes=$((crashes + 1)); diag "$layer: exit status $rc: $(head -c 300 err.txt)" ;;
	esac
done
is "$runs" 60 "60 mutated layers were tried"
is "$crashes" 0 "no run ended by a signal or an unexpected status"
is "$silent" 0 "every refusal printed a message"
is "$leftovers" 0 "no refusal left an output"
diag "$accepted of $runs mutants were accepted"
