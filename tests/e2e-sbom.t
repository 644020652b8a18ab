#!/bin/sh
# out/sbom.spdx.json follows the SPDX 2.3 rules (the required fields, checked here since
# Debian has no SPDX validator), names every input of configs/sources.lock with its hash,
# and every boot-chain output with hashes that match the files.
. "$TOP/tests/lib/tap.sh"
sbom=$O/sbom.spdx.json
lock=$TOP/configs/sources.lock
[ -r "$sbom" ] || bail "$sbom missing: run make first"
command -v jq >/dev/null || bail "jq is missing (configs/packages/check)"
q() { jq -r "$@" "$sbom"; }

jq empty "$sbom" 2>/dev/null
ok $? "the SBOM is valid JSON"
is "$(q .spdxVersion)" SPDX-2.3 "spdxVersion"
is "$(q .dataLicense)" CC0-1.0 "dataLicense"
is "$(q .SPDXID)" SPDXRef-DOCUMENT "document SPDXID"
q '.name | length > 0' | grep -qx true; ok $? "document name"
q '.documentNamespace' | grep -Eq '^[a-z]+://[^ #]+$'; ok $? "documentNamespace is an absolute URI without #"
q '.creationInfo.created' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
ok $? "creationInfo.created is an SPDX timestamp"
q '.creationInfo.creators | length > 0 and all(test("^(Tool|Organization|Person): "))' | grep -qx true
ok $? "creators are Tool:/Organization:/Person: entries"
is "$(q '[.packages[], .files[] | .SPDXID] | (length == (unique | length))')" true "SPDXIDs are unique"
is "$(q '[.packages[], .files[] | .SPDXID | test("^SPDXRef-[A-Za-z0-9.-]+$")] | all')" true "SPDXIDs use the allowed characters"
is "$(q '[.packages[] | has("name") and has("downloadLocation") and has("filesAnalyzed")] | all')" true \
	"every package has name, downloadLocation and filesAnalyzed"
is "$(q '[.files[] | has("fileName") and ([.checksums[] | .algorithm] | index("SHA1") != null)] | all')" true \
	"every file has a fileName and the SHA1 checksum SPDX 2.3 requires"
is "$(q '[.packages[].SPDXID, .files[].SPDXID, "SPDXRef-DOCUMENT"] as $ids | [.relationships[] |
	(.spdxElementId as $a | $ids | index($a) != null) and (.relatedSpdxElement as $b | $ids | index($b) != null)] | all')" true \
	"every relationship names elements of the document"
is "$(q '[.documentDescribes[]] | length > 0')" true "documentDescribes names the image"

# Every pinned input, with its version and hash.
missing=
while read -r kind name version hash; do
	case $kind in source|member|tool) ;; *) continue ;; esac
	found=$(q --arg n "$name" --arg v "$version" --arg h "$hash" \
		'[.packages[] | select(.name == $n and .versionInfo == $v and
		  ($h == "-" or ([.checksums[]? | select(.algorithm == "SHA256") | .checksumValue] | index($h) != null)))] | length')
	[ "$found" = 1 ] || missing="$missing $name"
done <"$lock"
is "${missing:-none}" none "every input of configs/sources.lock is listed with its version and sha256"
q '.packages[] | select(.name == "enclave-kit") | .versionInfo' | grep -Eq '^[0-9a-f]{40}$'
ok $? "our own sources are named by git commit"

# Every output, with the hash of the file as built.
for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif; do
	want=$(sha256sum "$O/$f" | cut -d' ' -f1)
	got=$(q --arg f "./$f" '.files[] | select(.fileName == $f) | .checksums[] | select(.algorithm == "SHA256") | .checksumValue')
	is "$got" "$want" "$f is listed with its sha256"
	id=$(q --arg f "./$f" '.files[] | select(.fileName == $f) | .SPDXID')
	n=$(q --arg id "$id" '[.relationships[] | select(.spdxElementId == $id and .relationshipType == "GENERATED_FROM")] | length')
	[ "$n" -gt 0 ]; ok $? "$f has GENERATED_FROM relationships ($n)"
done

done_testing
