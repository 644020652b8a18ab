#!/bin/sh
# init's /cmd and /env parsers and PATH search, unit-tested on the host (tests/init/config-test.c).
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/init/config-test"
exec "$O/tests/init/config-test"
