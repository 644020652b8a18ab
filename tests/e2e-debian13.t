#!/bin/sh
# The whole build again on another Debian release, from a fresh clone, with no network and an
# apt that offers nothing: the published PCRs and the reference build's bytes for every
# boot-chain artifact. One extra kernel build proves several things at once:
#   - the bytes do not depend on the host's packages: the host is Debian 13 (trixie, gcc 14,
#     musl 1.2.5), the reference build Debian 12; the toolchain root makes the difference moot;
#   - `make` as root on a foreign host installs the host prerequisites it lacks, from that
#     host's own archive, and changes no installed version (dpkg-query -W before and after;
#     stage 1, with the network);
#   - `make BUNDLE=bundle.tar` builds with no network at all (unshare -n) and an apt
#     configuration with no sources, in another directory, with an empty dl/ and CACHE_DIR:
#     every pinned input comes from the bundle (stage 2).
# The trixie root is made once with debootstrap and kept in CACHE_DIR (tests/lib/debian-root.sh);
# each run works on a copy. It is entered through bubblewrap (a mount namespace whose root is
# the trixie root, by pivot_root), not chroot: the build makes a user namespace for the toolchain
# root (scripts/toolchain-run), and Linux refuses one to a chrooted process. /proc is the host's,
# bound: on bwrap's own --proc, read-only mounts cover /proc/sys and others, and the kernel then
# refuses the fresh proc mount toolchain-run makes in its user namespace ("Mount too revealing").
# The second build includes a kernel: the longest test, started first. It shares the cores with
# the other tests (its build runs under nice 10), which fill them while it waits for the network
# (debootstrap, apt in stage 1) and for its build's one-core steps.
# tests/run: long
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/fetch.sh"
. "$TOP/tests/lib/debian-root.sh"
. "$TOP/tests/lib/rebuild.sh"
need_files "$O/enclave.eif" "$O/pcr.json"
if [ "$(id -u)" -ne 0 ]; then
	skip "debootstrap and apt-get inside the Debian 13 root need root"
	done_testing
	exit
fi
for p in debootstrap bwrap git; do
	command -v $p >/dev/null || bail "$p is missing: scripts/ensure-packages check installs it"
done
work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-debian13.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM
root=$work/root tree=/work/enclave-kit
# in_root [BWRAP-OPTION...] -- CMD...: CMD as root in the trixie root, in the clone, with a clean
# environment. The host's resolv.conf lets apt reach the archive in stage 1.
in_root() {
	opts=
	while [ "$1" != -- ]; do opts="$opts $1"; shift; done
	shift
	# shellcheck disable=SC2086
	env -i bwrap --bind "$root" / --bind /proc /proc --dev /dev \
		--ro-bind /etc/resolv.conf /etc/resolv.conf --chdir "$tree" $opts \
		/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 ${APT_CONFIG:+APT_CONFIG=$APT_CONFIG} "$@"
}
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }

# Stage 1, with the network. A trixie root with git and make only (as a user would start), from
# the cache or made now; a fresh clone of the tree under test with trixie's git, plus the
# uncommitted edits (the reference build has them too); the project's make installs the host
# prerequisites it needs from trixie's archive; the bundle, made on this side.
start=$(date +%s)
base=$(debian_root trixie git make faketime) || bail "no trixie root (see the error above)"
diag "trixie root $base: $(cat "$base/.debian-root")"
cp -a "$base" "$root" && mkdir -p "$root$tree" || bail "cannot copy $base to $root"
diag "copied in $(elapsed "$start")"
t=$(date +%s)
# The tree under test at its own path, read-only, and its git directory (a worktree's is elsewhere).
git_dir=$(cd "$TOP" && cd "$(git rev-parse --git-common-dir)" && pwd) || bail "$TOP is not a git clone"
in_root --ro-bind "$TOP" "$TOP" --ro-bind "$git_dir" "$git_dir" -- git clone -q "$TOP" . >"$work/clone.log" 2>&1
ok $? "git clone of the tree under test inside the trixie root" || sed 's/^/# /' "$work/clone.log"
copy_edits "$root$tree"
# installed: NAME VERSION of every installed package of the root.
installed() { in_root -- dpkg-query -W -f '${binary:Package} ${Version} ${db:Status-Status}\n' | awk '$3 == "installed" { print $1, $2 }'; }
installed >"$work/dpkg.before" || bail "cannot list the root's packages"
in_root -- make --no-print-directory out/stamp/packages-build >"$work/packages.log" 2>&1
ok $? "make installs the host prerequisites from trixie's archive" || sed 's/^/# /' "$work/packages.log"
grep '^  APT' "$work/packages.log" | sed 's/^/# /'
# The host is never changed behind the user's back: what was installed before is still installed,
# at the same version; make only added what was missing.
installed >"$work/dpkg.after" || bail "cannot list the root's packages"
awk 'NR == FNR { after[$1] = $2; next }
	after[$1] != $2 { print $1 ": " $2 " -> " ($1 in after ? after[$1] : "removed") }' \
	"$work/dpkg.after" "$work/dpkg.before" >"$work/dpkg.changed"
