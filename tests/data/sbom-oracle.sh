#!/bin/sh
# The shell scripts/sbom that `eif sbom` replaced (one fork per field), kept unchanged as
# the oracle of tests/eif-sbom.t: both must write the same bytes. Do not fix it here; a
# change of the document changes eif sbom, this oracle and the test together.
# sbom OUTDIR APP > sbom.spdx.json
# Write an SPDX 2.3 JSON document for the enclave in OUTDIR: every pinned input from
# configs/sources.lock (kernel source package and the toolchain packages, with exact Debian
# versions and sha256), our own sources by git commit, the application tree, and every output
# of the boot chain with its hashes and GENERATED_FROM relationships.
# The document is a pure function of its inputs: its creation time is SOURCE_DATE_EPOCH.
set -eu
[ $# -eq 2 ] || { echo "usage: sbom OUTDIR APP" >&2; exit 2; }
out=$1 app=$2
top=$(cd "$(dirname "$0")/.." && pwd)
lock=$top/configs/sources.lock
version=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")

sha256() { sha256sum "$1" | cut -d' ' -f1; }
sha1() { sha1sum "$1" | cut -d' ' -f1; }
# SPDX ids allow letters, digits, '.' and '-'.
spdx_id() { printf 'SPDXRef-%s' "$(printf '%s' "$1" | tr -c 'A-Za-z0-9.-' '-')"; }
# A JSON string (RFC 8259): " and \ escaped, every control character as \n, \t, ... or \u00XX.
json_string() {
	JSON_VALUE=$1 LC_ALL=C awk 'BEGIN {
		for (i = 1; i < 32; i++) esc[sprintf("%c", i)] = sprintf("\\u%04x", i)
		esc["\b"] = "\\b"; esc["\f"] = "\\f"; esc["\n"] = "\\n"; esc["\r"] = "\\r"; esc["\t"] = "\\t"
		esc["\""] = "\\\""; esc["\\"] = "\\\\"
		s = ENVIRON["JSON_VALUE"]; out = "\""
		for (i = 1; i <= length(s); i++) { c = substr(s, i, 1); out = out ((c in esc) ? esc[c] : c) }
		printf "%s\"", out
	}'
}

for f in bzImage nsm.ko init ramdisk/system.cpio ramdisk/user.cpio enclave.eif kernel/config; do
	[ -f "$out/$f" ] || { echo "sbom: $out/$f is missing; run make first" >&2; exit 1; }
done
[ -r "$lock" ] || { echo "sbom: $lock is missing" >&2; exit 1; }

