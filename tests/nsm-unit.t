#!/bin/sh
# libnsm on the host: request encoding against docs/boot-contract.md#requests, answer and
# attestation-document decoding (valid, every truncation, malformed), typed calls over a fake
# transport.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/nsm/unit" "make $O/tests/nsm/unit"
exec "$O/tests/nsm/unit"
