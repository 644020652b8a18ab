#!/bin/sh
# nsm.ko, libnsm and the nsm tool inside an enclave: boot an EIF (the production system ramdisk:
# out/init + out/nsm.ko, and a user ramdisk running tests/nsm/guest.c) under QEMU's nitro-enclave
# machine, relay the guest's results as TAP, and check on the host what the guest cannot know:
# its PCRs equal `eif pcr` of the same EIF, ExtendPCR computed SHA-384(old || data), the kernel
# logged no warning. Knobs: NSM_GUEST_TIMEOUT (seconds, default 300), QEMU_ACPI (qemu.sh).
. "$TOP/tests/lib/tap.sh"
: "${NSM_GUEST_TIMEOUT:=300}"
# acpi=on does not boot this kernel under TCG yet (timer calibration); off is the machine default.
: "${QEMU_ACPI:=off}"
export QEMU_ACPI
# A distinct enclave id, to see it come back through DescribeNSM and the document.
QEMU_ENCLAVE_ID=i-0e4c1a7e0000c0de5-enc0f0e0d0c0b0a0908
export QEMU_ENCLAVE_ID
ARCH=${ARCH:-x86_64}
cmdline_file=$TOP/configs/cmdline/$ARCH
guest=$O/tests/nsm/bin/nsm-guest
liar=$O/tests/nsm/nsm-liar.ko

need_files "$EIF" "$O/bzImage" "$O/ramdisk/system.cpio" "$O/nsm.ko" "$O/bin/nsm" "$guest" "$liar" \
	"$cmdline_file" "$TOP/tests/lib/qemu.sh" "$TOP/scripts/user-ramdisk"
. "$TOP/tests/lib/qemu.sh"

work=$O/tests/nsm/guest
rm -rf "$work" && mkdir -p "$work/rootfs/bin" "$work/rootfs/lib" || bail "cannot create $work"
cp "$guest" "$work/rootfs/bin/nsm-guest" && cp "$O/bin/nsm" "$work/rootfs/bin/nsm" &&
	cp "$O/nsm.ko" "$work/rootfs/lib/nsm-test.ko" &&
	# A software NSM that claims more answer bytes than it wrote (tests/nsm/liar).
	cp "$liar" "$work/rootfs/lib/nsm-liar.ko" ||
	bail "cannot fill $work/rootfs"
"$TOP/scripts/user-ramdisk" "$EIF" "$work/rootfs" /bin/nsm-guest '' "$work/user.cpio" \
	>"$work/eif.log" 2>&1 &&
"$EIF" build --kernel "$O/bzImage" --cmdline "$(cat "$cmdline_file")" \
	--ramdisk "$O/ramdisk/system.cpio" --ramdisk "$work/user.cpio" --arch "$ARCH" \
	--output "$work/test.eif" >"$work/build.json" 2>>"$work/eif.log" &&
"$EIF" pcr "$work/test.eif" >"$work/pcr.json" 2>>"$work/eif.log"
ok $? "built the test EIF and computed its PCRs with eif pcr"
[ -s "$work/pcr.json" ] || { sed 's/^/# /' "$work/eif.log"; done_testing; exit 1; }

console=$work/console.log
start=$(date +%s%N)
qemu_boot_eif "$work/test.eif" "$console" "$NSM_GUEST_TIMEOUT"
rc=$?
secs=$(( ($(date +%s%N) - start) / 1000000000 ))
tr -d '\r' <"$console" >"$work/console.txt"
console=$work/console.txt
is "$rc" 0 "QEMU ended by itself within ${NSM_GUEST_TIMEOUT} s (took ${secs} s)"
grep -q '^nsm-guest: started' "$console"
ok $? "the guest program started"

# Relay the guest's own checks.
guest_results=$(grep -E '^nsm-guest: (ok|not ok) - |^nsm-guest: # ' "$console")
while IFS= read -r line; do
	case $line in
	'nsm-guest: ok - '*) ok 0 "guest: ${line#nsm-guest: ok - }" ;;
	'nsm-guest: not ok - '*) ok 1 "guest: ${line#nsm-guest: not ok - }" ;;
	'nsm-guest: # '*) diag "guest: ${line#nsm-guest: # }" ;;
	esac
done <<EOF
$guest_results
EOF
grep -q '^nsm-guest: finished' "$console"
ok $? "the guest program ran to its end"

# PCR0/1/2: the NSM's (through libnsm, and through `nsm pcrs`) against eif pcr on the host.
. "$TOP/tests/lib/json.sh"
# pcrs_json FILTER: jq FILTER applied to what 'nsm pcrs' printed (nothing if it is not JSON).
pcrs_json() { jq -r "$1" "$work/nsm-pcrs.json" 2>/dev/null; }
# block TAG: what the guest's run of the nsm tool tagged TAG printed.
# The kernel may print to the same console in the middle of a block ("[    7.7] clocksource: ..."):
# such lines are not the tool's.
block() {
	sed -n "/^nsm-guest: begin $1\$/,/^nsm-guest: end $1\$/p" "$console" | sed '1d;$d' |
		grep -v '^\[ *[0-9][0-9]*\.[0-9]*\] '
}
block pcrs >"$work/nsm-pcrs.json"
for i in 0 1 2; do
	want=$(jq -r ".PCR$i // empty" "$work/pcr.json")
	[ -n "$want" ] || want="(no PCR$i in eif pcr output)"
	got=$(sed -n "s/^nsm-guest: PCR$i //p" "$console")
	is "$got" "$want" "PCR$i read through libnsm equals eif pcr"
	got=$(pcrs_json ".PCR$i")
	is "$got" "$want" "PCR$i of 'nsm pcrs' equals eif pcr"
	is "$(pcrs_json ".Locked.PCR$i")" true "'nsm pcrs' shows PCR$i locked"
