#!/bin/sh
# libeif building blocks: TV-1 (CRC-32), TV-2/TV-3 (extend), serde_json-compatible JSON,
# RFC 3339 times, overflow-safe ranges, the reader against every truncation and bit flip of tv1,
# and O_DIRECT output (eif_outfile_direct) against the same writes made in memory.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/eif/eif-unit"
# Direct output is tried in the build tree, on the disk eif build writes to in practice.
dir=$(mktemp -d "$O/tests/eif/direct.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$dir"' EXIT
"$O/tests/eif/eif-unit" "$TOP/tests/data/tv14/tv1.hex" "$dir"
