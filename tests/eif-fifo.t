#!/bin/sh
# A FIFO named as any input (EIF, either EIF of eif diff, certificate, private key, detached
# signature and TBS, metadata, provenance manifest, kernel, ramdisk) is refused at once as
# "not a regular file" (exit 1 or 2, never a hang).
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
make_tv1_inputs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 2 -subj /CN=fifo \
	-keyout "$work/signer.key" -out "$work/signer.pem" 2>/dev/null || bail "openssl req failed"
mkfifo "$work/fifo" || bail "mkfifo failed"
build_tv1 "$work/tv1.eif" >/dev/null 2>&1 || bail "eif build of tv1 failed"
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --private-key "$work/signer.key" \
	--output "$work/signed.eif" >/dev/null || bail "eif sign of tv1 failed"
printf '{}' >"$work/meta.json"
tv1="--kernel $work/bzImage --cmdline c --ramdisk $work/ramdisk0 --output $work/out.eif"

# refuses WHAT ARGS...: the command ends within 10 s, fails (not 124: timeout) and says why.
refuses() {
	what=$1
	shift
	timeout 10 "$EIF" "$@" >/dev/null 2>"$work/err" </dev/null
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]
	ok $? "FIFO as $what: refused at once (exit $rc)"
	grep -q "not a regular file" "$work/err"
	ok $? "FIFO as $what: says 'not a regular file'" || diag "stderr: $(cat "$work/err")"
}
refuses "the EIF of eif pcr" pcr "$work/fifo"
refuses "the EIF of eif describe" describe "$work/fifo"
refuses "the EIF of eif verify" verify "$work/fifo"
refuses "the EIF of eif sign" sign "$work/fifo" --signing-certificate "$work/signer.pem" \
	--private-key "$work/signer.key" --output "$work/s.eif"
refuses "the EIF of eif sign --tbs-out" sign "$work/fifo" --signing-certificate "$work/signer.pem" \
	--tbs-out "$work/s.tbs"
"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" --tbs-out "$work/req.tbs" \
	>/dev/null 2>&1 || bail "eif sign --tbs-out of tv1 failed"
openssl dgst -sha384 -sign "$work/signer.key" -out "$work/req.sig" "$work/req.tbs" ||
	bail "openssl dgst -sign failed"
refuses "the EIF of eif sign --signature" sign "$work/fifo" --signing-certificate "$work/signer.pem" \
	--signature "$work/req.sig" --output "$work/s.eif"
refuses "the signature of eif sign --signature" sign "$work/tv1.eif" \
	--signing-certificate "$work/signer.pem" --signature "$work/fifo" --output "$work/s.eif"
refuses "the TBS of eif sign --tbs" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" \
	--signature "$work/req.sig" --tbs "$work/fifo" --output "$work/s.eif"
refuses "A of eif diff" diff "$work/fifo" "$work/tv1.eif"
refuses "B of eif diff" diff "$work/tv1.eif" "$work/fifo"
refuses "the certificate of eif pcr" pcr --signing-certificate "$work/fifo"
refuses "the certificate of eif verify" verify "$work/signed.eif" --signing-certificate "$work/fifo"
refuses "the certificate of eif sign" sign "$work/tv1.eif" --signing-certificate "$work/fifo" \
	--private-key "$work/signer.key" --output "$work/s.eif"
refuses "the private key of eif sign" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" \
	--private-key "$work/fifo" --output "$work/s.eif"
refuses "the metadata of eif build" build $tv1 --metadata "$work/fifo"
refuses "the provenance manifest of eif audit" audit "$work/tv1.eif" --provenance "$work/fifo"
refuses "the kernel of eif build" build --kernel "$work/fifo" --cmdline c --ramdisk "$work/ramdisk0" \
	--output "$work/out.eif"
refuses "a ramdisk of eif build" build --kernel "$work/bzImage" --cmdline c --ramdisk "$work/fifo" \
	--output "$work/out.eif"
refuses "a ramdisk of eif pcr" pcr --kernel "$work/bzImage" --cmdline c --ramdisk "$work/fifo"
[ ! -e "$work/out.eif" ] && [ ! -e "$work/s.eif" ] && [ ! -e "$work/s.tbs" ]
ok $? "no output file was written"
done_testing
