#!/bin/sh
# The whole default build by an ordinary user on this Debian 12 host (issue 12: "the same as a
# non-root user"): `make`, the kernel included, in the toolchain root (TOOLCHAIN=root, the
# default) gives the published PCRs, from its pcr.json, from its EIF (eif pcr) and from its
# files (openssl; docs/eif-format.md#pcr-formulas), with init and nsm.ko inside the system
# ramdisk those PCRs measure; and its seven boot-chain artifacts are the reference build's bytes.
#   - Run as root: a fresh `git clone` of the tree under test (plus its uncommitted edits, which
#     $O was built from) in a temporary directory owned by uid and gid 65534, with HOME there and
#     so an empty CACHE_DIR of its own (a user's default, ~/.cache/enclave-kit); the pinned inputs
#     are copied into the clone's dl/ from the reference's (a copy, not a hard link: the clone's
#     files are the user's, and the chown below never reaches $TOP's; make checks each sha256
#     again). `make -j2` runs as uid 65534 (setpriv, no supplementary groups, a clean environment:
#     no MAKEFLAGS of an outer make): the toolchain root is unpacked without privilege into that
#     cache, and every enclave-side step runs in its user namespace. Afterwards no file of the
#     clone or its cache belongs to anyone but 65534, $O is unchanged, and scripts/repro-check
#     --second compares the artifacts. (A bundle would do as well, but `make bundle` also needs
#     the QEMU source and the arm64 musl-dev, which a plain `make` never fetched.)
#   - Run as an ordinary user: $O itself is such a build (make check made it as this user, on this
#     host), so no extra build is needed: every file of $O must be this user's, its kernel must
#     come from the toolchain root, and its PCRs and bytes are checked as above.
# A missing setpriv, or user namespaces refused to uid 65534, fail the test, with the reason.
# As root, a whole extra build with a kernel (about 20 minutes on 2 cores): make check-full.
# tests/run: alone
# tests/run: full
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
. "$TOP/tests/lib/rebuild.sh"
need_files "$O/bzImage" "$O/nsm.ko" "$O/init" "$O/ramdisk/system.cpio" "$O/ramdisk/user.cpio" "$O/enclave.eif" \
	"$O/pcr.json" "$O/kernel/toolchain"
