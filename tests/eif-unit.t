#!/bin/sh
# libeif building blocks: TV-1 (CRC-32), TV-2/TV-3 (extend), serde_json-compatible JSON,
# RFC 3339 times, overflow-safe ranges, and the reader against every truncation and bit flip of tv1.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
unit=$O/tests/eif/eif-unit
if [ ! -x "$unit" ]; then
	echo "1..1"
	echo "not ok 1 - $unit exists (build it with: make check, or make $unit)"
	exit 1
fi
exec "$unit" "$TOP/tests/data/tv14/tv1.hex"
