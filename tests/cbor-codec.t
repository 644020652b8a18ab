#!/bin/sh
# cbor/cbor.c: encoder vectors (RFC 8949, BOOT.md B.2 NSM requests) and malformed-input rejection.
: "${O:?run through tests/run or make check}"
test_program=$O/tests/cbor/cbor-unit
if [ ! -x "$test_program" ]; then
	echo "1..1"
	echo "not ok 1 - $test_program exists (build it with: make check, or make $test_program)"
	exit 1
fi
exec "$test_program"
