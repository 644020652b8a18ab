#!/bin/sh
# cbor/cbor.c: encoder vectors (RFC 8949, NSM requests of docs/boot-contract.md#requests) and
# malformed-input rejection.
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
. "$TOP/tests/lib/tap.sh"
need_program "$O/tests/cbor/cbor-unit"
exec "$O/tests/cbor/cbor-unit"
