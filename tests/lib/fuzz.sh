# libFuzzer runs for TAP tests: . "$TOP/tests/lib/fuzz.sh" after tests/lib/tap.sh.
# fuzz_run FUZZER RUNS MAX_LEN SEEDS...: in the current directory (it writes corpus/ and log),
# runs FUZZER for RUNS executions from corpus/ and the SEEDS directories; two TAP results: no
# finding (the report's ERROR/SUMMARY lines shown if any), and at least RUNS executions done.
fuzz_run() {
	fr_fuzzer=$1 fr_runs=$2 fr_max=$3
	shift 3
	mkdir -p corpus
	"$fr_fuzzer" -runs="$fr_runs" -max_len="$fr_max" -print_final_stats=1 corpus "$@" >log 2>&1
	fr_rc=$?
	is "$fr_rc" 0 "the fuzzer ran $fr_runs inputs without a finding"
	[ "$fr_rc" -eq 0 ] || sed -n '/ERROR\|SUMMARY\|Test unit written/p' log | head -20 | sed 's/^/# /'
	fr_done=$(sed -n 's/^stat::number_of_executed_units: *//p' log)
	ok "$([ "${fr_done:-0}" -ge "$fr_runs" ]; echo $?)" "libFuzzer reports at least $fr_runs executions"
	diag "executions: ${fr_done:-none}, corpus: $(ls corpus | wc -l) inputs"
}
