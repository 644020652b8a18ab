#!/bin/sh
# make check-full runs the same tests/run as make check, with CHECK_FULL=1 and the same verdict
# on the knobs that change the PCRs (DEFAULT_BUILD): the published-PCR checks (x86_64 and
# aarch64) must run under check-full, not be skipped because the inner make sees an exported
# SOURCE_DATE_EPOCH. A knob given on the command line still makes it no.
. "$TOP/tests/lib/tap.sh"
# run_line ARGS...: the tests/run command line that make -n ARGS would run.
run_line() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u SOURCE_DATE_EPOCH \
		make -n --no-print-directory -C "$TOP" O="$O" "$@" 2>/dev/null | grep 'tests/run$' | tail -n 1
}
is "$(run_line check)" "O=$O DEFAULT_BUILD=yes CHECK_FULL=0 tests/run" "make check: a default build"
is "$(run_line check-full)" "O=$O DEFAULT_BUILD=yes CHECK_FULL=1 tests/run" "make check-full: a default build too"
is "$(run_line check-full SOURCE_DATE_EPOCH=1)" "O=$O DEFAULT_BUILD=no CHECK_FULL=1 tests/run" \
	"make check-full SOURCE_DATE_EPOCH=1: not a default build"
is "$(run_line check-full HARDEN=1)" "O=$O DEFAULT_BUILD=no CHECK_FULL=1 tests/run" \
	"make check-full HARDEN=1: not a default build"
done_testing
