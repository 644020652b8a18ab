# Reading JSON in the tests: jq, and only jq (configs/packages/check). Tests that check how a
# tool lays out its JSON text compare the text itself; everything else reads values with jq.
#   . "$TOP/tests/lib/json.sh"        (after tap.sh)
# json_field KEY < JSON
#     The value of the first member named KEY, searched depth first in document order (strings
#     without their quotes); nothing when no object has KEY, or when the input is not JSON.
command -v jq >/dev/null || bail "jq is missing; install it with: scripts/ensure-packages check"
json_field() {
	jq -r --arg k "$1" '[.. | objects | select(has($k)) | .[$k]] | if length > 0 then .[0] else empty end' 2>/dev/null
}
