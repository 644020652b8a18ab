#!/bin/sh
# Benchmark: eif cpio --oci flattening a 1 GiB container image (4 gzip layers of 256 MiB, files
# of 1 to 16 MiB, half random bytes and half text, a later layer replacing files of an earlier
# one) into a newc archive, against `gzip -dc` of the same layers (the cost of just reading
# them). Reports the best of ROUNDS runs of each, the throughput ratio (target >= 0.8) and
# eif's peak RSS (target < 64 MiB: file data is spooled, never held in memory).
# usage: bench/eif-oci.sh EIF MEASURE WORKDIR TOP   (make bench runs it)
set -eu
eif=$1 measure=$2 dir=$3 top=$4
rounds=${ROUNDS:-3}
img=$dir/oci-1g
mkdir -p "$dir"
if [ ! -f "$img/index.json" ]; then
	echo "  BENCH   making a 1 GiB 4-layer gzip image: $img"
	rm -rf "$img" "$dir"/oci-layer*.tar.gz
	for n in 1 2 3 4; do
		python3 - "$n" <<'PY' | gzip -6 -n >"$dir/oci-layer$n.tar.gz"
import io, os, random, sys, tarfile
n = int(sys.argv[1]); rnd = random.Random(n); text = b"the quick brown fox %d jumps\n" % n
out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|", format=tarfile.PAX_FORMAT)
d = tarfile.TarInfo("data"); d.type = tarfile.DIRTYPE; d.mode = 0o755; out.addfile(d)
left, i = 256 << 20, 0
while left > 0:
    size = min(left, rnd.randint(1, 16) << 20)
    # Layers 3 and 4 rewrite some names of layers 1 and 2: the replaced data is read, not packed.
    name = "data/f%d-%d" % (n if n < 3 or i % 2 else n - 2, i)
    body = os.urandom(size) if i % 2 else (text * (size // len(text) + 1))[:size]
    t = tarfile.TarInfo(name); t.size = size; t.mode = 0o644
    out.addfile(t, io.BytesIO(body))
    left -= size; i += 1
out.close()
PY
	done
	python3 "$top/tests/oci/mklayout" "$img" "$dir"/oci-layer1.tar.gz "$dir"/oci-layer2.tar.gz \
		"$dir"/oci-layer3.tar.gz "$dir"/oci-layer4.tar.gz
fi
trap 'rm -f "$dir/oci.cpio"' EXIT
cat "$dir"/oci-layer*.tar.gz >/dev/null # both contenders start from the page cache
results=$dir/oci-results
. "$(dirname "$0")/lib.sh"
: >"$dir/oci-results"
i=0
while [ $i -lt "$rounds" ]; do
	run gzip gzip -dc "$dir"/oci-layer1.tar.gz "$dir"/oci-layer2.tar.gz "$dir"/oci-layer3.tar.gz \
		"$dir"/oci-layer4.tar.gz
	run eif "$eif" cpio --oci "rootfs=$img" -o "$dir/oci.cpio"
	i=$((i + 1))
done
out_size=$(stat -c %s "$dir/oci.cpio")
awk -v rounds="$rounds" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v cpus="$(nproc)" -v out="$out_size" '
	function min(a, b) { return a == "" || b < a ? b : a }
	{ wall[$1] = min(wall[$1], $2); cpu[$1] = min(cpu[$1], $3 + $4); if ($5 > rss[$1]) rss[$1] = $5 }
	END {
		size = 1024 * 1024 * 1024 / 1e6
		printf "eif cpio --oci benchmark: 1 GiB image, 4 gzip layers, best of %d rounds (%d CPUs, load %s)\n", rounds, cpus, load
		printf "  %-34s %6.2f s  %5.0f MB/s  CPU %5.2f s\n", "gzip -dc of the layers", wall["gzip"], size / wall["gzip"], cpu["gzip"]
		printf "  %-34s %6.2f s  %5.0f MB/s  CPU %5.2f s  (archive %.0f MB)\n", "eif cpio --oci (flatten + pack)", wall["eif"], size / wall["eif"], cpu["eif"], out / 1e6
		ratio = wall["gzip"] / wall["eif"]
		printf "  throughput ratio eif/gzip: %.2f (target >= 0.80: %s)\n", ratio, (ratio >= 0.8) ? "met" : "MISSED"
		printf "  peak RSS of eif cpio --oci: %.1f MiB (target < 64 MiB: %s)\n", rss["eif"] / 1024, (rss["eif"] < 65536) ? "met" : "MISSED"
	}' "$dir/oci-results"
