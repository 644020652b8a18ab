#!/bin/sh
# The eif option layer: every subcommand's table matches its man page section, a missing
# value is reported as such, and -h/--help as an option's value is that value (tests/lib/cliopt.sh).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
. "$TOP/tests/lib/cliopt.sh"
cd "$work" || bail "cd $work"
commands=$("$EIF" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || bail "eif help lists no commands"
for c in $commands; do
	check_command "$EIF" eif "$TOP/eif/tool/eif.1" "$c"
done

# One value option per subcommand, named here so the check does not depend on parsing --help.
while read -r c opt; do
	"$EIF" "$c" "$opt" >"$work/out" 2>"$work/err"
	is "$?" 2 "eif $c $opt (no value): exit 2"
	grep -qF "option '$opt' needs a value" "$work/err"
	ok $? "eif $c $opt (no value): says it needs a value" || diag "stderr: $(cat "$work/err")"
	"$EIF" "$c" "$opt" -h >"$work/out" 2>&1
	! grep -q "^usage: eif $c" "$work/out"
	ok $? "eif $c $opt -h: -h is the value, not a help request"
done <<EOF
cpio --list
build --cmdline
describe --eif-path
pcr --input
sign --signing-certificate
verify --time
diff --config
audit --provenance
attest --expected
statement --sbom
EOF

# The defect this layer fixed: eif build --cmdline -h printed help and wrote nothing.
make_tv1_inputs
"$EIF" build --kernel "$work/bzImage" --cmdline -h --ramdisk "$work/ramdisk0" --output "$work/h.eif" \
	>/dev/null 2>&1
is "$?" 0 "eif build --cmdline -h: builds"
is "$(section_data "$work/h.eif" 1)" "-h" "eif build --cmdline -h: the command line is '-h'"
"$EIF" build --kernel "$work/bzImage" --cmdline=--help --ramdisk "$work/ramdisk0" \
	--output "$work/h2.eif" >/dev/null 2>&1
is "$(section_data "$work/h2.eif" 1)" "--help" "eif build --cmdline=--help: the command line is '--help'"
"$EIF" cpio --dir "$work" -o"$work/x.cpio" -h >"$work/out" 2>&1
is "$?" 0 "eif cpio ... -h where an option stands: help, exit 0"
grep -q "^usage: eif cpio" "$work/out"; ok $? "eif cpio ... -h: prints the help"
[ ! -e "$work/x.cpio" ]; ok $? "eif cpio ... -h: writes nothing"
done_testing
