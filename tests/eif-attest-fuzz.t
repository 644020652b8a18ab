#!/bin/sh
# libFuzzer on the attestation document decoder (tests/fuzz/fuzz-attest.c), seeded with the
# documents in tests/fuzz/attest/: EIF_ATTEST_FUZZ_RUNS (default 200000) executions; a crash,
# sanitizer report, out-of-input field or silent rejection fails it. `make fuzz-attest` runs 10 M.
: "${O:?run through tests/run or make check}" "${TOP:?}"
. "$TOP/tests/lib/tap.sh"
: "${EIF_ATTEST_FUZZ_RUNS:=200000}"
fuzzer=$O/fuzz/attest
need_program "$fuzzer"
work=$O/tests/attest/fuzz
rm -rf "$work" && mkdir -p "$work/corpus" || bail "cannot create $work"
cd "$work" || bail "cannot enter $work"
nice -n 10 "$fuzzer" -runs="$EIF_ATTEST_FUZZ_RUNS" -max_len=16384 -print_final_stats=1 \
	corpus "$TOP/tests/fuzz/attest" >log 2>&1
rc=$?
is "$rc" 0 "the fuzzer ran $EIF_ATTEST_FUZZ_RUNS inputs without a finding"
[ "$rc" -eq 0 ] || sed -n '/ERROR\|SUMMARY\|Test unit written/p' log | head -20 | sed 's/^/# /'
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' log)
ok $([ "${runs:-0}" -ge "$EIF_ATTEST_FUZZ_RUNS" ]; echo $?) "libFuzzer reports at least $EIF_ATTEST_FUZZ_RUNS executions"
diag "executions: ${runs:-none}, corpus: $(ls corpus | wc -l) inputs"
done_testing