trap 'exit 1' INT TERM
expected=$TOP/configs/expected-pcr.json
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# published JSON WHAT: PCR0, PCR1 and PCR2 of the JSON file are those of configs/expected-pcr.json.
published() {
	for pcr in PCR0 PCR1 PCR2; do
		is "$(json_field $pcr <"$1")" "$(json_field $pcr <"$expected")" "$pcr $2 equals configs/expected-pcr.json"
	done
}
# check_build DIR WHO: the build in DIR (an O) has the published PCRs, in its pcr.json, read back
# from its EIF and computed from its bzImage, cmdline and ramdisks; init and nsm.ko are the bytes
# packed in its system ramdisk, so the PCRs measure them too.
check_build() {
	b=$1
	published "$b/pcr.json" "of $2's pcr.json"
	"$EIF" pcr "$b/enclave.eif" >"$work/eif-pcr.json" 2>&1 || sed 's/^/# /' "$work/eif-pcr.json"
	published "$work/eif-pcr.json" "read back from $2's enclave.eif (eif pcr)"
	printf '%s' "$(cat "$TOP/configs/cmdline/x86_64")" >"$work/cmdline"
	k=$b/bzImage s=$b/ramdisk/system.cpio u=$b/ramdisk/user.cpio
	printf '{"PCR0": "%s", "PCR1": "%s", "PCR2": "%s"}\n' \
		"$(extend_hex "$(sha384_hex "$k" "$work/cmdline" "$s" "$u")")" \
		"$(extend_hex "$(sha384_hex "$k" "$work/cmdline" "$s")")" "$(extend_hex "$(sha384_hex "$u")")" >"$work/openssl.json"
	published "$work/openssl.json" "computed with openssl from $2's bzImage, cmdline and ramdisks"
	for f in init nsm.ko; do
		at=$(perl -e 'local $/; open my $h, "<:raw", $ARGV[0] or die "$ARGV[0]: $!\n";
			open my $n, "<:raw", $ARGV[1] or die "$ARGV[1]: $!\n"; my ($hay, $needle) = (scalar <$h>, scalar <$n>);
			print index($hay, $needle), "\n"' "$s" "$b/$f" 2>&1)
		if [ "$at" -ge 0 ] 2>/dev/null; then
			ok 0 "$2's $f is packed in its system ramdisk (at byte $at)"
		else
			ok 1 "$2's $f is packed in its system ramdisk (its bytes are not in $s)"
			[ "$at" = -1 ] || diag "$at"
		fi
	done
}

# An ordinary user: $O is the non-root build; check it as it is.
if [ "$(id -u)" -ne 0 ]; then
	me=$(id -u)
	if [ "${DEFAULT_BUILD:-}" != yes ]; then
		skip "$O is not the default build (APP, CMD, ENV, KERNEL_CONFIG, KERNEL_SOURCE, SOURCE_DATE_EPOCH" \
			"or HARDEN changed): the published PCRs are those of the default build"
		done_testing
		exit
	fi
	find "$O" -path "$O/test-logs" -prune -o ! -user "$me" -print >"$work/others"
	is "$(wc -l <"$work/others" | tr -d ' ')" 0 \
		"this run is not root (uid $me): every file of $O is this user's, so $O is a non-root build; no extra build" ||
		head -n 10 "$work/others" | sed 's/^/# not uid '"$me"': /'
	is "$(cut -d' ' -f1 "$O/kernel/toolchain")" root "$O's kernel was built in the toolchain root (TOOLCHAIN=root)"
	check_build "$O" "$O"
	done_testing
	exit
fi

# Root: a fresh clone, owned by uid 65534, built by it.
command -v setpriv >/dev/null ||
	bail "setpriv is missing: it runs the build as uid 65534; install util-linux (apt-get install util-linux)"
command -v git >/dev/null || bail "git is missing: it makes the fresh clone; apt-get install git"
nobody="--reuid=65534 --regid=65534 --clear-groups"
chmod 0755 "$work" || bail "cannot open $work to uid 65534"
user=$work/user home=$work/user/home clone=$work/user/enclave-kit
# The toolchain root needs a user namespace: refused to uid 65534, nothing else here means anything.
# shellcheck disable=SC2086 # $nobody: setpriv's options
setpriv $nobody unshare --user --map-root-user --mount true >"$work/userns.log" 2>&1 || {
	tail -n 20 "$work/userns.log" | sed 's/^/# /'
	bail "uid 65534 cannot create a user and mount namespace (setpriv $nobody unshare --user --map-root-user --mount true):" \
		"allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces)"
}

# $O as it is before: every file's name, size, mtime, owner and mode (test-logs/ is tests/run's).
snapshot() { find "$O" -path "$O/test-logs" -prune -o -printf '%P %s %T@ %U:%G %m\n' | LC_ALL=C sort; }
snapshot >"$work/o.before"

start=$(date +%s)
mkdir -p "$home" && git clone -q --no-hardlinks "$TOP" "$clone" >"$work/clone.log" 2>&1
ok $? "git clone of the tree under test into $clone" || sed 's/^/# /' "$work/clone.log"
copy_edits "$clone"
if [ -e "$clone/dl" ] || [ -e "$clone/out" ] || [ -e "$home/.cache" ]; then
	bail "the clone has a dl/ or an out/, or $home a cache: the build would not start from nothing"
fi
# The pinned inputs the reference build has, from its dl/ or, failing that, the cache it used.
mkdir "$clone/dl" || bail "cannot create $clone/dl"
ref_cache=${CACHE_DIR:-/var/cache/enclave-kit}
"$TOP/scripts/fetch-pinned" --list >"$work/inputs" || bail "scripts/fetch-pinned --list failed"
while read -r _ _ _ file sha _; do
	for src in "$TOP/dl/$file" "$ref_cache/dl/$sha"; do
		[ -f "$src" ] || continue
		cp "$src" "$clone/dl/$file" || bail "cannot copy $src to $clone/dl"
		break
	done
done <"$work/inputs"
diag "$(find "$clone/dl" -type f | wc -l | tr -d ' ') of the $(wc -l <"$work/inputs") pinned inputs copied into $clone/dl ($(du -sh "$clone/dl" | cut -f1))"
# --no-hardlinks: the clone's objects are its own files, so this chown leaves $TOP's alone.
chown -R 65534:65534 "$user" || bail "cannot give $user to uid 65534"

diag "building the default enclave as uid 65534 in $clone (make -j2, kernel included: about 20 minutes)"
t=$(date +%s)
# shellcheck disable=SC2086
setpriv $nobody env -i HOME="$home" USER=nobody LOGNAME=nobody PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
	nice -n 10 make -C "$clone" --no-print-directory -j2 >"$work/build.log" 2>&1
ok $? "make -j2 as uid 65534 exits 0 ($(elapsed "$t"))" ||
	{ tail -n 40 "$work/build.log" | sed 's/^/# /'; bail "no build as uid 65534 (log above)"; }
b=$clone/out
cache=$home/.cache/enclave-kit
# Anything the reference did not have came from the places a user's make tries (apt, MIRRORS).
grep '^  FETCH ' "$work/build.log" | sed 's/^/# /'
key=$(sed -n 's/^root \([0-9a-f]*\)$/\1/p' "$b/kernel/toolchain")
[ -n "$key" ] && [ -f "$cache/toolchain/$key/.toolchain.lock" ]
ok $? "its kernel was built in the toolchain root uid 65534 unpacked into its own cache ($cache/toolchain/${key:-?})" ||
	diag "$b/kernel/toolchain: $(cat "$b/kernel/toolchain" 2>&1)"
is "$(cat "$b/kernel/toolchain")" "$(cat "$O/kernel/toolchain")" "the same root (the lock's key) as the reference build's"
find "$user" \( ! -user 65534 -o ! -group 65534 \) -print >"$work/others"
is "$(wc -l <"$work/others" | tr -d ' ')" 0 "no file of the clone, its out/ or its cache belongs to anyone but uid 65534" ||
	head -n 10 "$work/others" | sed 's/^/# /'
snapshot >"$work/o.after"
cmp -s "$work/o.before" "$work/o.after"
ok $? "$O is untouched (no file added, removed or changed)" || diff "$work/o.before" "$work/o.after" | head -n 10 | sed 's/^/# /'

check_build "$b" "the uid 65534 build"
if [ "${DEFAULT_BUILD:-}" != yes ]; then
	skip "$O is not the default build: its artifacts are not the published ones"
else
	"$TOP/scripts/repro-check" --reference "$O" --second "$b" >"$work/repro.log" 2>&1
	repro_verdicts "$work/repro.log" "in the uid 65534 build"
fi
diag "whole test: $(elapsed "$start")"
done_testing
