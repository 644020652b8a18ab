#!/bin/sh
# Every citation of the project's own documents resolves inside the repository: each
# docs/NAME.md[#anchor] named in any file (and each link between the docs) names a file that
# exists and, with an anchor, a heading of that file (GitHub's anchor rule: lower case, spaces
# to hyphens, other punctuation dropped). No file cites the outside notes the docs replaced, and
# every test vector cited (TV-N) is in the table of docs/eif-format.md.
. "$TOP/tests/lib/tap.sh"
cd "$TOP" || bail "cannot cd to $TOP"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/docs-citations.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT

# The files of the tree: tracked and new ones in a git checkout, else everything but out/ and dl/.
if git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -co --exclude-standard
else
	find . \( -path ./out -o -path ./dl -o -path ./.git \) -prune -o -type f -print | sed 's|^\./||'
fi | grep -v -x -F tests/docs-citations.t | sort >"$tmp/files"
[ -s "$tmp/files" ]; ok $? "the tree has files to check ($(wc -l <"$tmp/files") found)"

# anchors FILE: the anchor of every heading outside fenced code blocks.
anchors() {
	awk '/^```/ { fenced = !fenced; next }
		!fenced && /^#+ / {
			h = tolower($0); sub(/^#+ +/, "", h); gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h)
			print h }' "$1"
}

# FILE:CITATION, one per citation. Text files only (grep -I); links inside docs/ are relative.
# A path that only ends in docs/NAME.md (an upstream repository's file) is not ours.
tr '\n' '\0' <"$tmp/files" |
	xargs -0 grep -I -o -H -E '(^|[^A-Za-z0-9_./-])docs/[A-Za-z0-9_-]+\.md(#[A-Za-z0-9_-]+)?' 2>/dev/null |
	sed 's|:[^:]*docs/|:docs/|' >"$tmp/cited"
for doc in docs/*.md; do
	[ -e "$doc" ] || continue
	grep -o -E '\]\(([A-Za-z0-9_-]+\.md)?#[A-Za-z0-9_-]+\)|\]\([A-Za-z0-9_-]+\.md\)' "$doc" |
		sed -e 's/^](//' -e 's/)$//' -e "s|^#|$(basename "$doc")#|" -e "s|^|$doc:docs/|"
done >>"$tmp/cited"
[ -s "$tmp/cited" ]; ok $? "the tree cites docs/ ($(wc -l <"$tmp/cited") citations)"

: >"$tmp/broken"
while IFS= read -r line; do
	where=${line%%:*} cited=${line#*:}
	file=${cited%%#*}
	if [ ! -f "$file" ]; then
		echo "$where: $cited: no file $file" >>"$tmp/broken"
	elif [ "$file" != "$cited" ] && ! anchors "$file" | grep -q -x -F "${cited#*#}"; then
		echo "$where: $cited: no heading with that anchor in $file" >>"$tmp/broken"
	fi
done <"$tmp/cited"
is "$(sort -u "$tmp/broken" | wc -l | tr -d ' ')" 0 "every cited docs/ file and heading exists" ||
	sort -u "$tmp/broken" | head -20 | sed 's/^/# /'

# The outside notes (never part of this repository) and section numbers of "the spec".
tr '\n' '\0' <"$tmp/files" | xargs -0 grep -I -n -E \
	'(BOOT|QEMU|REPRO|EIF_FORMAT)\.md|shared/spe[c]|\bspec(ification)? (section|§|[0-9])|spec.s (Appendix|TV-)' \
	>"$tmp/outside" 2>/dev/null
is "$(wc -l <"$tmp/outside" | tr -d ' ')" 0 "no file cites notes outside the repository" ||
	head -20 "$tmp/outside" | sed 's/^/# /'

# Test vectors: every TV-N cited anywhere has its row in docs/eif-format.md.
tr '\n' '\0' <"$tmp/files" | xargs -0 grep -I -o -h -E '\bTV-[0-9]+\b' 2>/dev/null | sort -u >"$tmp/tv"
missing=
while IFS= read -r tv; do
	grep -q -E "^\| $tv \|" docs/eif-format.md || missing="$missing $tv"
done <"$tmp/tv"
is "${missing:-none}" none "every cited test vector is defined in docs/eif-format.md#test-vectors"

# The test itself must be able to fail: a made-up heading and a made-up file are caught.
printf 'see docs/eif-format.md#no-such-heading\n' >"$tmp/probe"
line=$(grep -o -E 'docs/[A-Za-z0-9_-]+\.md(#[A-Za-z0-9_-]+)?' "$tmp/probe")
anchors docs/eif-format.md | grep -q -x -F "${line#*#}"
ok $((!$?)) "a citation of a heading that does not exist is detected"
is "$(anchors docs/eif-format.md | grep -c -x -F 'the-cose_sign1-structure')" 1 \
	"anchors follow GitHub's rule (### The COSE_Sign1 structure -> the-cose_sign1-structure)"
done_testing
