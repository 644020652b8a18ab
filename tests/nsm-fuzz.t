#!/bin/sh
# libFuzzer on libnsm's answer and attestation-document decoders, seeded with the valid
# answers of the unit test. NSM_FUZZ_RUNS (default 300000) executions; any crash, leak,
# sanitizer report or out-of-input pointer fails it.
. "$TOP/tests/lib/tap.sh"
: "${NSM_FUZZ_RUNS:=300000}"
fuzzer=$O/tests/nsm/fuzz-decode unit=$O/tests/nsm/unit
plan 3
for p in "$fuzzer" "$unit"; do
	[ -x "$p" ] || { ok 1 "$p exists (build it with: make $p)"; exit 1; }
done
work=$O/tests/nsm/fuzz
rm -rf "$work/seeds" && mkdir -p "$work/seeds" "$work/corpus"
"$unit" --write-corpus "$work/seeds" >/dev/null
ok $? "the unit test wrote its valid answers as seeds"
cd "$work" || bail "cannot enter $work"
"$fuzzer" -runs="$NSM_FUZZ_RUNS" -max_len=16384 -print_final_stats=1 corpus seeds >log 2>&1
rc=$?
is "$rc" 0 "the fuzzer ran $NSM_FUZZ_RUNS inputs without a finding"
[ "$rc" -eq 0 ] || sed -n '/ERROR\|SUMMARY\|Test unit written/p' log | head -20 | sed 's/^/# /'
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' log)
ok $([ "${runs:-0}" -ge "$NSM_FUZZ_RUNS" ]; echo $?) "libFuzzer reports at least $NSM_FUZZ_RUNS executions"
diag "executions: ${runs:-none}, corpus: $(ls corpus | wc -l) inputs"
