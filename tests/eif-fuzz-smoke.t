#!/bin/sh
# Every libFuzzer target of libeif builds and runs a short while clean from its seeds: the EIF
# reader, eif audit (whole EIF, and a valid frame around fuzzed cpio and metadata), the CBOR
# decoder and the signature section. A source file added to the library but not to a fuzzer's
# link line fails here, not months later in `make fuzz`. The long runs: make fuzz, fuzz-audit,
# fuzz-audit-frame, fuzz-cbor, fuzz-signature FUZZ_RUNS=10000000.
: "${O:?run through tests/run or make check}" "${TOP:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fuzz.sh"
: "${EIF_FUZZ_SMOKE_RUNS:=20000}"
for name in reader audit audit-frame cbor signature; do
	need_program "$O/fuzz/$name"
done
for name in reader audit audit-frame cbor signature; do
	work=$O/tests/fuzz-smoke/$name
	rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
	cd "$work" || bail "cannot enter $work"
	fuzz_run "$O/fuzz/$name" "$EIF_FUZZ_SMOKE_RUNS" 8192 "$TOP/tests/fuzz/$name"
done
done_testing
