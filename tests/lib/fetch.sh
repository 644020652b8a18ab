# Pinned-input fetch tests (tests/fetch-*.t): . "$TOP/tests/lib/fetch.sh"
#   apt_without_sources DIR   point apt (APT_CONFIG) at an empty configuration under DIR: it
#                             offers nothing, so the apt place of scripts/fetch-pinned always
#                             fails, without the network and whatever the host's sources hold
apt_without_sources() {
	mkdir -p "$1/sources.list.d" "$1/lists/partial" "$1/cache/archives/partial" || return 1
	cat >"$1/apt.conf" <<CONF || return 1
Dir::Etc::sourcelist "/dev/null";
Dir::Etc::sourceparts "$1/sources.list.d";
Dir::State::lists "$1/lists";
Dir::Cache "$1/cache";
CONF
	APT_CONFIG=$1/apt.conf
	export APT_CONFIG
}
