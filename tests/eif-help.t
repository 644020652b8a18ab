#!/bin/sh
# Every subcommand `eif help` lists answers --help with its usage line and has a section in
# the eif(1) man page; the man page renders without warnings.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
commands=$("$EIF" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || bail "eif help lists no commands"
for c in $commands; do
	"$EIF" "$c" --help >"$work/help" 2>&1
	ok $? "eif $c --help exits 0"
	is "$(head -1 "$work/help" | cut -d' ' -f1-3)" "usage: eif $c" "eif $c --help starts with its usage line"
	"$EIF" help "$c" | cmp -s - "$work/help"
	ok $? "eif help $c = eif $c --help"
	grep -q "^\.SS eif $c\$" "$TOP/eif/tool/eif.1"
	ok $? "eif.1 has a section for eif $c"
done
"$EIF" >/dev/null 2>&1
is $? 2 "eif without a command is a usage error"
if command -v man >/dev/null 2>&1; then
	man --warnings -l "$TOP/eif/tool/eif.1" >/dev/null 2>"$work/warnings"
	is "$(cat "$work/warnings")" "" "eif.1 renders without warnings"
else
	skip "eif.1 render check: man is not installed"
fi
done_testing
