#!/bin/sh
# eif sign opens its input once and reads, measures and copies it through that descriptor:
# with two opens by name, a rename between them would sign one file's PCR0 over another's bytes.
# The detached flow (--tbs-out, then --signature) too.
: "${O:?run through tests/run or make check}" "${TOP:?}" "${EIF:?}"
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/sign/common.sh"
command -v strace >/dev/null || "$TOP/scripts/ensure-packages" check || bail "strace is missing (configs/packages/check)"

make_pair signer
tv1_eif "$work/in.eif"
# opens_of LOG PATH: how many open/openat calls named exactly PATH
opens_of() { grep -cE "open(at)?\(.*\"$2\"" "$1"; }

strace -f -e trace=open,openat -o "$work/out.log" "$EIF" sign "$work/in.eif" \
	--signing-certificate "$work/signer.pem" --private-key "$work/signer.key" --output "$work/out.eif" >/dev/null
is "$?" 0 "eif sign --output under strace: exit 0"
is "$(opens_of "$work/out.log" "$work/in.eif")" 1 "eif sign --output opens the input once"

strace -f -e trace=open,openat -o "$work/inplace.log" "$EIF" sign "$work/in.eif" \
	--signing-certificate "$work/signer.pem" --private-key "$work/signer.key" >/dev/null
is "$?" 0 "eif sign in place under strace: exit 0"
is "$(opens_of "$work/inplace.log" "$work/in.eif")" 1 "eif sign in place opens the input once"
is "$("$EIF" pcr "$work/in.eif")" "$("$EIF" pcr "$work/out.eif")" "both give the same PCRs (ECDSA is randomized, so the bytes differ)"
"$EIF" verify "$work/in.eif" >/dev/null 2>&1
is "$?" 0 "the result verifies"

# The detached flow reads the input the same way: --tbs-out and --signature open it once.
strace -f -e trace=open,openat -o "$work/tbs.log" "$EIF" sign "$work/in.eif" \
	--signing-certificate "$work/signer.pem" --tbs-out "$work/req.tbs" >/dev/null 2>&1
is "$?" 0 "eif sign --tbs-out under strace: exit 0"
is "$(opens_of "$work/tbs.log" "$work/in.eif")" 1 "eif sign --tbs-out opens the input once"
openssl dgst -sha384 -sign "$work/signer.key" -out "$work/req.sig" "$work/req.tbs" ||
	bail "openssl dgst -sign failed"
strace -f -e trace=open,openat -o "$work/sig.log" "$EIF" sign "$work/in.eif" \
	--signing-certificate "$work/signer.pem" --signature "$work/req.sig" --tbs "$work/req.tbs" \
	--output "$work/detached.eif" >/dev/null
is "$?" 0 "eif sign --signature under strace: exit 0"
is "$(opens_of "$work/sig.log" "$work/in.eif")" 1 "eif sign --signature opens the input once"
"$EIF" verify "$work/detached.eif" >/dev/null 2>&1
is "$?" 0 "the detached result verifies"
done_testing
