#!/bin/sh
# libFuzzer on libnsm's answer and attestation-document decoders, seeded with the valid
# answers of the unit test. NSM_FUZZ_RUNS (default 300000) executions; any crash, leak,
# sanitizer report or out-of-input pointer fails it.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fuzz.sh"
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
fuzz_run "$fuzzer" "$NSM_FUZZ_RUNS" 16384 seeds
