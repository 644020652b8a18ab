#!/bin/sh
# libeif building blocks: TV-1 (CRC-32), TV-2/TV-3 (extend), serde_json-compatible JSON,
# RFC 3339 times, overflow-safe ranges, and the reader against every truncation and bit flip of tv1.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/eif/eif-unit"
exec "$O/tests/eif/eif-unit" "$TOP/tests/data/tv14/tv1.hex"
