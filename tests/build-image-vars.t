#!/bin/sh
# The knobs whose values reach the image are inputs like files: switching NAME, VERSION or
# SOURCE_DATE_EPOCH rebuilds what carries them (the EIF's metadata, the system ramdisk's file
# times, pcr.json, the SBOM, the provenance), and another CERT (or new bytes in the same CERT
# file) redoes the provenance that names it. A second make with the same values changes nothing.
. "$TOP/tests/lib/build.sh"
meta() { "$b/bin/eif" describe "$b/enclave.eif" | jq -r "$1"; }
# A small application of our own, so that nothing but the user's part is built.
mkdir -p "$work/app/bin" && printf '#!/bin/sh\necho hi\n' >"$work/app/bin/app" && chmod 0755 "$work/app/bin/app" ||
	bail "cannot create the application tree"
set -- APP="$work/app" CMD=/bin/app

build_ok "make NAME=alpha" "$@" NAME=alpha
is "$(meta .ImageName)" alpha "the EIF is named alpha"
before=$(mtimes)
sleep 1
build_ok "make NAME=alpha again" "$@" NAME=alpha
is "$(mtimes)" "$before" "the same values rewrite nothing"

build_ok "make NAME=bravo" "$@" NAME=bravo
is "$(meta .ImageName)" bravo "NAME=bravo reaches the EIF"
grep -q 'ImageName.*bravo' "$b/provenance"; ok $? "and the provenance"

build_ok "make NAME=bravo VERSION=9.9.9" "$@" NAME=bravo VERSION=9.9.9
is "$(meta .ImageVersion)" 9.9.9 "VERSION=9.9.9 reaches the EIF"

cpio_before=$(sha256sum <"$b/ramdisk/system.cpio")
build_ok "make with SOURCE_DATE_EPOCH one day later" "$@" NAME=bravo VERSION=9.9.9 SOURCE_DATE_EPOCH=1735776000
is "$(meta .Metadata.BuildTime)" 2025-01-02T00:00:00+00:00 "the EIF's BuildTime follows SOURCE_DATE_EPOCH"
[ "$(sha256sum <"$b/ramdisk/system.cpio")" != "$cpio_before" ]
ok $? "the system ramdisk is packed again with the new file times"
grep -Eq 'BuildTime[[:space:]]+2025-01-02' "$b/provenance"; ok $? "the provenance records the new BuildTime" ||
	grep BuildTime "$b/provenance" | sed 's/^/#   /'
grep -q '"created": "2025-01-02T00:00:00Z"' "$b/sbom.spdx.json"; ok $? "the SBOM's creation time follows"

# CERT: the provenance names the certificate and its sha256.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout "$work/key.pem" \
	-out "$work/cert.pem" -subj /CN=one -days 1 >/dev/null 2>&1 || bail "openssl cannot make a certificate"
build_ok "make CERT=cert.pem" "$@" NAME=bravo VERSION=9.9.9 SOURCE_DATE_EPOCH=1735776000 CERT="$work/cert.pem"
first=$(sha256sum <"$work/cert.pem" | cut -d' ' -f1)
grep -q "$first" "$b/provenance"; ok $? "the provenance names the certificate's sha256"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -keyout "$work/key.pem" \
	-out "$work/cert.pem" -subj /CN=two -days 1 >/dev/null 2>&1 || bail "openssl cannot make a certificate"
build_ok "make again after the certificate file was replaced" "$@" NAME=bravo VERSION=9.9.9 \
	SOURCE_DATE_EPOCH=1735776000 CERT="$work/cert.pem"
second=$(sha256sum <"$work/cert.pem" | cut -d' ' -f1)
grep -q "$second" "$b/provenance"; ok $? "the provenance names the new certificate, not the old one"
done_testing
