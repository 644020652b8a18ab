#!/bin/sh
# `make help` names every .PHONY target of the Makefile and the part fragments (*/*.mk), so a
# new target cannot hide; and V=1 shows the commands only when given on the command line (as
# in Kbuild: a V in the environment, meant for another tool, leaves make quiet).
. "$TOP/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-help.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
# Another O, so that reading the Makefile (which records kernel knobs under O) leaves out/ alone.
mk() { make --no-print-directory -s -C "$TOP" O="$tmp/out" "$@"; }

mk help >"$tmp/help" 2>&1
ok $? "make help succeeds" || sed 's/^/# /' "$tmp/help"
# Every name on a .PHONY line (continuations joined), but for FORCE* (internal prerequisites).
targets=$(cat "$TOP"/Makefile "$TOP"/*/*.mk | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
	sed -n 's/^\.PHONY *:\(.*\)/\1/p' | tr -s ' \t' '\n' | grep -v -e '^$' -e '^FORCE' | sort -u)
[ -n "$targets" ]; ok $? "the fragments declare .PHONY targets ($(echo "$targets" | wc -l) found)"
missing=
for t in $targets; do
	grep -Eq "(^|[ (])$t([ ):,;]|\$)" "$tmp/help" || missing="$missing $t"
done
is "${missing:-none}" none "make help names every .PHONY target (missing ones listed)"

# Q is the recipe prefix: @ when quiet, empty when verbose.
# shellcheck disable=SC2016
q_of() { mk --eval 'print-q: ; @echo "[$(Q)]"' "$@" print-q 2>&1; }
is "$(q_of)" "[@]" "quiet by default"
is "$(q_of V=1)" "[]" "make V=1 shows the commands"
is "$(V=1 q_of)" "[@]" "V=1 in the environment does not"
is "$(V=1 q_of V=0)" "[@]" "make V=0 stays quiet"
done_testing
