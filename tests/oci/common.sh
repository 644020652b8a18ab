# Shared by tests/eif-oci-*.t: . "$TOP/tests/oci/common.sh"
# Gives: $work (a private temporary directory, removed on exit), mklayer OUT.tar < SPEC,
# mklayout DIR [options] LAYER... (tests/oci/mklayout), refused NAME MESSAGE SPEC...
# (eif cpio of an image must fail with MESSAGE in its error and write nothing), need_tools
# (tests/oci/tools.sh).
. "$TOP/tests/lib/tap.sh"
: "${EIF:?EIF is not set; run the tests through tests/run (make check)}"
[ -x "$EIF" ] || bail "$EIF is missing; build it first (make eif)"
. "$TOP/tests/oci/tools.sh"
need_tools python3
unset SOURCE_DATE_EPOCH
work=$(mktemp -d "${TMPDIR:-/tmp}/eif-oci.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work" || bail "cannot enter $work"
mklayer() { python3 "$TOP/tests/oci/mklayer" "$@"; }
mklayout() { python3 "$TOP/tests/oci/mklayout" "$@"; }

# refused DESCRIPTION EXPECTED-MESSAGE-FRAGMENT EIF-CPIO-ARGS...: two tests, the refusal with
# the message, and that no output (nor a temporary file) was left.
refused() {
	desc=$1 expect=$2
	shift 2
	rm -rf out && mkdir out
	"$EIF" cpio "$@" -o out/user.cpio 2>err.txt
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$expect" err.txt; then ok 0 "$desc: refused with '$expect'"
	else ok 1 "$desc: refused with '$expect'"; diag "exit $rc, stderr: $(head -c 600 err.txt)"; fi
	is "$(ls -A out)" "" "$desc: no output and no temporary file"
}
