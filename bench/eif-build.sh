#!/bin/sh
# Benchmark: eif build of an EIF with a 1 GiB application ramdisk, against
# `openssl dgst -sha384` over the same file (the speed a single SHA-384 pass reaches).
# Reports the best of ROUNDS interleaved runs of each, the throughput ratio (target >= 0.8)
# and eif's peak RSS (target < 64 MiB).
# usage: bench/eif-build.sh EIF MEASURE WORKDIR   (make bench runs it)
set -eu
eif=$1 measure=$2 dir=$3
rounds=${ROUNDS:-3}
size=$((1024 * 1024 * 1024))
mkdir -p "$dir"
ramdisk=$dir/ramdisk-1g.img
if [ "$(stat -c %s "$ramdisk" 2>/dev/null || echo 0)" -ne "$size" ]; then
	echo "  BENCH   making a 1 GiB random ramdisk: $ramdisk"
	head -c "$size" /dev/urandom >"$ramdisk.tmp" && mv "$ramdisk.tmp" "$ramdisk"
fi
printf 'bench kernel' >"$dir/kernel"
printf 'bench bootstrap ramdisk' >"$dir/bootstrap"
cat "$ramdisk" >/dev/null # both contenders start from the page cache

# run NAME COMMAND...: append "NAME WALL USER SYS RSS" to the results.
run() {
	name=$1
	shift
	"$measure" "$@" >/dev/null 2>"$dir/measure.out" ||
		{ echo "bench: '$*' failed: $(cat "$dir/measure.out")" >&2; exit 1; }
	echo "$name $(tail -1 "$dir/measure.out")" >>"$dir/results"
}
: >"$dir/results"
i=0
while [ $i -lt "$rounds" ]; do
	run openssl openssl dgst -sha384 "$ramdisk"
	run eif "$eif" build --kernel "$dir/kernel" --cmdline console=ttyS0 --ramdisk "$dir/bootstrap" \
		--ramdisk "$ramdisk" --output "$dir/bench.eif"
	i=$((i + 1))
done
rm -f "$dir/bench.eif"
awk -v rounds="$rounds" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v cpus="$(nproc)" '
	function min(a, b) { return a == "" || b < a ? b : a }
	{ wall[$1] = min(wall[$1], $2); cpu[$1] = min(cpu[$1], $3 + $4); if ($5 > rss[$1]) rss[$1] = $5 }
	END {
		gib = 1024 * 1024 * 1024 / 1e6
		printf "eif build benchmark: 1 GiB application ramdisk, best of %d rounds (%d CPUs, load %s)\n", rounds, cpus, load
		printf "  openssl dgst -sha384  %6.2f s  %6.0f MB/s  CPU %5.2f s\n", wall["openssl"], gib / wall["openssl"], cpu["openssl"]
		printf "  eif build             %6.2f s  %6.0f MB/s  CPU %5.2f s  peak RSS %.1f MiB\n", wall["eif"], gib / wall["eif"], cpu["eif"], rss["eif"] / 1024
		ratio = wall["openssl"] / wall["eif"]
		printf "  throughput ratio eif/openssl: %.2f (target >= 0.80: %s)\n", ratio, (ratio >= 0.8) ? "met" : "MISSED"
		printf "  peak RSS: %.1f MiB (target < 64 MiB: %s)\n", rss["eif"] / 1024, (rss["eif"] < 65536) ? "met" : "MISSED"
	}' "$dir/results"
