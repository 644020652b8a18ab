#!/bin/sh
# End to end: the default enclave (out/enclave.eif, as `make` built it) boots under QEMU's
# nitro-enclave machine, greets, and the PCRs the emulated NSM measured equal out/pcr.json;
# a signed copy shows the PCR8 of its certificate; a corrupted copy is refused by
# `eif verify` and by QEMU.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/qemu.sh"
. "$TOP/tests/lib/json.sh"
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
eif_file=$O/enclave.eif
[ -r "$eif_file" ] || bail "$eif_file missing: run make first"
[ -r "$O/pcr.json" ] || bail "$O/pcr.json missing: run make first"
# Copies, so that a rebuild of out/ while the test runs cannot change what it compares.
cp "$O/enclave.eif" "$work/enclave.eif" && cp "$O/pcr.json" "$work/pcr.json" || bail "cannot copy the build"
eif_file=$work/enclave.eif pcr_json=$work/pcr.json
greeting='Hello from a Nitro Enclave built from source!'

# pcr_from_json KEY FILE: the value of KEY in a measurements JSON file.
pcr_from_json() { json_field "$1" <"$2"; }
# pcr_from_console N FILE: the value hello printed for PCRN.
pcr_from_console() { tr -d '\r' <"$2" | sed -n "s/^hello: PCR$1 \([0-9a-f]*\).*/\1/p" | head -n 1; }

# 1. Boot the image as built, with the machine's defaults (ACPI off, devices from the cmdline).
start=$(date +%s%N)
QEMU_ACPI=off qemu_boot_eif "$eif_file" "$work/console" 120
status=$?
is "$status" 0 "QEMU ends by itself when the enclave's command exits (status 0, no timeout)"
grep -qF "$greeting" "$work/console"
ok $? "the greeting reaches the console"
grep -q 'init: command exited with status 0' "$work/console"
ok $? "init reports the command's exit status"
[ -f "$work/console" ] && diag "boot to exit: $(( ($(date +%s%N) - start) / 1000000 )) ms"
for n in 0 1 2; do
	is "$(pcr_from_console $n "$work/console")" "$(pcr_from_json PCR$n "$pcr_json")" \
		"PCR$n read through /dev/nsm inside the guest equals out/pcr.json"
done
is "$(pcr_from_console 8 "$work/console")" "$(printf '%096d' 0)" "PCR8 of the unsigned image is zero"
[ "$status" -eq 0 ] || { diag "console:"; sed 's/^/#   /' "$work/console" | tail -n 40; }

# 2. The same image with ACPI on: the devices come from the DSDT, as on a real x86 enclave.
QEMU_ACPI=on qemu_boot_until "$eif_file" "$work/console-acpi" 120 "$greeting"
ok $? "with ACPI on the enclave boots and greets too"

# 3. A signed copy: eif verify accepts it, the guest sees the certificate's PCR8.
openssl ecparam -name secp384r1 -genkey -noout -out "$work/key.pem" 2>/dev/null &&
	openssl req -new -x509 -key "$work/key.pem" -out "$work/cert.pem" -days 2 \
		-subj "/CN=enclave-kit e2e test" 2>/dev/null
ok $? "a throwaway P-384 key and certificate"
cp "$eif_file" "$work/signed.eif"
"$EIF" sign "$work/signed.eif" --signing-certificate "$work/cert.pem" --private-key "$work/key.pem" >"$work/sign.out" 2>&1
ok $? "eif sign adds a signature section"
"$EIF" verify "$work/signed.eif" >"$work/verify.out" 2>&1
ok $? "eif verify accepts the signed image: $(cat "$work/verify.out")"
want8=$("$EIF" pcr --signing-certificate "$work/cert.pem" | json_field PCR8)
qemu_boot_eif "$work/signed.eif" "$work/console-signed" 120
is "$?" 0 "the signed image boots to the end"
is "$(pcr_from_console 8 "$work/console-signed")" "$want8" "PCR8 inside the guest equals eif pcr --signing-certificate"
is "$(pcr_from_console 0 "$work/console-signed")" "$(pcr_from_json PCR0 "$pcr_json")" "signing leaves PCR0 as it was"

# 4. A corrupted copy: one byte of the application in the user ramdisk flipped.
cp "$eif_file" "$work/corrupt.eif"
# The greeting string inside the hello binary: certainly in the user ramdisk.
offset=$(grep -obaF "$greeting" "$work/corrupt.eif" | head -n 1 | cut -d: -f1)
[ -n "$offset" ] || bail "the greeting is not in $eif_file"
byte=$(od -An -tu1 -j "$offset" -N 1 "$work/corrupt.eif" | tr -d ' ')
printf "$(printf '\\%03o' $(( (byte + 1) % 256 )))" |
	dd of="$work/corrupt.eif" bs=1 seek="$offset" conv=notrunc status=none
"$EIF" verify "$work/corrupt.eif" >"$work/verify-corrupt.out" 2>&1
is "$?" 3 "eif verify refuses the corrupted image as corrupt: $(cat "$work/verify-corrupt.out")"
qemu_boot_eif "$work/corrupt.eif" "$work/console-corrupt" 60
status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
ok $? "QEMU refuses to load the corrupted image (status $status)"
grep -qF "$greeting" "$work/console-corrupt"
ok $((!$?)) "the corrupted image never runs"
grep -i 'crc\|checksum' "$work/console-corrupt" | head -n 2 | sed 's/^/# QEMU: /'

done_testing
