#!/bin/sh
# Metadata keys out of place never crash eif audit, and a manifest pin matches only the field
# eif build writes: a top-level "BuildTime" or "KernelVersion" (a string or not) is an unknown
# key, never BuildMetadata's value.
. "$TOP/tests/audit/common.sh"

clean_fixture
perl "$TOP/tests/audit/eif-section" get "$work/clean.eif" 2 >"$work/metadata.json"
build_time=$(jq -r .BuildMetadata.BuildTime "$work/metadata.json")
kernel=$(jq -r .BuildMetadata.KernelVersion "$work/metadata.json")
[ -n "$build_time" ] && [ -n "$kernel" ] || bail "the fixture's metadata has no BuildMetadata"
re() { printf '%s' "$1" | sed 's/[].[^$*+?(){}|\\]/\\&/g'; }	# TEXT as a grep -E pattern

# with_metadata NAME PERL-SUBSTITUTION: $work/NAME.eif, the clean EIF with its metadata edited
# (section size, offsets and CRC-32 fixed up).
with_metadata() {
	perl -0pe "$2" "$work/metadata.json" >"$work/$1.json" &&
		! cmp -s "$work/$1.json" "$work/metadata.json" &&
		perl "$TOP/tests/audit/eif-section" put "$work/clean.eif" "$work/$1.eif" 2 "$work/$1.json" ||
		bail "cannot make the $1 metadata"
}

# 1. An extra top-level key with a value that is not a string.
for case in 'BuildTime:1' 'KernelVersion:[1]' 'BuildTime:null' 'KernelVersion:{}'; do
	key=${case%%:*} value=${case#*:}
	with_metadata extra "s/\\}\$/,\"$key\":$value}/"
	run_audit "$work/extra.eif" "$work/provenance"
	audit_status_is 1 "top-level \"$key\":$value: exit 1, no crash"
	has_line "^unknown +section 2 metadata \\[.*key '$key' is not one eif build writes" \
		"top-level \"$key\":$value: named as an unknown key"
done

# 2. A top-level string holding the pinned value does not stand in for BuildMetadata's.
other_time=1999-12-31T23:59:59+00:00
with_metadata shadowed "s/\"BuildTime\":\"\\Q$build_time\\E\"/\"BuildTime\":\"$other_time\"/; s/\\}\$/,\"BuildTime\":\"$build_time\"}/"
run_audit "$work/shadowed.eif" "$work/provenance"
audit_status_is 1 "a top-level BuildTime next to another BuildMetadata.BuildTime: exit 1"
has_line "^mismatch +section 2 metadata \\[.*BuildTime is '$(re "$other_time")', the manifest says '$(re "$build_time")'" \
	"the pin is checked against BuildMetadata.BuildTime"

# 3. The same with BuildMetadata.KernelVersion not a string: missing, not matched by the top.
with_metadata nonstring "s/\"KernelVersion\":\"\\Q$kernel\\E\"/\"KernelVersion\":7/; s/\\}\$/,\"KernelVersion\":\"$kernel\"}/"
run_audit "$work/nonstring.eif" "$work/provenance"
audit_status_is 3 "BuildMetadata.KernelVersion a number: exit 3 (the metadata is corrupt)"
has_line "^corrupt +section 2 metadata \\[.*BuildMetadata\\.KernelVersion is missing or not a string.*the manifest pins KernelVersion, which the metadata lacks or holds as a non-string" \
	"the pin is not satisfied by the top-level string"

# 4. The clean EIF still passes (the edits above are what fails).
run_audit "$work/clean.eif" "$work/provenance"
audit_status_is 0 "the clean EIF passes"
done_testing
