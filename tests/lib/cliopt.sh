# Checks of the shared option layer (common/cliopt) for one tool: . after tap.sh, then
# check_command TOOL_PATH TOOL_NAME MAN_PAGE COMMAND for each subcommand.
# Each command's --help (generated from its option table) must list the same long options as
# the man page's ".SS TOOL COMMAND" section lists in its .TP paragraphs; every option that
# takes a value reports a missing value, and takes "-h" as that value, never as a help request.

# help_options HELP_FILE: "NAME VALUE" (VALUE "-" for a flag) per option of the Options: list
help_options() {
	sed -n '/^Options:$/,/^$/s/^  \(-[a-zA-Z], \|    \)--\([a-z][a-z0-9_-]*\)\( \([^ ]*\)\)\{0,1\}\( .*\)\{0,1\}$/\2 \4/p' "$1" |
		grep -v '^help ' | awk '{ print $1, ($2 == "" ? "-" : $2) }'
}
# help_letter HELP_FILE NAME: the short letter of --NAME, if any
help_letter() {
	sed -n "s/^  -\\([a-zA-Z]\\), --$2\\( .*\\)\\{0,1\\}\$/\\1/p" "$1"
}
# man_options MAN_PAGE TOOL COMMAND: the long options named on the first line of each .TP
# paragraph of the section ".SS TOOL COMMAND", sorted
man_options() {
	awk -v want=".SS $2 $3" '
		$0 == want { inside = 1; next }
		inside && /^\.S[HS]/ { inside = 0 }
		inside && prev == ".TP" {
			line = $0
			while (match(line, /\\-\\-[a-z][a-z0-9_\\-]*/)) {
				name = substr(line, RSTART + 4, RLENGTH - 4); gsub(/\\-/, "-", name)
				print name; line = substr(line, RSTART + RLENGTH)
			}
		}
		{ prev = $0 }' "$1" | sort -u
}

check_command() {
	cc_tool=$1 cc_name=$2 cc_man=$3 cc_cmd=$4
	"$cc_tool" "$cc_cmd" --help >"$work/help" 2>&1
	is "$?" 0 "$cc_name $cc_cmd --help exits 0"
	grep -q "^\.SS $cc_name $cc_cmd\$" "$cc_man"
	ok $? "$cc_name $cc_cmd has a section in $(basename "$cc_man")"
	is "$(help_options "$work/help" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" \
		"$(man_options "$cc_man" "$cc_name" "$cc_cmd" | tr '\n' ' ')" \
		"$cc_name $cc_cmd: --help and the man page list the same options"
	help_options "$work/help" >"$work/options"
	grep -qv ' -$' "$work/options" || {
		ok 0 "$cc_name $cc_cmd: its table has no option that takes a value (none to test)"
	}
	while read -r cc_opt cc_value; do
		[ "$cc_value" = - ] && continue
		for cc_spelling in "--$cc_opt" $(help_letter "$work/help" "$cc_opt" | sed 's/^/-/'); do
			"$cc_tool" "$cc_cmd" "$cc_spelling" >"$work/out" 2>"$work/err"
			is "$?" 2 "$cc_name $cc_cmd $cc_spelling (no value): usage error"
			grep -qF "option '$cc_spelling' needs a value" "$work/err"
			ok $? "$cc_name $cc_cmd $cc_spelling (no value): says it needs a value" ||
				diag "stderr: $(cat "$work/err")"
			"$cc_tool" "$cc_cmd" "$cc_spelling" -h >"$work/out" 2>"$work/err"
			! grep -q "^usage: $cc_name $cc_cmd" "$work/out" && ! grep -q "needs a value" "$work/err"
			ok $? "$cc_name $cc_cmd $cc_spelling -h: -h is the value, not a help request" ||
				diag "stdout: $(head -3 "$work/out")"
		done
	done <"$work/options"
	"$cc_tool" "$cc_cmd" -- -h >"$work/out" 2>"$work/err"
	! grep -q "^usage: $cc_name $cc_cmd" "$work/out"
	ok $? "$cc_name $cc_cmd -- -h: an operand, not a help request"
	"$cc_tool" "$cc_cmd" --no-such-option >"$work/out" 2>"$work/err"
	is "$?" 2 "$cc_name $cc_cmd --no-such-option: usage error"
	grep -qF "unknown option '--no-such-option'" "$work/err"
	ok $? "$cc_name $cc_cmd --no-such-option: says so" || diag "stderr: $(cat "$work/err")"
}
