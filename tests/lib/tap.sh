# TAP helpers for shell tests: . "$TOP/tests/lib/tap.sh"
tap_n=0
tap_failed=0
plan() { echo "1..$1"; }
diag() { printf '# %s\n' "$*"; }
ok() {	# ok CONDITION-STATUS DESCRIPTION  (use: cmd; ok $? "desc" || diag ...)
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $tap_n - $2"; return 0; fi
	echo "not ok $tap_n - $2"
	tap_failed=$((tap_failed + 1))
	return 1
}
is() {	# is ACTUAL EXPECTED DESCRIPTION  (returns the verdict, as ok does)
	[ "$1" = "$2" ] && { ok 0 "$3"; return; }
	ok 1 "$3"
	diag "expected: $2"
	diag "  actual: $1"
	return 1
}
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $*"; }
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
bail() { echo "Bail out! $*"; exit 1; }
# need_program PATH [HOW]: a test that runs a built C test program fails (1..1, not ok) unless
# PATH is executable; HOW is how to build it (default: make check, or make PATH).
need_program() {
	[ -x "$1" ] && return 0
	echo "1..1"
	echo "not ok 1 - $1 exists (build it with: ${2:-make check, or make $1})"
	exit 1
}
# need_files FILE...: a test that needs built files fails (1..1, not ok, naming the missing
# ones) unless every FILE exists.
need_files() {
	_nf_missing=
	for _nf in "$@"; do
		[ -e "$_nf" ] || _nf_missing="$_nf_missing $_nf"
	done
	[ -z "$_nf_missing" ] && return 0
	echo "1..1"
	echo "not ok 1 - prerequisites exist (missing:$_nf_missing; run make check)"
	exit 1
}
