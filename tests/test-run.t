#!/bin/sh
# tests/run's order: "# tests/run: alone" tests first, one by one; then, of the tests never timed
# yet, "# tests/run: long" ones first, then those that boot QEMU, then the others; once timed,
# the slowest first. "# tests/run: full" tests only under CHECK_FULL=1. Checked on probe tests in
# a copy of tests/run, one job at a time (TEST_JOBS=1), each appending its name to a file.
. "$TOP/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-run.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
top=$tmp/top
mkdir -p "$top/tests" "$top/scripts" "$tmp/o" && cp -R "$TOP/tests/run" "$TOP/tests/lib" "$top/tests/" &&
	cp "$TOP/scripts/cache-dir" "$top/scripts/" 2>/dev/null; [ -x "$top/tests/run" ] || bail "cannot copy tests/run"
# probe NAME [MARKER-LINE...]: a test that notes that it ran (after SLEEP seconds, if set).
probe() {
	name=$1; shift
	{
		echo '#!/bin/sh'
		for line; do echo "$line"; done
		echo "echo $name >>\"$tmp/ran\"; sleep \${PROBE_SLEEP_$(echo "$name" | tr - _):-0}; echo 1..1; echo ok 1"
	} >"$top/tests/$name.t" && chmod +x "$top/tests/$name.t"
}
probe a-plain
probe b-boots '. "$TOP/tests/lib/qemu.sh"  # never sourced: the runner only greps for it' 'exit_now=1'
probe c-long '# tests/run: long'
probe d-alone '# tests/run: alone'
probe e-full '# tests/run: full'
# The QEMU probe must not really source the helper: its marker line is enough for the runner.
sed -i 's|^\. "\$TOP/tests/lib/qemu.sh".*|# tests/lib/qemu.sh|' "$top/tests/b-boots.t"
run() { : >"$tmp/ran"; env -u MAKEFLAGS -u T -u CHECK_FULL O="$tmp/o" TEST_JOBS=1 "$@" "$top/tests/run" >"$tmp/out" 2>&1; }

run env
ok $? "the probes pass" || sed 's/^/# /' "$tmp/out"
is "$(paste -sd' ' "$tmp/ran")" "d-alone c-long b-boots a-plain" \
	"never timed: alone, then long, then QEMU, then the others; full left out"
grep -q '^  FULL    e-full: left for make check-full$' "$tmp/out"
ok $? "the full test is named as left for make check-full"

# Timed now: a-plain the slowest, then c-long, then b-boots. Under CHECK_FULL=1 the full test,
# never timed, comes before them.
run env PROBE_SLEEP_a_plain=2 PROBE_SLEEP_c_long=1
run env CHECK_FULL=1
is "$(paste -sd' ' "$tmp/ran")" "d-alone e-full a-plain c-long b-boots" \
	"timed: alone first, then the never-timed full test, then the slowest first" ||
	sed 's/^/# /' "$tmp/o/test-logs/timings.txt"
done_testing