is "$(wc -l <"$work/dpkg.changed" | tr -d ' ')" 0 \
	"dpkg-query -W before and after make: no installed package changed version or went away" ||
	sed 's/^/# /' "$work/dpkg.changed"
[ "$(wc -l <"$work/dpkg.after")" -gt "$(wc -l <"$work/dpkg.before")" ]
ok $? "and make did install what was missing ($(wc -l <"$work/dpkg.before" | tr -d ' ') packages before, $(wc -l <"$work/dpkg.after" | tr -d ' ') after)"
is "$(sed -n 's/^VERSION_CODENAME=//p' "$root/etc/os-release")" trixie "the host is Debian 13"
diag "stage 1 in the root (clone, packages): $(elapsed "$t")"
t=$(date +%s)
make --no-print-directory -s -C "$TOP" O="$work/outer" bundle >"$work/bundle.log" 2>&1
ok $? "make bundle on this (Debian 12) side" || sed 's/^/# /' "$work/bundle.log"
diag "make bundle: $(elapsed "$t"), $(wc -c <"$work/outer/bundle.tar") bytes"

# Stage 2: scripts/repro-check inside the trixie root, with no network (bwrap --unshare-net) and
# an apt with no sources: a copy of the clone at a longer path, built with `make BUNDLE=` and
# another umask, TZ, locale, HOME, user, host name, -j and clock (faketime), then compared with
# the reference build $O (mounted at /ref) artifact by artifact. The root's CACHE_DIR and the
# clone's dl/ are empty, so every pinned input must come from the bundle.
t=$(date +%s)
in_root -- sh -c '. tests/lib/fetch.sh && apt_without_sources /apt-empty' || bail "cannot write an apt configuration"
[ ! -e "$root$tree/dl" ] || [ -z "$(ls -A "$root$tree/dl")" ] || bail "the clone has a non-empty dl/"
[ ! -e "$root/var/cache/enclave-kit" ] || bail "the trixie root already has a CACHE_DIR"
APT_CONFIG=/apt-empty/apt.conf in_root --unshare-net --ro-bind "$O" /ref --ro-bind "$work/outer/bundle.tar" /bundle.tar -- \
	nice -n 10 scripts/repro-check --reference /ref --bundle /bundle.tar --keep >"$work/build.log" 2>&1
status=$?
[ "$status" -ne 2 ]; ok $? "with no network and an apt with no sources, make BUNDLE=bundle.tar builds on trixie" ||
	tail -n 60 "$work/build.log" | sed 's/^/# /'
diag "stage 2 (the build and the comparison): $(elapsed "$t")"
# What the default x86_64 build fetches: the kernel source and the toolchain root's .debs.
wanted=$(( 1 + $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/configs/toolchain.lock" | wc -l) ))
is "$(grep -c '^  FETCH .* (from bundle /bundle.tar)$' "$work/build.log")" "$wanted" \
	"the kernel source and the $((wanted - 1)) toolchain .debs came from the bundle"
is "$(grep '^  FETCH ' "$work/build.log" | grep -v -c '(from bundle /bundle.tar)$')" 0 "nothing came from elsewhere"

# The published PCRs, and the reference build's bytes.
second=$root$(sed -n 's/^repro-check: second build.* in \(\/.*\)$/\1/p' "$work/build.log")/out
. "$TOP/tests/lib/json.sh"
for pcr in PCR0 PCR1 PCR2; do
	is "$(json_field $pcr <"$second/pcr.json")" "$(json_field $pcr <"$TOP/configs/expected-pcr.json")" \
		"$pcr of the trixie build equals configs/expected-pcr.json"
done
if [ "${DEFAULT_BUILD:-}" != yes ]; then
	skip "$O is not the default build: its artifacts are not the published ones"
else
	repro_verdicts "$work/build.log" "in the trixie build"
fi
diag "whole test: $(elapsed "$start")"
done_testing
