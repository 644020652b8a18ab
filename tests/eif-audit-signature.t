#!/bin/sh
# A signed EIF passes eif audit only when the manifest allows its certificate (scripts/provenance
# with CERT=...): the signature must parse, verify over PCR0 and name its certificate.
. "$TOP/tests/audit/common.sh"
command -v openssl >/dev/null || bail "openssl is missing; install the check packages (scripts/ensure-packages check)"

make_parts || bail "cannot create the synthetic parts in $parts"
build_eif "$work/clean.eif" || bail "cannot build the test EIF with $EIF"
for who in signer other; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 30 \
		-subj "/CN=audit-$who/O=enclave-kit tests" -keyout "$work/$who.key" \
		-out "$work/$who.pem" 2>/dev/null || bail "openssl cannot make a P-384 certificate"
done
"$EIF" sign "$work/clean.eif" --signing-certificate "$work/signer.pem" \
	--private-key "$work/signer.key" --output "$work/signed.eif" >/dev/null 2>&1 ||
	bail "eif sign failed"
fingerprint=$(openssl x509 -in "$work/signer.pem" -noout -fingerprint -sha384 |
	sed 's/.*=//; s/://g' | tr A-F a-f)

# 1. The manifest of an unsigned build: the signature is unknown.
write_manifest "$work/provenance" || bail "scripts/provenance failed"
run_audit "$work/signed.eif" "$work/provenance"
audit_status_is 1 "a signature the manifest does not allow: exit 1"
has_line "^unknown +section 5 signature \[certificate issued by CN 'audit-signer', SHA-384 fingerprint $fingerprint, valid .*; the COSE signature over PCR0 verifies; the manifest allows no signer with this fingerprint" \
	"the signature names its certificate and is unknown"

# 2. The manifest of make sign with this certificate.
CERT=$work/signer.pem write_manifest "$work/provenance.signed" || bail "scripts/provenance CERT= failed"
grep -q "^signer	$fingerprint	sign	" "$work/provenance.signed"
ok $? "CERT=: the manifest allows the certificate by its SHA-384 fingerprint"
run_audit "$work/signed.eif" "$work/provenance.signed"
audit_status_is 0 "an allowed signer: exit 0"
has_line "^ok +section 5 signature \[certificate issued by CN 'audit-signer'.*the COSE signature over PCR0 verifies\] <- sign: certificate '$work/signer\.pem'" \
	"the signature is accounted for by the sign step"
run_audit "$work/signed.eif" "$work/provenance.signed" --json
is "$(jq -r '.PCRs.PCR8' "$work/audit.out")" \
	"$("$EIF" describe "$work/signed.eif" | jq -r '.Measurements.PCR8')" "--json: PCR8 of the certificate"

# 3. Signed by someone else.
"$EIF" sign "$work/clean.eif" --signing-certificate "$work/other.pem" \
	--private-key "$work/other.key" --output "$work/other.eif" >/dev/null 2>&1 || bail "eif sign failed"
run_audit "$work/other.eif" "$work/provenance.signed"
audit_status_is 1 "another signer: exit 1"
has_line "^unknown +section 5 signature \[certificate issued by CN 'audit-other'" "the other certificate is unknown"

# 4. The manifest expects a signature the EIF lacks.
run_audit "$work/clean.eif" "$work/provenance.signed"
audit_status_is 1 "an unsigned EIF against a signed build's manifest: exit 1"
has_line '^missing +section 5 signature \[the manifest names it, the EIF has no section 5\]' \
	"the signature is missing"
done_testing
