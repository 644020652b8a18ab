#!/bin/sh
# libnsm on the host: request encoding against BOOT.md B.2, answer and attestation-document
# decoding (valid, every truncation, malformed), typed calls over a fake transport.
: "${O:?run through tests/run or make check}"
test_program=$O/tests/nsm/unit
if [ ! -x "$test_program" ]; then
	echo "1..1"
	echo "not ok 1 - $test_program exists (build it with: make $test_program)"
	exit 1
fi
exec "$test_program"
