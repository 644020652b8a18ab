#!/bin/sh
# common/cliopt, the option parser of eif and nsm: every accepted spelling, -h only where an
# option may stand, each usage error's message, and the --help text made from the table.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/cliopt/cliopt-unit"
"$O/tests/cliopt/cliopt-unit"
