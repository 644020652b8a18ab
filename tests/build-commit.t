#!/bin/sh
# The documents that name our sources by git commit (the provenance, the SBOM, the statement)
# follow the commit: after a commit, or once the tree has uncommitted changes, make rewrites
# them, and a second make rewrites nothing. In a clone of the committed tree, so the test can
# commit; the boot chain is reused from O (tests/lib/build.sh).
. "$TOP/tests/lib/build.sh"
clone=$work/clone
git clone -q "$TOP" "$clone" 2>"$work/clone.err" || { sed 's/^/# /' "$work/clone.err"; bail "cannot clone $TOP"; }
# A small application of our own, so that nothing but the user's part is built.
mkdir -p "$work/app/bin" && printf '#!/bin/sh\necho hi\n' >"$work/app/bin/app" && chmod 0755 "$work/app/bin/app" ||
	bail "cannot create the application tree"
set -- APP="$work/app" CMD=/bin/app
commit() { git -C "$clone" rev-parse HEAD; }
# names COMMIT: each document names COMMIT (0 when all three do).
names() {
	grep -q "at commit $1" "$b/provenance" && grep -q "$1" "$b/sbom.spdx.json" && grep -q "$1" "$b/statement.json"
}

TOP=$clone build_ok "make in the clone" "$@"
first=$(commit)
names "$first"; ok $? "the provenance, the SBOM and the statement name the clone's commit"

git -C "$clone" -c user.name=t -c user.email=t@example.org commit -q --allow-empty -m "a later commit" ||
	bail "cannot commit in $clone"
second=$(commit)
TOP=$clone build_ok "make after a commit" "$@"
names "$second"; ok $? "all three name the new commit" ||
	diag "provenance: $(grep -o 'at commit [0-9a-f]*' "$b/provenance" | sort -u | tr '\n' ' ')"
! grep -q "$first" "$b/provenance"; ok $? "the provenance no longer names the old one"
before=$(mtimes)
sleep 1
TOP=$clone build_ok "make again" "$@"
is "$(mtimes)" "$before" "a second make rewrites nothing"

# A comment in init/'s make fragment: init itself is not rebuilt (build.sh reuses O's), but the
# sources it names now differ from the commit.
echo '# an uncommitted change' >>"$clone/init/init.mk"
TOP=$clone build_ok "make with an uncommitted change in init/" "$@"
grep -q 'init/ (git tree [0-9a-f]* at commit [0-9a-f]* with uncommitted changes)' "$b/provenance"
ok $? "the provenance says init/ has uncommitted changes" || grep 'init/ (' "$b/provenance" | sed 's/^/# /'
done_testing
