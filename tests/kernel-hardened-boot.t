#!/bin/sh
# The HARDEN=1 enclave at run time, as make check-full runs it: builds the hardened kernel, init,
# nsm.ko and system ramdisk in $O/hardened (what `make kernel-check-hardened` builds; reused by
# its inputs' hash when nothing changed), then tests/kernel/hardened.t boots it and checks lockdown,
# modules_disabled, init_module refused, no /dev/mem and a working /dev/nsm from inside the app.
# Costs a whole extra kernel build from cold.
# tests/run: alone
# tests/run: full
. "$TOP/tests/lib/tap.sh"
h=$O/hardened
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES nice -n 10 make -C "$TOP" --no-print-directory \
	O="$h" HARDEN=1 kernel "$h/ramdisk/system.cpio" >"$O/test-logs/kernel-hardened-build.log" 2>&1 ||
	bail "make HARDEN=1 O=$h failed: see $O/test-logs/kernel-hardened-build.log"
HARDEN_O=$h exec "$TOP/tests/kernel/hardened.t"
