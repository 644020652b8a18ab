#!/bin/sh
# libFuzzer on the attestation document decoder (tests/fuzz/fuzz-attest.c), seeded with the
# documents in tests/fuzz/attest/: EIF_ATTEST_FUZZ_RUNS (default 200000) executions; a crash,
# sanitizer report, out-of-input field or silent rejection fails it. `make fuzz-attest` runs 10 M.
: "${O:?run through tests/run or make check}" "${TOP:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fuzz.sh"
: "${EIF_ATTEST_FUZZ_RUNS:=200000}"
fuzzer=$O/fuzz/attest
need_program "$fuzzer"
work=$O/tests/attest/fuzz
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
cd "$work" || bail "cannot enter $work"
fuzz_run "$fuzzer" "$EIF_ATTEST_FUZZ_RUNS" 16384 "$TOP/tests/fuzz/attest"
done_testing
