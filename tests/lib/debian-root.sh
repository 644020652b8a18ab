# A Debian root of another release, for the tests that build on a foreign host
# (tests/e2e-debian13.t): . "$TOP/tests/lib/debian-root.sh"
#   debian_root SUITE PACKAGE...  print the path of a minimal root of SUITE (debootstrap
#                                 --variant=minbase from deb.debian.org) with PACKAGEs added. It
#                                 is made once, as root and with the network, and kept in
#                                 $CACHE_DIR/debian-root/SUITE-HASH (HASH: of the suite, the
#                                 variant, the mirror and the package list), so a second run
#                                 reuses it; the cached root is never changed: copy it.
DEBIAN_ROOT_MIRROR=http://deb.debian.org/debian
debian_root() {
	suite=$1; shift
	packages=$(printf '%s\n' "$@" | LC_ALL=C sort -u | paste -sd, -)
	key=$(printf 'suite=%s variant=minbase mirror=%s include=%s\n' "$suite" "$DEBIAN_ROOT_MIRROR" "$packages" |
		sha256sum | cut -c1-16)
	dir=$CACHE_DIR/debian-root/$suite-$key
	[ -f "$dir/.debian-root" ] && { echo "$dir"; return 0; }
	command -v debootstrap >/dev/null ||
		{ echo "debian_root: debootstrap is missing: apt-get install debootstrap" >&2; return 1; }
	[ "$(id -u)" -eq 0 ] || { echo "debian_root: debootstrap needs root to make $dir" >&2; return 1; }
	mkdir -p "$CACHE_DIR/debian-root" || return 1
	tmp=$(mktemp -d "$dir.tmp.XXXXXX") || return 1
	start=$(date +%s)
	if ! debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$DEBIAN_ROOT_MIRROR" \
			>"$tmp.log" 2>&1; then
		echo "debian_root: debootstrap $suite failed (log: $tmp.log)" >&2
		rm -rf "$tmp"
		return 1
	fi
	# The downloaded .debs are in the root's apt cache: gone, the root is half the size.
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	chmod 755 "$tmp" || return 1
	printf 'suite=%s include=%s made in %s s\n' "$suite" "$packages" "$(( $(date +%s) - start ))" \
		>"$tmp/.debian-root"
	rm -f "$tmp.log"
	# Another run may have made it meanwhile: keep the first one.
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
	echo "$dir"
}
