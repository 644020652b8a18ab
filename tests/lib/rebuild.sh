# The tests that build the whole tree once more and compare it with the reference build $O
# (tests/e2e-debian13.t, tests/e2e-nonroot.t): . "$TOP/tests/lib/rebuild.sh" (after tap.sh)
#   copy_edits DEST            copy the tracked and new (not ignored) files of $TOP over the fresh
#                              clone DEST when $TOP has uncommitted edits, so that the clone has
#                              the sources $O was built from (scripts/repro-check copies the same)
#   repro_verdicts LOG WHERE   one assertion per artifact scripts/repro-check compared in LOG
#                              ("ARTIFACT is byte-identical WHERE"), one that it compared all
#                              seven; the differences it reported, and the sha256 of each artifact
#                              found the same, as comments
copy_edits() {
	_ce_dirty=$(cd "$TOP" && git status --porcelain --untracked-files=normal | wc -l)
	[ "$_ce_dirty" -gt 0 ] || return 0
	(cd "$TOP" && git ls-files -z -co --exclude-standard | xargs -0 tar -cf - --no-recursion) |
		tar -xf - -C "$1" || bail "cannot copy the uncommitted edits of $TOP into the clone $1"
	diag "$_ce_dirty uncommitted files of $TOP copied over the clone"
}
repro_verdicts() {
	_rv_n=0 _rv_differ=0
	while read -r _rv_verdict _rv_artifact; do
		_rv_n=$((_rv_n + 1))
		is "$_rv_verdict" SAME "$_rv_artifact is byte-identical $2" || _rv_differ=1
	done <<EOF
$(sed -n 's/^\(SAME\|DIFFER\|MISSING\) *\([^ :]*\).*/\1 \2/p' "$1")
EOF
	is "$_rv_n" 7 "all seven artifacts were compared"
	[ "$_rv_differ" -eq 0 ] || grep -A20 '^\(DIFFER\|MISSING\)' "$1" | head -n 60 | sed 's/^/# /'
	sed -n 's/^SAME *\([^ ]*\)  sha256:\(.*\)/\2  \1/p' "$1" | sed 's/^/# /'
}