commit=$(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown)
dirty=
[ "$commit" = unknown ] || git -C "$top" diff --quiet HEAD -- 2>/dev/null || dirty=" (with uncommitted changes)"
created=$(date -u -d "@${SOURCE_DATE_EPOCH:-0}" +%Y-%m-%dT%H:%M:%SZ)
# A container image (oci:LAYOUT[:TAG], docker-archive:FILE[:TAG]) is hashed as its layout or file.
app_what="the application tree packed as rootfs/; version and checksum are the sha256 of its manifest (sorted paths, types, modes as packed, link targets, content sha256)"
case $app in oci:*|docker-archive:*)
	app=${app#*:}
	[ -e "$app" ] || app=${app%:*}
	app_what="the container image flattened as rootfs/; version and checksum are the sha256 of the docker-archive file, or of the OCI layout's manifest (sorted paths, types, modes, link targets, content sha256)" ;;
esac
# The application has no single file: hash its manifest as eif cpio packs it, NUL-separated so that
# any name is one record: sorted paths with type and mode (without the setuid/setgid bits the writer
# drops), symlink targets, and the sha256 of every regular file.
app_manifest() {
	find . -printf '%y %m %p\0' |
		sed -z -e 's/^\(. \)[0246]\([0-7]\{3\} \)/\1\2/' -e 's/^\(. \)[1357]\([0-7]\{3\} \)/\11\2/' |
		LC_ALL=C sort -z &&
	find . -type l -printf '%p -> %l\0' | LC_ALL=C sort -z &&
	find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum -z --
}
manifest=$(mktemp) || exit 1
trap 'rm -f "$manifest" "$manifest.err"' EXIT INT TERM
if [ -f "$app" ]; then app_hash=$(sha256 "$app"); else
app_hash=$(cd "$app" 2>/dev/null && app_manifest >"$manifest" 2>"$manifest.err" && [ ! -s "$manifest.err" ] &&
	sha256 "$manifest") || app_hash=
rm -f "$manifest.err"
fi
[ -n "$app_hash" ] || { echo "sbom: cannot read the application tree '$app'" >&2; exit 1; }

sep=
package() {	# package ID NAME VERSION SHA256 DOWNLOAD SUPPLIER COMMENT
	printf '%s\n    {"SPDXID": "%s", "name": %s, "versionInfo": %s, "downloadLocation": %s,' \
		"$sep" "$1" "$(json_string "$2")" "$(json_string "$3")" "$(json_string "$5")"
	printf ' "supplier": %s, "filesAnalyzed": false,' "$(json_string "$6")"
	if [ "$4" != - ]; then
		printf ' "checksums": [{"algorithm": "SHA256", "checksumValue": "%s"}],' "$4"
	fi
	printf ' "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",'
	printf ' "copyrightText": "NOASSERTION", "comment": %s}' "$(json_string "$7")"
	sep=,
}

file_entry() {	# file_entry ID PATH COMMENT
	printf '%s\n    {"SPDXID": "%s", "fileName": %s, "checksums": [' "$sep" "$1" "$(json_string "./$2")"
	printf '{"algorithm": "SHA1", "checksumValue": "%s"}, ' "$(sha1 "$out/$2")"
	printf '{"algorithm": "SHA256", "checksumValue": "%s"}],' "$(sha256 "$out/$2")"
	printf ' "licenseConcluded": "NOASSERTION", "copyrightText": "NOASSERTION", "comment": %s}' \
		"$(json_string "$3")"
	sep=,
}

relations=
relate() { relations="$relations$(printf '\n%s %s %s' "$1" "$2" "$3")"; }

printf '{\n  "spdxVersion": "SPDX-2.3",\n  "dataLicense": "CC0-1.0",\n  "SPDXID": "SPDXRef-DOCUMENT",\n'
printf '  "name": "enclave-kit %s enclave image",\n' "$version"
printf '  "documentNamespace": "https://spdx.org/spdxdocs/enclave-kit-%s",\n' "$(sha256 "$out/enclave.eif")"
printf '  "creationInfo": {"created": "%s", "creators": ["Tool: enclave-kit-%s"]},\n' "$created" "$version"
printf '  "documentDescribes": ["SPDXRef-File-enclave.eif"],\n'
printf '  "packages": ['

package SPDXRef-Package-enclave-kit enclave-kit "$commit" - NOASSERTION "Organization: enclave-kit" \
	"our own sources at git commit $commit$dirty: kernel/ configs/ nsm/ init/ eif/ cbor/"
package SPDXRef-Package-application application "$app_hash" "$app_hash" NOASSERTION NOASSERTION \
	"$app_what"
while read -r kind name ver hash; do
	case $kind in source|tool|member) ;; *) continue ;; esac
	id=$(spdx_id "Package-$name")
	case $kind in
	member) package "$id" "$name" "$ver" "$hash" NOASSERTION "Organization: Debian" \
		"file inside the pinned source package, verified before unpacking"
		relate "$id" CONTAINED_BY "$(spdx_id "Package-$src_name")" ;;
	source) src_name=$name
		package "$id" "$name" "$ver" "$hash" NOASSERTION "Organization: Debian" \
		"pinned Debian source package (sha256 of the .deb, from configs/sources.lock)" ;;
	tool) package "$id" "$name" "$ver" "$hash" NOASSERTION "Organization: Debian" \
		"toolchain package pinned in configs/sources.lock (sha256 of the .deb as the archive lists it; - where it no longer does)"
		relate "$id" BUILD_TOOL_OF SPDXRef-File-enclave.eif ;;
	esac
done <"$lock"
printf '\n  ],\n  "files": ['
sep=
file_entry SPDXRef-File-kernel.config kernel/config "the resolved kernel .config"
file_entry SPDXRef-File-bzImage bzImage "the enclave kernel"
file_entry SPDXRef-File-nsm.ko nsm.ko "our NSM driver, built against the kernel tree"
file_entry SPDXRef-File-init init "our static musl PID 1"
file_entry SPDXRef-File-system.cpio ramdisk/system.cpio "ramdisk 0 (PCR1): dev/, init, nsm.ko"
file_entry SPDXRef-File-user.cpio ramdisk/user.cpio "ramdisk 1 (PCR2): rootfs/, cmd, env"
file_entry SPDXRef-File-enclave.eif enclave.eif "the enclave image"
printf '\n  ],\n  "relationships": [\n'
printf '    {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-File-enclave.eif"}'
kernel_pkg=$(spdx_id "Package-$(awk '$1 == "source" && $2 ~ /^linux-source/ { print $2; exit }' "$lock")")
relate SPDXRef-File-kernel.config GENERATED_FROM SPDXRef-Package-enclave-kit
relate SPDXRef-File-bzImage GENERATED_FROM "$kernel_pkg"
relate SPDXRef-File-bzImage GENERATED_FROM SPDXRef-File-kernel.config
relate SPDXRef-File-nsm.ko GENERATED_FROM SPDXRef-Package-enclave-kit
relate SPDXRef-File-nsm.ko GENERATED_FROM "$kernel_pkg"
relate SPDXRef-File-init GENERATED_FROM SPDXRef-Package-enclave-kit
relate SPDXRef-File-system.cpio GENERATED_FROM SPDXRef-File-init
relate SPDXRef-File-system.cpio GENERATED_FROM SPDXRef-File-nsm.ko
relate SPDXRef-File-user.cpio GENERATED_FROM SPDXRef-Package-application
relate SPDXRef-File-enclave.eif GENERATED_FROM SPDXRef-File-bzImage
relate SPDXRef-File-enclave.eif GENERATED_FROM SPDXRef-File-system.cpio
relate SPDXRef-File-enclave.eif GENERATED_FROM SPDXRef-File-user.cpio
printf '%s\n' "$relations" | while read -r a type b; do
	[ -n "$a" ] || continue
	printf ',\n    {"spdxElementId": "%s", "relationshipType": "%s", "relatedSpdxElement": "%s"}' "$a" "$type" "$b"
done
printf '\n  ]\n}\n'
