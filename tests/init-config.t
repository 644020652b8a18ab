#!/bin/sh
# init's /cmd and /env parsers and PATH search, unit-tested on the host (tests/init/config-test.c).
: "${O:?run through tests/run or make check}"
test_program=$O/tests/init/config-test
if [ ! -x "$test_program" ]; then
	echo "1..1"
	echo "not ok 1 - $test_program exists (build it with: make check, or make $test_program)"
	exit 1
fi
exec "$test_program"
