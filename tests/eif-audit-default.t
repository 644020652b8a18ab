#!/bin/sh
# eif audit accounts for every byte of the enclave make built ($O/enclave.eif): against
# $O/provenance when the build wrote one, else against a manifest written now for the default
# knobs (APP, CMD, ENV as the Makefile sets them). With TOOLCHAIN=root the manifest names every
# .deb of configs/toolchain.lock and the root the kernel, init and nsm.ko were built in.
. "$TOP/tests/lib/tap.sh"
: "${EIF:?EIF is not set; run the tests through tests/run (make check)}"
[ -r "$O/enclave.eif" ] || bail "$O/enclave.eif missing: run make first"
work=$(mktemp -d "${TMPDIR:-/tmp}/eif-audit-default.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT INT TERM

manifest=$O/provenance
if [ ! -r "$manifest" ]; then
	if [ "${DEFAULT_BUILD:-}" != yes ]; then
		plan 1
		skip "no $O/provenance and not a default build: which APP, CMD and ENV made the EIF is unknown"
		exit 0
	fi
	manifest=$work/provenance
	# make check exports the Makefile's pinned SOURCE_DATE_EPOCH; outside it, read it there.
	: "${SOURCE_DATE_EPOCH:=$(sed -n 's/^SOURCE_DATE_EPOCH *?= *\([0-9][0-9]*\).*/\1/p' "$TOP/Makefile")}"
	export SOURCE_DATE_EPOCH
	cmd=/bin/hello
	[ -r "$O/stamp/cmd" ] && cmd=$(cat "$O/stamp/cmd")
	(cd "$TOP" && scripts/provenance "$O" "$O/examples/hello/rootfs" "$cmd" examples/hello/env) \
		>"$manifest" 2>"$work/provenance.err"
	ok $? "scripts/provenance describes the default build"
	sed 's/^/# /' "$work/provenance.err"
fi
"$EIF" audit "$O/enclave.eif" --provenance "$manifest" >"$work/report" 2>"$work/err"
rc=$?
is "$rc" 0 "eif audit $O/enclave.eif passes"
[ "$rc" = 0 ] || { grep -v '^ok ' "$work/report" | sed 's/^/# /'; sed 's/^/# stderr: /' "$work/err"; }
size=$(wc -c <"$O/enclave.eif")
if grep -q "; $size of $size bytes accounted for\$" "$work/report"; then ok 0 "all $size bytes accounted for"
else ok 1 "all $size bytes accounted for"; diag "$(tail -1 "$work/report")"; fi
for entry in 'ramdisk 0 init' 'ramdisk 0 nsm\.ko' 'ramdisk 1 cmd' 'ramdisk 1 env'; do
	if grep -q -E "^ok +$entry \[.*\] <- [a-z]+: " "$work/report"; then ok 0 "$entry: its step and input"
	else ok 1 "$entry: its step and input"; fi
done
if grep -q -E '^ok +section 0 kernel .* <- kernel: linux-source-6\.12 ' "$work/report"; then
	ok 0 "the kernel comes from the pinned linux-source-6.12"
else ok 1 "the kernel comes from the pinned linux-source-6.12"; fi

# Built in the toolchain root (out/kernel/toolchain "root KEY"): every .deb of its lock is an
# input record with its version, architecture and sha256, and the kernel, init and nsm.ko say
# they were built in that root, by its key.
read -r toolchain key <"$O/kernel/toolchain" || bail "$O/kernel/toolchain is missing: run make first"
if [ "$toolchain" = root ]; then
	missing=$(awk -F '\t' 'FILENAME != "-" { if ($1 == "input") input[$2] = $3; next }
		{ sub(/#.*/, "") }
		NF { d = input[$1 ":" $3]
		     if (index(d, $1 " " $2 " " $3 " (sha256 " $4 "), pinned in configs/toolchain.lock") != 1 ||
			 index(d, "a tool of bzImage (section 0), init and nsm.ko (ramdisk 0)") == 0)
			     printf " %s", $1 ":" $3 }' "$manifest" FS=' ' - <"$TOP/configs/toolchain.lock")
	is "${missing:-none}" none "every .deb of configs/toolchain.lock is an input record: version, arch, sha256, what it built"
	for what in 'section	0	kernel' 'entry	0	init' 'entry	0	nsm\.ko'; do
		grep -q "^$what	.* in toolchain root $key of configs/toolchain\.lock" "$manifest"
		ok $? "$(printf '%s' "$what" | tr '\t' ' ' | tr -d '\\'): built in toolchain root $key"
	done
else
	is "$(grep -c ':[a-z0-9]*	.*pinned in configs/toolchain.lock' "$manifest")" 0 "built with the host's tools: no toolchain input"
fi
done_testing
