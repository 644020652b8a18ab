#!/bin/sh
# kernel/audit (make kernel-audit) reports each recommended hardening option as held or not, with
# its reason, shows the deliberately skipped ones with their state, and counts them; and the
# real hardening fragment is well-formed: every option line has a reason above it.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/audit
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
cat >"$work/fragment" <<'FRAGMENT'
## Group one
# Reason for A and B.
CONFIG_A=y
CONFIG_B=y
# Reason for C being off.
# CONFIG_C is not set
#skip CONFIG_D kept out for a stated reason
FRAGMENT
printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=y\n' >"$work/config"
"$TOP/kernel/audit" "$work/config" "$work/fragment" >"$work/out" 2>&1
ok $? "kernel/audit runs (a report, exit 0 even when options are missing)"
expect() { is "$(grep -c -F -x -- "$1" "$work/out")" 1 "$2"; }
expect "Group one" "the group title is shown"
expect "  Reason for A and B." "the reason is shown once above its options"
expect "    yes  CONFIG_A=y" "an option that holds is 'yes'"
expect "    NO   CONFIG_B=y (now CONFIG_B not set)" "a missing option is 'NO' with its actual state"
expect "    NO   CONFIG_C off (now CONFIG_C=y)" "an option that should be off but is on is 'NO'"
expect "    skip CONFIG_D=y: kept out for a stated reason" "a skipped option shows its state and reason"
expect "1 of 3 recommended options hold; 1 deliberately not required (skip)." "the summary counts them"

fragment=$TOP/configs/kernel/hardening.fragment
is "$(awk '/^## /{r=0; next} /^# CONFIG_[A-Za-z0-9_]+ is not set$/ || /^CONFIG_/ { if (!r) print FNR; next } /^# /{r=1}' "$fragment")" "" \
	"every option in hardening.fragment follows a reason line"
if [ -r "$O/kernel/config" ]; then
	"$TOP/kernel/audit" "$O/kernel/config" "$fragment" >"$work/real.out" 2>&1
	ok $? "kernel/audit reports on out/kernel/config"
	grep -q '^[0-9]* of [0-9]* recommended options hold' "$work/real.out"
	ok $? "the report on out/kernel/config ends with its summary"
else
	ok 1 "out/kernel/config exists (run make kernel)"
fi
done_testing
