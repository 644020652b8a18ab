#!/bin/sh
# eif diff opens each EIF once, refusing a FIFO on that open, and parses, measures and compares
# through that descriptor: with a second open by name, a rename in between would compare one
# file's sections against another file's header and PCRs.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
command -v strace >/dev/null || "$TOP/scripts/ensure-packages" check || bail "strace is missing (configs/packages/check)"
make_tv1_inputs
build_tv1 "$work/a.eif" >/dev/null 2>&1 || bail "eif build of tv1 failed"
build_tv1 "$work/b.eif" --img-os other >/dev/null 2>&1 || bail "eif build of tv1 (other metadata) failed"
# opens_of LOG PATH: how many open/openat calls named exactly PATH
opens_of() { grep -cE "open(at)?\(.*\"$2\"" "$1"; }

strace -f -e trace=open,openat -o "$work/diff.log" "$EIF" diff "$work/a.eif" "$work/b.eif" >"$work/out"
is "$?" 1 "eif diff of two different EIFs under strace: exit 1"
grep -q '^metadata ' "$work/out"
ok $? "the metadata difference is named" || diag "$(cat "$work/out")"
is "$(opens_of "$work/diff.log" "$work/a.eif")" 1 "eif diff opens A once"
is "$(opens_of "$work/diff.log" "$work/b.eif")" 1 "eif diff opens B once"
strace -f -e trace=open,openat -o "$work/json.log" "$EIF" diff --json "$work/a.eif" "$work/a.eif" >/dev/null
is "$?" 0 "eif diff --json of one EIF with itself under strace: exit 0"
is "$(opens_of "$work/json.log" "$work/a.eif")" 2 "eif diff A A opens the file once per operand"
done_testing
