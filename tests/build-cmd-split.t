#!/bin/sh
# CMD is split into /cmd's arguments the way the shell's quoting groups words, and nothing else:
# $(...), backticks, $VAR and globs stay literal and run nothing; unbalanced quotes are refused
# with a clear error.
. "$TOP/tests/lib/build.sh"
app=$work/app
mkdir -p "$app/bin" && printf 'x\n' >"$app/bin/echo" || bail "cannot create the application tree"
# cmd_sha CPIO: the sha256 of the /cmd member of a user ramdisk.
cmd_sha() { perl "$TOP/tests/cpio/newc-dump" "$1" | awk '$10 == "cmd" { print $11 }'; }
splits_to() {	# splits_to DESC CMD WORD...: /cmd holds the WORDs, one per line
	what=$1 c=$2; shift 2
	rm -f "$work/user.cpio"
	"$TOP/scripts/user-ramdisk" "$b/bin/eif" "$app" "$c" '' "$work/user.cpio" 2>"$work/err"
	is "$(cmd_sha "$work/user.cpio" 2>&1)" "$(printf '%s\n' "$@" | sha256sum | cut -c1-64)" "$what" ||
		{ diag "CMD: $c"; diag "expected words: $*"; sed 's/^/#   /' "$work/err"; }
}
refuses() {	# refuses DESC CMD PATTERN
	"$TOP/scripts/user-ramdisk" "$b/bin/eif" "$app" "$2" '' "$work/refused.cpio" 2>"$work/err"
	st=$?
	[ "$st" -ne 0 ] && grep -q -e "$3" "$work/err" && [ ! -e "$work/refused.cpio" ]
	ok $? "$1" || diag "status $st, stderr: $(cat "$work/err")"
}

cd "$work" || bail "cannot enter $work"
splits_to '$(...), backticks, $VAR and globs stay literal' \
	'/bin/echo $(touch pwned) `touch pwned2` $HOME * ${x:-y}' \
	/bin/echo '$(touch' 'pwned)' '`touch' 'pwned2`' '$HOME' '*' '${x:-y}'
[ ! -e pwned ] && [ ! -e pwned2 ]; ok $? "splitting CMD runs nothing (no file was created)"
splits_to "single quotes group words" "sh -c 'echo \"hi there\"; exit 3' x" sh -c 'echo "hi there"; exit 3' x
splits_to 'double quotes: \\ \" \$ \` are escapes, other backslashes stay' \
	'"a\"b\\c\$d\`e\z" next' 'a"b\c$d`e\z' next
splits_to "an empty quoted word is an argument" "a '' \"\" b" a '' '' b
splits_to "a backslash outside quotes escapes one character" 'one\ word \"q\" \\' 'one word' '"q"' '\'
splits_to "blanks, tabs and newlines separate words" "$(printf ' a\t b \n c ')" a b c
splits_to "quotes inside a word join" "pre'fix 1'\"-\"post" 'prefix 1-post'
refuses "an unclosed single quote is refused" "echo 'open" "unclosed single quote"
refuses "an unclosed double quote is refused" 'echo "open' "unclosed double quote"
refuses "a trailing lone backslash is refused" 'echo \' "lone backslash"
refuses "an empty CMD is refused" '  ' "CMD is empty"
refuses "a quoted newline is refused (/cmd has one argument per line)" "$(printf "echo 'a\nb'")" "contains a newline"

# Through make: $$ is make's escape for $, backticks pass as they are.
build_ok "make with a CMD that holds \$(...) and backticks" APP="$app" ENV= \
	CMD='/bin/echo $$(touch '"$work"'/made) `touch '"$work"'/made2`'
[ ! -e "$work/made" ] && [ ! -e "$work/made2" ]; ok $? "make ran nothing from CMD"
is "$(cmd_sha "$b/ramdisk/user.cpio")" \
	"$(printf '%s\n' /bin/echo '$(touch' "$work/made)" '`touch' "$work/made2\`" | sha256sum | cut -c1-64)" \
	"the ramdisk's /cmd holds the literal words"
done_testing
