#!/bin/sh
# out/sbom.spdx.json follows the SPDX 2.3 rules (the required fields, checked here since
# Debian has no SPDX validator), names every input of configs/sources.lock with its hash,
# every .deb of configs/toolchain.lock as a tool of what was built in its root (TOOLCHAIN=root;
# out/statement.json then names that lock too), and every boot-chain output with hashes that
# match the files.
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

# The toolchain that built the kernel, nsm.ko and init (out/kernel/toolchain: "root KEY" for
# make's TOOLCHAIN=root, else "host"): every .deb of the root's lock is a tool of each.
read -r toolchain _ <"$O/kernel/toolchain" || bail "$O/kernel/toolchain is missing: run make first"
tools=$(q '[.packages[] | select(.SPDXID | startswith("SPDXRef-Toolchain-"))] | length')
if [ "$toolchain" = root ]; then
	missing=$(sbom_toolchain_missing "$sbom" "$TOP/configs/toolchain.lock" SPDXRef-File-bzImage)
	is "${missing:-none}" none "every .deb of configs/toolchain.lock is listed with its version and sha256, BUILD_TOOL_OF bzImage, kernel/config, nsm.ko and init"
	is "$tools" "$(sed 's/#.*//' "$TOP/configs/toolchain.lock" | awk 'NF { n++ } END { print n + 0 }')" \
		"and no other toolchain package"
else
	is "$tools" 0 "built with the host's tools: no toolchain .deb is listed"
fi
# The build statement next to it names the toolchain lock exactly then, with its sha256.
[ -r "$O/statement.json" ] || bail "$O/statement.json missing: run make first"
want=none
[ "$toolchain" != root ] || want=$(sha256sum "$TOP/configs/toolchain.lock" | cut -c1-64)
is "$(jq -r '[.predicate.locks[] | select(.name == "configs/toolchain.lock") | .sha256] | first // "none"' "$O/statement.json")" \
	"$want" "out/statement.json names configs/toolchain.lock ($toolchain) with its sha256"

# Every output, with the hash of the file as built.
sbom_check_outputs "$sbom" "$O" bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif

done_testing
