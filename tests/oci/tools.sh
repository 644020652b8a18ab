# need_tools [--root WHY] TOOL...: bail out unless each TOOL is on PATH (installing
# configs/packages/check when one is missing) and, with --root, unless running as root (WHY:
# what needs it). Sourced by tests/oci/common.sh and by the tests that build images with
# umoci and skopeo without it (after tests/lib/tap.sh).
need_tools() {
	if [ "$1" = --root ]; then
		[ "$(id -u)" = 0 ] || bail "$2; run this test as root"
		shift 2
	fi
	for nt_tool; do
		command -v "$nt_tool" >/dev/null || "$TOP/scripts/ensure-packages" check ||
			bail "$nt_tool is missing (configs/packages/check)"
	done
}