done
zero=$(printf '%096d' 0)
is "$(pcrs_json .PCR8)" "$zero" \
	"'nsm pcrs' shows PCR8 zero for an unsigned EIF"
is "$(pcrs_json .HashAlgorithm)" "$(jq -r .HashAlgorithm "$work/pcr.json")" \
	"'nsm pcrs' labels the hash as eif pcr does"

# ExtendPCR: new = SHA-384(old || data), checked with perl's Digest::SHA.
set -- $(sed -n 's/^nsm-guest: extend 16 old \([0-9a-f]*\) data \(.*\) new \([0-9a-f]*\)$/\1 \3 \2/p' "$console")
if [ $# -ge 3 ]; then
	old=$1 new=$2
	shift 2
	want=$(perl -MDigest::SHA=sha384_hex -e 'print sha384_hex(pack("H*", $ARGV[0]) . $ARGV[1])' \
		"$old" "$*")
	is "$new" "$want" "ExtendPCR 16 returned SHA-384(old || data)"
else
	ok 1 "the guest printed the ExtendPCR values"
fi

# The other nsm commands.
extended=$(perl -MDigest::SHA=sha384_hex -e 'print sha384_hex(("\0" x 48) . "hello")')
is "$(block extend30)" "{\"PCR30\": \"$extended\", \"Locked\": false}" \
	"'nsm extend 30 hello' prints SHA-384(zeros || hello), unlocked"
is "$(block pcr30)" "{\"PCR30\": \"$extended\", \"Locked\": true}" \
	"'nsm pcr 30' after 'nsm lock 30' shows the same value, locked"
block extend30-locked | grep -q 'ReadOnlyIndex'
ok $? "'nsm extend' on a locked PCR names the NSM's ReadOnlyIndex"
block random | grep -Eqx '[0-9a-f]{80}'
ok $? "'nsm random 40' prints 80 hex digits"
is "$(block describe | json_field ModuleId)" "$QEMU_ENCLAVE_ID" "'nsm describe' shows the enclave id QEMU was given"
is "$(block describe | json_field MaxPcrs)" 32 "'nsm describe' shows 32 PCRs"
block attest | grep -qF "/tmp/doc.cbor: " && block attest | grep -qF "module $QEMU_ENCLAVE_ID"
ok $? "'nsm attest' summarises the document it wrote"
# The guest's document through eif attest: QEMU's NSM signs nothing (algorithm -1, zero
# certificates), so the chain and signature checks are skipped by name and the verdict says so;
# PCR0-2 must still match eif pcr, and the nonce the file given to nsm attest.
sed -n 's/^nsm-guest: document-base64 //p' "$console" | base64 -d >"$work/doc.cbor" 2>/dev/null
printf 'tool-nonce' >"$work/nonce.bin"
"$EIF" attest "$work/doc.cbor" --expected "$work/pcr.json" --nonce-file "$work/nonce.bin" \
	--skip-chain --skip-signature >"$work/verdict.json" 2>"$work/attest.err"
is "$?" 0 "eif attest: the guest's document matches eif pcr and the nonce file" ||
	diag "$(cat "$work/attest.err") $(grep -A2 '"fail"' "$work/verdict.json" | head -12)"
is "$(json_field chain_checked <"$work/verdict.json")/$(json_field signature_checked <"$work/verdict.json")" \
	false/false "eif attest says the chain and the signature were not checked"
"$EIF" attest "$work/doc.cbor" --expected "$work/pcr.json" --pcr 0="$zero" --skip-chain \
	--skip-signature >/dev/null 2>&1
is "$?" 7 "eif attest: the guest's document does not match another PCR0"
block usage | grep -qF "is not a PCR index"
ok $? "'nsm pcr not-a-number' explains the usage error"
block help | grep -qF "usage: nsm attest"
ok $? "'nsm attest --help' prints the usage"

# The driver must not have made the kernel complain.
for bad in 'WARNING:' 'BUG:' 'Oops' 'Call Trace' 'general protection' 'nsm virtio' 'hung_task'; do
	if grep -qF -- "$bad" "$console"; then
		ok 1 "the kernel logged no '$bad'"
		grep -F -B2 -A8 -- "$bad" "$console" | head -30 | sed 's/^/#   /'
	else
		ok 0 "the kernel logged no '$bad'"
	fi
done

diag "nsm.ko: $(wc -c <"$O/nsm.ko") bytes on disk; $(sed -n 's/^nsm-guest: module //p' "$console" | head -1)"
sed -n 's/^nsm-guest: \(latency .*\|threads .*\|document .*\|module_id .*\)$/\1/p' "$console" |
	while IFS= read -r line; do diag "$line"; done
if [ "$tap_failed" -gt 0 ]; then
	diag "console (guest and nsm lines):"
	grep -aE 'nsm|NSM' "$console" | grep -v '^nsm-guest: ok' | head -60 | sed 's/^/#   /'
fi
done_testing
