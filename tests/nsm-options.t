#!/bin/sh
# The nsm tool's option layer, on the host (no NSM needed): every command's table matches its
# man page section, a missing value is reported as such, and -h as an option's value is that
# value (tests/lib/cliopt.sh).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/cliopt.sh"
nsm=$O/bin/nsm
[ -x "$nsm" ] || bail "$nsm missing (build it with: make $nsm)"
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
cd "$work" || bail "cd $work"
NSM_DEVICE=$work/no-nsm
export NSM_DEVICE
commands=$("$nsm" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || bail "nsm --help lists no commands"
for c in $commands; do
	check_command "$nsm" nsm "$TOP/nsm/nsm.1" "$c"
done
"$nsm" attest --nonce >"$work/out" 2>"$work/err"
is "$?" 2 "nsm attest --nonce (no value): exit 2"
grep -qF "option '--nonce' needs a value" "$work/err"; ok $? "nsm attest --nonce: says it needs a value"
"$nsm" attest --nonce -h -o doc >"$work/out" 2>"$work/err"
! grep -q "^usage: nsm attest" "$work/out"
ok $? "nsm attest --nonce -h: -h is the value (a file name), not a help request"
grep -q "'-h'" "$work/err"; ok $? "nsm attest --nonce -h: reads the file '-h'" || diag "stderr: $(cat "$work/err")"
"$nsm" extend 16 -- -h >"$work/out" 2>"$work/err"
is "$?" 1 "nsm extend 16 -- -h: DATA '-h' goes to the device (absent here: exit 1)"
grep -q "no-nsm" "$work/err"; ok $? "nsm extend 16 -- -h: fails on the device, not on usage"
done_testing
