#!/bin/sh
# nsm/driver follows kernel style: the pinned kernel's scripts/checkpatch.pl --no-tree -f
# reports no error and no warning for any driver file (W=1 cleanliness is enforced by the
# build of $O/nsm.ko itself, see nsm/nsm.mk).
. "$TOP/tests/lib/tap.sh"
checkpatch=$O/kernel/build/scripts/checkpatch.pl
if [ ! -r "$checkpatch" ]; then
	ok 1 "$checkpatch exists (unpack the kernel with: make kernel)"
	done_testing
	exit 1
fi
for f in "$TOP"/nsm/driver/*; do
	name=nsm/driver/${f##*/}
	log=$(cd "$TOP" && perl "$checkpatch" --no-tree --no-summary --terse -f "$name" 2>&1)
	is "$log" "" "checkpatch: $name has no errors or warnings"
done
done_testing
