# Helpers for tests/eif-attest-*.t. Source after tests/lib/tap.sh; needs $TOP, $O and $EIF.
# Brings tests/sign/common.sh ($work, flip_byte, file_size, make_pair).
. "$TOP/tests/sign/common.sh"
helper=$O/tests/attest/attest-helper
command -v jq >/dev/null || bail "jq missing; install the check packages (scripts/ensure-packages check)"

# attest_is DESC EXIT CHECK RESULT [ARGS...]: eif attest ARGS exits EXIT, and its JSON verdict
# says checks.CHECK.result == RESULT (pass, fail, skipped); the verdict's failure class and
# the check's reason are shown when either differs.
attest_is() {
	desc=$1 want=$2 check=$3 result=$4
	shift 4
	"$EIF" attest "$@" >"$work/verdict.json" 2>"$work/stderr"
	rc=$?
	got=$(jq -r --arg c "$check" '.checks[$c].result // "absent"' "$work/verdict.json" 2>&1)
	if [ "$rc" = "$want" ] && [ "$got" = "$result" ]; then
		ok 0 "$desc: exit $want, $check $result"
		return 0
	fi
	ok 1 "$desc: exit $want, $check $result"
	diag "exit $rc, $check: $got; stderr: $(cat "$work/stderr")"
	diag "$(jq -c '{failure, checks: (.checks | map_values(.reason))}' "$work/verdict.json" 2>&1 | cut -c1-600)"
	return 1
}

# reason_has TEXT DESC: the failing checks' reasons in the last verdict mention TEXT
reason_has() {
	jq -r '.checks[] | select(.result == "fail") | .reason' "$work/verdict.json" | grep -q -- "$1"
	ok $? "$2" || diag "reasons: $(jq -r '.checks[] | .reason' "$work/verdict.json")"
}

# offset_of FILE TEXT: byte offset of the first TEXT in FILE (perl index), -1 if absent
offset_of() {
	perl -e 'local $/; open my $f, "<:raw", $ARGV[0] or die; my $d = <$f>; print index($d, $ARGV[1]), "\n"' "$1" "$2"
}
