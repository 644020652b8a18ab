#!/bin/sh
# The boundary between libeif and the eif tool (eif/eif.mk): the tool is compiled with the
# public include path only (eif/include), so a tool file that includes a library-internal
# header (eif/lib/*.h) does not compile. Checked with the flags make really uses: every
# eif/tool/*.c compiles with them, a tiny tool file including each internal header does not,
# and the same file does compile with the library's flags (so the failure is the include path).
. "$TOP/tests/lib/tap.sh"
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
cd "$TOP" || bail "cannot cd to $TOP"

flags() { # VARIABLE: its value as eif/eif.mk sets it, without the dependency-file options
	make -s --no-print-directory --eval "eif-layout-print: ; @echo \$($1)" eif-layout-print |
		sed 's/ -MMD//; s/ -MP//'
}
tool_flags=$(flags EIF_TOOL_CFLAGS) || bail "cannot read EIF_TOOL_CFLAGS from make"
lib_flags=$(flags EIF_CFLAGS) || bail "cannot read EIF_CFLAGS from make"
diag "tool: $tool_flags"
case " $tool_flags " in
*" -Ieif/lib "*) ok 1 "the tool's flags do not name eif/lib" ;;
*) ok 0 "the tool's flags do not name eif/lib" ;;
esac
case " $lib_flags " in
*" -Ieif/lib "*) ok 0 "the library's flags name eif/lib" ;;
*) ok 1 "the library's flags name eif/lib" ;;
esac

for f in eif/tool/*.c; do
	# shellcheck disable=SC2086
	${CC:-cc} $tool_flags -fsyntax-only "$f" 2>"$work/err"
	ok $? "$f compiles with the tool's flags" || diag "$(cat "$work/err")"
done

n=0
for h in eif/lib/*.h; do
	n=$((n + 1))
	name=$(basename "$h")
	printf '#include <eif/eif.h>\n#include "%s"\nint main(void) { return 0; }\n' "$name" \
		>"$work/tool-$n.c"
	# shellcheck disable=SC2086
	${CC:-cc} $lib_flags -fsyntax-only "$work/tool-$n.c" 2>"$work/err"
	ok $? "a file including $name compiles with the library's flags" || diag "$(cat "$work/err")"
	# Either the include fails, or it finds a system header of the same name (tar.h): never
	# the library's. -M lists every header the preprocessor reaches.
	# shellcheck disable=SC2086
	if ${CC:-cc} $tool_flags -M "$work/tool-$n.c" >"$work/deps" 2>"$work/err"; then
		! grep -q "eif/lib/$name" "$work/deps"
	else
		grep -q "$name" "$work/err"
	fi
	ok $? "a tool file including $name does not reach eif/lib/$name with the tool's flags"
done
[ "$n" -gt 0 ]
ok $? "eif/lib has internal headers to check ($n)"

# No public header pulls in an internal one (that would open the boundary again).
for h in eif/include/eif/*.h; do
	printf '#include <eif/%s>\n' "$(basename "$h")" >"$work/pub.c"
	# shellcheck disable=SC2086
	${CC:-cc} $tool_flags -fsyntax-only "$work/pub.c" 2>"$work/err"
	ok $? "public $(basename "$h") compiles with the tool's flags alone" || diag "$(cat "$work/err")"
done

# The reshape's size rule: no C file of eif/ over 700 lines (split a file along its sections).
wc -l eif/lib/*.c eif/tool/*.c | awk '$2 != "total"' | sort -n >"$work/sizes"
is "$(awk '$1 > 700 { print $2, $1 }' "$work/sizes")" "" \
	"no C file of eif/ is over 700 lines (largest: $(tail -n 1 "$work/sizes" | awk '{ print $2, $1 }'))"
done_testing
