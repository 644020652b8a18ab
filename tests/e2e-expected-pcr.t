#!/bin/sh
# The default hello enclave has exactly the PCRs published in configs/expected-pcr.json. A change
# to the boot chain must update that file in the same commit. The host's toolchain is not compared
# with configs/sources.lock (a build never changes it): the PCRs themselves are the check.
. "$TOP/tests/lib/tap.sh"
expected=$TOP/configs/expected-pcr.json
[ -r "$O/pcr.json" ] || bail "$O/pcr.json missing: run make first"
if [ "${DEFAULT_BUILD:-}" != yes ]; then
	plan 1
	skip "this build changed APP, CMD, ENV, KERNEL_CONFIG, KERNEL_SOURCE, SOURCE_DATE_EPOCH or HARDEN;" \
		"the published PCRs are those of the default build"
	exit 0
fi
. "$TOP/tests/lib/json.sh"
field() { json_field "$1" <"$2"; }
for pcr in PCR0 PCR1 PCR2; do
	want=$(field $pcr "$expected")
	[ -n "$want" ] || { ok 1 "$pcr is in $expected"; continue; }
	is "$(field $pcr "$O/pcr.json")" "$want" "$pcr of the default enclave equals configs/expected-pcr.json"
done
done_testing
