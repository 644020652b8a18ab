#!/bin/sh
# make decides by content whether the user ramdisk changed, never by mtimes: another APP, an ENV
# file or a new app version (tar -x, cp -p) whose times are older than the last ramdisk still
# rebuild it and everything after it (EIF, pcr.json, provenance, SBOM); the same content at
# another path rebuilds only what names the path; an APP that cannot be read stops make and is
# named; a second make with the same inputs changes nothing.
. "$TOP/tests/lib/build.sh"
old=200001010000	# touch -t: older than any ramdisk this test builds
# app DIR WORD: a small application tree whose every time is in the year 2000.
app() {
	mkdir -p "$1/bin" "$1/etc" && printf '#!/bin/sh\necho %s\n' "$2" >"$1/bin/app" &&
		chmod 0755 "$1/bin/app" && printf 'name=%s\n' "$2" >"$1/etc/app.conf" &&
		find "$1" -exec touch -h -t $old {} + || bail "cannot create the application tree $1"
}
pcr2() { sed -n 's/.*"PCR2": *"\([0-9a-f]*\)".*/\1/p' "$b/pcr.json"; }
cmd=/bin/app env=$work/env
printf 'PATH=/bin\nGREETING=one\n' >"$env"
app "$work/A" alpha
app "$work/B" bravo

build_ok "make APP=A" APP="$work/A" CMD=$cmd ENV="$env"
outputs_are_fresh "APP=A" "$work/A" $cmd "$env"
before=$(mtimes) pcr_a=$(pcr2)
sleep 1	# so that any rewrite shows in the mtimes
build_ok "make APP=A again" APP="$work/A" CMD=$cmd ENV="$env"
is "$(cat "$work/make.out")" "" "the second make prints nothing"
is "$(mtimes)" "$before" "the second make rewrites no output"

# 1. Another APP, every file of which is older than the ramdisk.
build_ok "make APP=B, whose files are older than the ramdisk" APP="$work/B" CMD=$cmd ENV="$env"
outputs_are_fresh "APP=B" "$work/B" $cmd "$env"
[ "$(pcr2)" != "$pcr_a" ]; ok $? "PCR2 is no longer APP A's"

# 2. The ENV file rewritten, with an old mtime.
printf 'PATH=/bin\nGREETING=two\n' >"$env" && touch -t $old "$env"
build_ok "make after ENV changed under an old mtime" APP="$work/B" CMD=$cmd ENV="$env"
outputs_are_fresh "ENV changed" "$work/B" $cmd "$env"

# 3. A new version unpacked over the app by tar -x, which keeps the archive's old mtimes.
app "$work/B-new" charlie
(cd "$work/B-new" && tar -cf "$work/new.tar" .) && tar -xf "$work/new.tar" -C "$work/B" ||
	bail "cannot unpack the new version"
build_ok "make after tar -x of a new version with old mtimes" APP="$work/B" CMD=$cmd ENV="$env"
outputs_are_fresh "tar -x" "$work/B" $cmd "$env"

# 4. One file replaced by cp -p (same size, old mtime).
printf '#!/bin/sh\necho delta\n' >"$work/app-delta" && touch -t $old "$work/app-delta"
cp -p "$work/app-delta" "$work/B/bin/app" || bail "cp -p failed"
build_ok "make after cp -p of a file with an old mtime" APP="$work/B" CMD=$cmd ENV="$env"
outputs_are_fresh "cp -p" "$work/B" $cmd "$env"

# 5. The same content at another path, and an ENV that differs only in a comment: the ramdisk,
# EIF and pcr.json stay as they are; the provenance and the SBOM follow the new names.
cp -a "$work/B" "$work/C" && cp -p "$env" "$work/env2" && echo '# a comment' >>"$work/env2" &&
	touch -t $old "$work/env2" || bail "cannot copy the application"
kept=$(cd "$b" && stat -c '%n %Y.%y' ramdisk/user.cpio enclave.eif pcr.json)
build_ok "make APP=C (a copy of B), ENV with a new comment" APP="$work/C" CMD=$cmd ENV="$work/env2"
is "$(cd "$b" && stat -c '%n %Y.%y' ramdisk/user.cpio enclave.eif pcr.json)" "$kept" \
	"same bytes: the ramdisk, the EIF and pcr.json are not rewritten"
outputs_are_fresh "APP=C" "$work/C" $cmd "$work/env2"

# 6. A tar APP replaced by another tar dated in the past.
(cd "$work/A" && tar -cf "$work/app.tar" .) && touch -t $old "$work/app.tar" || bail "cannot tar APP A"
build_ok "make APP=app.tar" APP="$work/app.tar" CMD=$cmd ENV="$env"
outputs_are_fresh "tar APP" "$work/app.tar" $cmd "$env"
cp -p "$work/new.tar" "$work/app.tar" && touch -t $old "$work/app.tar"
build_ok "make after the tar APP was replaced by an old-dated tar" APP="$work/app.tar" CMD=$cmd ENV="$env"
outputs_are_fresh "replaced tar APP" "$work/app.tar" $cmd "$env"

# 7. An APP that cannot be read is an error that names it, never the old ramdisk.
for bad in "oci:registry.example/app:1.0" "$work/no-such-app" "$work/env"; do
	build APP="$bad" CMD=$cmd ENV="$env"
	st=$?
	[ "$st" -ne 0 ]; ok $? "make APP=$bad fails (status $st)"
	grep -qF "APP '$bad'" "$work/make.out"; ok $? "and the error names APP '$bad'" ||
		sed 's/^/#   /' "$work/make.out" | tail -n 5
done
build APP="$work/A" CMD=$cmd ENV="$work/no-such-env"
[ $? -ne 0 ] && grep -qF "$work/no-such-env" "$work/make.out"
ok $? "a missing ENV file fails and is named" || sed 's/^/#   /' "$work/make.out" | tail -n 5
done_testing
