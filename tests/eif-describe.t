#!/bin/sh
# eif describe prints nitro-cli describe-eif's JSON (docs/eif-format.md#nitro-cli-describe-eif):
# keys and order, CheckCRC, signed images (SigningCertificate, SignatureCheck, PCR8), custom
# metadata listed in Metadata.
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/eif.sh"
make_tv1_inputs
cd "$work" || bail "cd $work"

build_tv1 tv1.eif >/dev/null 2>&1 || bail "building tv1 failed"
expected='{
  "EifVersion": 4,
  "Measurements": {
    "HashAlgorithm": "Sha384 { ... }",
    "PCR0": "d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8a409f42073234d1c5c990a787dbf0b61",
    "PCR1": "fd73f54410dbf232bc7b66664cc18e9145505715707e0077bc0f2a5adf645db5485b81f11b18fdf0ad431595d4368310",
    "PCR2": "361b4f176971a5893fc98afbed75853fdc33c130370ca7cf9fa27578446d3708611d899a2703095c7335733c0d099d46"
  },
  "IsSigned": false,
  "CheckCRC": true,
  "ImageName": "bzImage",
  "ImageVersion": "1.0",
  "Metadata": {
    "BuildTime": "1970-01-01T00:00:00+00:00",
    "BuildTool": "eif_build",
    "BuildToolVersion": "0.3.1",
    "OperatingSystem": "OS",
    "KernelVersion": "kernel",
    "DockerInfo": null
  }
}'
is "$("$EIF" describe tv1.eif)" "$expected" "describe tv1: nitro-cli's keys, order and values"
is "$("$EIF" describe --eif-path tv1.eif)" "$expected" "nitro-cli's --eif-path spelling works too"

# A flipped byte in the metadata changes no PCR but fails the CRC (reported, not fatal).
cp tv1.eif flipped.eif
printf 'X' | dd of=flipped.eif bs=1 seek=620 conv=notrunc 2>/dev/null
"$EIF" describe flipped.eif >flipped.json
ok $? "describe of a CRC-damaged file still succeeds"
is "$(json_field CheckCRC <flipped.json)" false "CheckCRC false after a flipped byte"
is "$(json_field PCR0 <flipped.json)" d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8a409f42073234d1c5c990a787dbf0b61 "PCR0 unchanged (metadata is not measured)"

# Custom metadata: its keys follow DockerInfo inside Metadata, sorted.
printf '{"team": "infra", "build": {"n": 7, "ok": true}, "tags": ["a", "b"]}' >meta.json
build_tv1 meta.eif --metadata meta.json --name hello --version 2.0 >/dev/null 2>&1
expected_meta='  "ImageName": "hello",
  "ImageVersion": "2.0",
  "Metadata": {
    "BuildTime": "1970-01-01T00:00:00+00:00",
    "BuildTool": "eif_build",
    "BuildToolVersion": "0.3.1",
    "OperatingSystem": "OS",
    "KernelVersion": "kernel",
    "DockerInfo": null,
    "build": {
      "n": 7,
      "ok": true
    },
    "tags": [
      "a",
      "b"
    ],
    "team": "infra"
  }
}'
is "$("$EIF" describe meta.eif | sed -n '/"ImageName"/,$p')" "$expected_meta" "custom metadata flattened into Metadata"
printf '[1, 2]' >array.json
build_tv1 array.eif --metadata array.json >/dev/null 2>&1
"$EIF" describe array.eif >/dev/null 2>err
is $? 1 "describe refuses CustomMetadata that is not an object (nitro-cli cannot flatten it)"
grep -q 'CustomMetadata is not a JSON object' err
ok $? "... and says why"

# Signed image: certificate details, SignatureCheck true, PCR8 = eif pcr --signing-certificate.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days 2 \
	-subj "/CN=describe-test/O=Example/C=DE" -keyout key.pem -out cert.pem 2>/dev/null || bail "openssl req failed"
build_tv1 signed.eif --signing-certificate cert.pem --private-key key.pem >signed.json 2>/dev/null
ok $? "signed build succeeds"
"$EIF" describe signed.eif >describe.json
ok $? "describe of a signed EIF succeeds"
is "$(json_field IsSigned <describe.json)" true "IsSigned true"
is "$(json_field SignatureCheck <describe.json)" true "SignatureCheck true"
is "$(json_field PCR8 <describe.json)" "$("$EIF" pcr --signing-certificate cert.pem | json_field PCR8)" "describe's PCR8 = pcr --signing-certificate"
is "$(json_field PCR8 <describe.json)" "$(json_field PCR8 <signed.json)" "describe's PCR8 = build's"
is "$(json_field PCR0 <describe.json)" d83479617748abeab851276f775e8e6daf65b50ff712781738b07707fea638e8a409f42073234d1c5c990a787dbf0b61 "signing leaves PCR0 alone"
is "$(jq -c '.SigningCertificate.IssuerName' describe.json)" '{"commonName":"describe-test","countryName":"DE","organizationName":"Example"}' "IssuerName: OpenSSL long names, sorted"
is "$(json_field NotAfter <describe.json)" "$(openssl x509 -in cert.pem -noout -enddate | sed 's/notAfter=//')" "NotAfter in OpenSSL's text form"
is "$(json_field Algorithm <describe.json)" ecdsa-with-SHA256 "Algorithm is the certificate's signature algorithm"
"$EIF" verify signed.eif >verify.out 2>&1
rc=$?
ok $rc "eif verify accepts the image eif build signed"
[ $rc -eq 0 ] || diag "$(cat verify.out)"
# TV-5's PcrInfo layout, for this PCR0, sits in the section (each byte again a CBOR uint there).
uints() { perl -e 'print join "", map { $_ < 24 ? sprintf("%02x", $_) : sprintf("18%02x", $_) } unpack("C*", pack("H*", $ARGV[0]))' "$1"; }
payload=a26e72656769737465725f696e646578006e72656769737465725f76616c75659830$(uints "$(json_field PCR0 <describe.json)")
hex_of signed.eif | grep -q "$(uints "$payload")"
ok $? "the signed payload is CBOR PcrInfo{0, PCR0} laid out as TV-5"
is "$(jq -r 'keys_unsorted | join(" ")' describe.json)" "EifVersion Measurements IsSigned SigningCertificate CheckCRC SignatureCheck ImageName ImageVersion Metadata" "top-level key order of a signed describe"
done_testing
