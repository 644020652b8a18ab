#!/bin/sh
# out/sbom.spdx.json follows the SPDX 2.3 rules (the required fields, checked here since
# Debian has no SPDX validator), names every input of configs/sources.lock with its hash,
# and every boot-chain output with hashes that match the files.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/sbom.sh"
sbom=$O/sbom.spdx.json
lock=$TOP/configs/sources.lock
[ -r "$sbom" ] || bail "$sbom missing: run make first"
q() { jq -r "$@" "$sbom"; }

sbom_check_spdx "$sbom"

# Every pinned input, with its version and hash.
missing=$(sbom_lock_missing "$sbom" "$lock")
is "${missing:-none}" none "every input of configs/sources.lock is listed with its version and sha256"
q '.packages[] | select(.name == "enclave-kit") | .versionInfo' | grep -Eq '^[0-9a-f]{40}$'
ok $? "our own sources are named by git commit"

# Every output, with the hash of the file as built.
sbom_check_outputs "$sbom" "$O" bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif

done_testing
