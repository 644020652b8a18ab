#!/bin/sh
# eif audit opens the EIF once and reads everything through that descriptor: a second open by
# name would let a rename between the two mix two files' bytes in one report.
. "$TOP/tests/audit/common.sh"
command -v strace >/dev/null || bail "strace is missing; install the check packages (scripts/ensure-packages check)"

clean_fixture
strace -f -e trace=open,openat,openat2 -o "$work/strace.log" \
	"$EIF" audit "$work/clean.eif" --provenance "$work/provenance" >"$work/audit.out" 2>&1
is "$?" 0 "the clean EIF passes under strace"
opens=$(grep -c -F "\"$work/clean.eif\"" "$work/strace.log")
is "$opens" 1 "the EIF is opened once" || sed 's/^/#   /' "$work/strace.log" | grep -F clean.eif
done_testing
