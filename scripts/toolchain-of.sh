# Sourced by scripts/sbom and scripts/provenance ($top: the source tree): which toolchain built
# the kernel, nsm.ko and init of an output directory, so that both name the same one as make.
# toolchain_of OUTDIR ARCH
#   Sets toolchain_lock to the lock whose root built them (TOOLCHAIN_LOCK, default
#   $top/configs/toolchain.lock) and toolchain_key to that root's key (TOOLCHAIN_KEY when the
#   caller knows it, as make does, else scripts/toolchain-root --key), or both to "" when the
#   host's tools built them. Which one: TOOLCHAIN (root or host),
#   else the first word of OUTDIR/kernel/toolchain (the kernel's record, "root KEY" or "host",
#   scripts/toolchain.mk), else make's default (root for an x86_64 build on an x86_64 host).
#   When that record is there it must name the same toolchain and key, else the outputs are not
#   what the lock says: a message and status 1 (2 for a TOOLCHAIN that is neither).
toolchain_of() {
	toolchain_lock='' toolchain_key='' toolchain_record=''
	[ ! -r "$1/kernel/toolchain" ] || read -r toolchain_record <"$1/kernel/toolchain" || :
	toolchain=${TOOLCHAIN:-${toolchain_record%% *}}
	[ -n "$toolchain" ] || { [ "$2" = x86_64 ] && [ "$(uname -m)" = x86_64 ] && toolchain=root || toolchain=host; }
	case $toolchain in
	host) toolchain_want=host ;;
	root)
		toolchain_lock=${TOOLCHAIN_LOCK:-$top/configs/toolchain.lock}
		toolchain_key=${TOOLCHAIN_KEY:-}
		[ -n "$toolchain_key" ] ||
			toolchain_key=$("$top/scripts/toolchain-root" --key --lock "$toolchain_lock") || return 1
		toolchain_want="root $toolchain_key" ;;
	*)
		echo "${0##*/}: TOOLCHAIN=$toolchain: use root (the root of configs/toolchain.lock) or host" >&2
		return 2 ;;
	esac
	[ -z "$toolchain_record" ] || [ "$toolchain_record" = "$toolchain_want" ] || {
		echo "${0##*/}: $1/kernel/toolchain says '$toolchain_record' built the kernel, not '$toolchain_want' (TOOLCHAIN=$toolchain${TOOLCHAIN_LOCK:+, TOOLCHAIN_LOCK=$TOOLCHAIN_LOCK}); run make with that toolchain first" >&2
		return 1
	}
}
