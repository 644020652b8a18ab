# Checks of a build's SPDX document (make's out/sbom.spdx.json, out/aarch64/sbom.spdx.json),
# shared by tests/e2e-sbom.t and tests/e2e-aarch64-build.t.
#   . "$TOP/tests/lib/sbom.sh"        (after tap.sh; sets nothing, needs jq)
# sbom_check_spdx SBOM
#     The SPDX 2.3 rules (the required fields, checked here since Debian has no SPDX validator):
#     valid JSON, versions, ids unique and well formed, every relationship between elements
#     of the document.
# sbom_lock_missing SBOM LOCK...
#     Prints the names of the pinned inputs of the LOCKs that SBOM does not list with their
#     version and sha256 ("-": none): source, member and tool lines by NAME, deb lines (an
#     archive path .../NAME_VERSION_ARCH.deb) as NAME:ARCH. Nothing when all are there.
# sbom_toolchain_missing SBOM LOCK KERNEL-ID
#     Prints the packages (" NAME:ARCH") of the toolchain lock LOCK (configs/toolchain.lock) that
#     SBOM does not list as NAME:ARCH with their version and sha256, BUILD_TOOL_OF the kernel
#     image KERNEL-ID (SPDXRef-File-bzImage, SPDXRef-File-Image), its .config, nsm.ko and init.
#     Nothing when all are there.
# sbom_check_outputs SBOM DIR FILE...
#     Two results per FILE: it is listed (./FILE) with the sha256 of DIR/FILE, and it has
#     GENERATED_FROM relationships.
command -v jq >/dev/null || bail "jq is missing (configs/packages/check)"
sbom_q() { jq -r "$@" "$sbom_spdx"; }	# jq -r on sbom_check_spdx's SBOM
sbom_check_spdx() {
	sbom_spdx=$1
	jq empty "$sbom_spdx" 2>/dev/null
	ok $? "the SBOM is valid JSON"
	is "$(sbom_q .spdxVersion)" SPDX-2.3 "spdxVersion"
	is "$(sbom_q .dataLicense)" CC0-1.0 "dataLicense"
	is "$(sbom_q .SPDXID)" SPDXRef-DOCUMENT "document SPDXID"
	sbom_q '.name | length > 0' | grep -qx true; ok $? "document name"
	sbom_q '.documentNamespace' | grep -Eq '^[a-z]+://[^ #]+$'; ok $? "documentNamespace is an absolute URI without #"
	sbom_q '.creationInfo.created' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	ok $? "creationInfo.created is an SPDX timestamp"
	sbom_q '.creationInfo.creators | length > 0 and all(test("^(Tool|Organization|Person): "))' | grep -qx true
	ok $? "creators are Tool:/Organization:/Person: entries"
	is "$(sbom_q '[.packages[], .files[] | .SPDXID] | (length == (unique | length))')" true "SPDXIDs are unique"
	is "$(sbom_q '[.packages[], .files[] | .SPDXID | test("^SPDXRef-[A-Za-z0-9.-]+$")] | all')" true "SPDXIDs use the allowed characters"
	is "$(sbom_q '[.packages[] | has("name") and has("downloadLocation") and has("filesAnalyzed")] | all')" true \
		"every package has name, downloadLocation and filesAnalyzed"
	is "$(sbom_q '[.files[] | has("fileName") and ([.checksums[] | .algorithm] | index("SHA1") != null)] | all')" true \
		"every file has a fileName and the SHA1 checksum SPDX 2.3 requires"
	is "$(sbom_q '[.packages[].SPDXID, .files[].SPDXID, "SPDXRef-DOCUMENT"] as $ids | [.relationships[] |
		(.spdxElementId as $a | $ids | index($a) != null) and (.relatedSpdxElement as $b | $ids | index($b) != null)] | all')" true \
		"every relationship names elements of the document"
	is "$(sbom_q '[.documentDescribes[]] | length > 0')" true "documentDescribes names the image"
}
sbom_lock_missing() {
	sbom_lock_sbom=$1; shift
	cat -- "$@" | while read -r kind name version hash; do
		case $kind in
		source|member|tool) ;;
		deb) name=${name##*/} && name=${name%%_*}:${name##*_} && name=${name%.deb} ;;
		*) continue ;;
		esac
		found=$(jq -r --arg n "$name" --arg v "$version" --arg h "$hash" \
			'[.packages[] | select(.name == $n and .versionInfo == $v and
			  ($h == "-" or ([.checksums[]? | select(.algorithm == "SHA256") | .checksumValue] | index($h) != null)))] | length' \
			"$sbom_lock_sbom")
		[ "$found" = 1 ] || printf ' %s' "$name"
	done
}
sbom_toolchain_missing() {
	jq -r --arg k "$3" '[.relationships[] | select(.relationshipType == "BUILD_TOOL_OF")] as $r |
		.packages[] | .SPDXID as $id | [$r[] | select(.spdxElementId == $id) | .relatedSpdxElement] as $of |
		select([$k, "SPDXRef-File-kernel.config", "SPDXRef-File-nsm.ko", "SPDXRef-File-init"] |
			all(. as $o | $of | any(. == $o))) |
		[.name, .versionInfo, (.checksums[]? | select(.algorithm == "SHA256") | .checksumValue)] | join(" ")' "$1" |
	awk 'FILENAME == "-" { listed[$0] = 1; next }
		{ sub(/#.*/, "") }
		NF && !(($1 ":" $3 " " $2 " " $4) in listed) { printf " %s", $1 ":" $3 }' - "$2"
}
sbom_check_outputs() {
	sbom_out_sbom=$1 sbom_out_dir=$2; shift 2
	for f; do
		want=$(sha256sum "$sbom_out_dir/$f" | cut -d' ' -f1)
		got=$(jq -r --arg f "./$f" '.files[] | select(.fileName == $f) | .checksums[] | select(.algorithm == "SHA256") | .checksumValue' "$sbom_out_sbom")
		is "$got" "$want" "$f is listed with its sha256"
		id=$(jq -r --arg f "./$f" '.files[] | select(.fileName == $f) | .SPDXID' "$sbom_out_sbom")
		n=$(jq -r --arg id "$id" '[.relationships[] | select(.spdxElementId == $id and .relationshipType == "GENERATED_FROM")] | length' "$sbom_out_sbom")
		[ "$n" -gt 0 ]; ok $? "$f has GENERATED_FROM relationships ($n)"
	done
}
