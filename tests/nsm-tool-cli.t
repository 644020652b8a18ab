#!/bin/sh
# The nsm tool's command line, on the host (no NSM needed): --help for the tool and every
# command, usage errors exit 2 with the usage line, a missing device exits 1 naming it.
. "$TOP/tests/lib/tap.sh"
nsm=$O/bin/nsm
[ -x "$nsm" ] || { ok 1 "$nsm exists (build it with: make $nsm)"; done_testing; exit 1; }
out=$("$nsm" --help); rc=$?
is "$rc" 0 "nsm --help exits 0"
for cmd in pcrs pcr extend lock random describe attest; do
	echo "$out" | grep -q "^  $cmd "
	ok $? "nsm --help lists $cmd"
	help=$("$nsm" "$cmd" --help); rc=$?
	is "$rc" 0 "nsm $cmd --help exits 0"
	echo "$help" | grep -q "^usage: nsm $cmd"
	ok $? "nsm $cmd --help prints its usage line"
done
# expect_usage STATUS TEXT ARGS...: exit status and a fixed string on stderr.
expect_usage() {
	want=$1 text=$2
	shift 2
	err=$("$nsm" "$@" 2>&1 >/dev/null); rc=$?
	is "$rc" "$want" "nsm $* exits $want"
	case $err in *"$text"*) ok 0 "nsm $* says: $text" ;;
	*) ok 1 "nsm $* says: $text"; diag "actual: $err" ;; esac
}
expect_usage 2 "unknown command 'frob'" frob
expect_usage 2 "expected 1 argument, got 0" pcr
expect_usage 2 "'65536' is not a PCR index" pcr 65536
expect_usage 2 "'-1' is not a PCR index" lock -1
expect_usage 2 "expected 2 arguments, got 1" extend 16
expect_usage 2 "is not a byte count" random 2000000
expect_usage 2 "-o DOC is required" attest
expect_usage 2 "option '--nonce' needs a value" attest -o doc --nonce
expect_usage 2 "unknown option '--bogus'" attest --bogus -o doc
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
head -c 513 /dev/zero >"$work/513"
expect_usage 1 "longer than the 512 bytes" attest --nonce "$work/513" -o "$work/doc"
expect_usage 1 "'$work/missing': No such file" attest --user-data "$work/missing" -o "$work/doc"
NSM_DEVICE=$work/no-nsm expect_usage 1 "$work/no-nsm: No such file or directory; is nsm.ko loaded?" pcrs
[ ! -e "$work/doc" ]
ok $? "a failed attest leaves no output file"
done_testing
