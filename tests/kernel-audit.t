#!/bin/sh
# kernel/audit (make kernel-audit, and every kernel build) checks the kernel policy of
# kernel/policy/: it passes a small fake source tree and config that keep every rule, and fails,
# naming the rule and its reason, a config with CONFIG_CRYPTO_USER_API_AEAD=y, a tree without
# either vsock patch (queued_replies, linear transmit skbs), a patch missing from the patch
# directory and another kernel version; --warn turns the failure into a warning. It rejects a
# rule without a reason and an architecture without a policy. The recommended-options report
# (hardening.fragment) shows each option with its reason, and the real default and hardened
# configs pass the policy.
. "$TOP/tests/lib/tap.sh"
work=$O/tests/kernel/audit
rm -rf "$work" && mkdir -p "$work" || bail "cannot create $work"
pin=$(awk '$1 == "source" && $2 == "linux-source-6.12" { sub(/-.*/, "", $3); print $3; exit }' "$TOP/configs/sources.lock")
[ -n "$pin" ] || bail "no linux-source-6.12 line in configs/sources.lock"

# A fake tree with both patches applied: only the files and lines the policy looks at.
# shellcheck disable=SC2046,SC2183 # the version is split into its three numbers on purpose
make_tree() {	# make_tree DIR VERSION
	mkdir -p "$1/net/vmw_vsock" &&
	printf 'VERSION = %s\nPATCHLEVEL = %s\nSUBLEVEL = %s\nEXTRAVERSION =\n' $(echo "$2" | tr . ' ') >"$1/Makefile" &&
	printf 'struct virtio_vsock {\n\tstruct sk_buff_head send_pkt_queue;\n};\n' >"$1/net/vmw_vsock/virtio_transport.c" &&
	printf '\tskb = virtio_vsock_alloc_linear_skb(skb_len, GFP_KERNEL);\n' >"$1/net/vmw_vsock/virtio_transport_common.c"
}
make_tree "$work/tree" "$pin" || bail "cannot write the fake tree"
mkdir -p "$work/patches" && cp "$TOP"/kernel/patches/*.patch "$work/patches/" || bail "cannot copy the patches"
# A config that keeps the policy: every required option; forbidden ones absent.
sed -n 's/^require \(CONFIG_[A-Za-z0-9_]*=.*\)/\1/p' "$TOP/kernel/policy/common.policy" "$TOP/kernel/policy/x86_64.policy" >"$work/config"
grep -q '^CONFIG_VIRTIO_VSOCKETS=y$' "$work/config" || bail "the policy no longer requires CONFIG_VIRTIO_VSOCKETS=y"

audit() {	# audit OUT [ARG...]: kernel/audit on the fake inputs, with ARG overriding
	out=$1; shift
	"$TOP/kernel/audit" --arch x86_64 --config "$work/config" --source "$work/tree" \
		--patches "$work/patches" --pin "$pin" "$@" >"$work/$out" 2>&1
}
expect() {	# expect OUT TEXT DESCRIPTION: OUT holds the fixed string TEXT
	if grep -qF -- "$2" "$work/$1"; then ok 0 "$3"; else
		ok 1 "$3"; diag "expected in the output: $2"; sed 's/^/#   /' "$work/$1"; fi
}

audit pass.out
is "$?" 0 "a tree and config that keep every rule pass"
expect pass.out "Policy: all" "and the report says all rules hold"
expect pass.out "    ok   CONFIG_CRYPTO_USER_API_AEAD off" "each rule is shown with its verdict"
expect pass.out "  AF_ALG hands the kernel's crypto code to any process" "and its reason"

cp "$work/config" "$work/aead.config" && echo CONFIG_CRYPTO_USER_API_AEAD=y >>"$work/aead.config"
audit aead.out --config "$work/aead.config"
is "$?" 1 "CONFIG_CRYPTO_USER_API_AEAD=y fails the policy"
expect aead.out "1 of " "one rule is violated"
expect aead.out "  CONFIG_CRYPTO_USER_API_AEAD off (now CONFIG_CRYPTO_USER_API_AEAD=y): AF_ALG hands" \
	"the violation is listed with its actual state and reason"
audit aead-warn.out --config "$work/aead.config" --warn
is "$?" 0 "--warn: the same violation does not fail"
expect aead-warn.out "kernel-audit: warning: this kernel breaks the policy above" "--warn says it is a warning"
expect aead-warn.out "  CONFIG_CRYPTO_USER_API_AEAD off (now" "and still lists the violation"
audit aead-quiet.out --config "$work/aead.config" --quiet
is "$(grep -c 'ok ' "$work/aead-quiet.out")" 0 "--quiet shows no passing rules"
expect aead-quiet.out "  CONFIG_CRYPTO_USER_API_AEAD off (now" "--quiet still lists the violation"

cp "$work/config" "$work/missing.config" && sed -i '/^CONFIG_VIRTIO_VSOCKETS=/d' "$work/missing.config"
audit missing.out --config "$work/missing.config"
is "$?" 1 "a required option missing fails the policy"
expect missing.out "CONFIG_VIRTIO_VSOCKETS=y (now CONFIG_VIRTIO_VSOCKETS not set)" "and is named"

make_tree "$work/unpatched1" "$pin" && echo '	atomic_t queued_replies;' >>"$work/unpatched1/net/vmw_vsock/virtio_transport.c"
audit unpatched1.out --source "$work/unpatched1"
is "$?" 1 "a tree without the queued_replies patch fails"
expect unpatched1.out "patch 0001-vsock-virtio-drop-queued_replies-pushback.patch applied (" "the queued_replies patch is named"
expect unpatched1.out "still contains \"queued_replies\"" "with what shows it is not applied"

make_tree "$work/unpatched2" "$pin" &&
	printf '\tskb = virtio_vsock_alloc_skb(skb_len, GFP_KERNEL);\n' >"$work/unpatched2/net/vmw_vsock/virtio_transport_common.c"
audit unpatched2.out --source "$work/unpatched2"
is "$?" 1 "a tree without the linear transmit skb patch fails"
expect unpatched2.out "patch 0002-vsock-virtio-keep-transmit-skbs-linear.patch applied (" "the linear skb patch is named"
expect unpatched2.out "the Nitro hypervisor reassembles those wrongly" "with the hazard it prevents"

mkdir -p "$work/patches-one" && cp "$work/patches"/0001-*.patch "$work/patches-one/"
audit nopatch.out --patches "$work/patches-one"
is "$?" 1 "a patch directory without the linear skb patch fails"
expect nopatch.out "0002-vsock-virtio-keep-transmit-skbs-linear.patch is missing" "and says which patch is missing"

make_tree "$work/other-version" 6.12.999
audit version.out --source "$work/other-version"
is "$?" 1 "another kernel version fails"
expect version.out "source version 6.12.999 is the pinned $pin (now 6.12.999 in" "and names both versions"

audit arch.out --arch sparc
is "$?" 2 "an architecture without a policy is an error"
expect arch.out "no policy for ARCH=sparc" "which says a policy file is missing"
# A policy rule without a reason is refused: on a copy of kernel/audit with its own policy dir.
mkdir -p "$work/k/policy" && cp "$TOP/kernel/audit" "$work/k/audit" &&
	cp "$TOP"/kernel/policy/*.policy "$work/k/policy/" && printf '\n## No reason\nforbid CONFIG_X\n' >>"$work/k/policy/x86_64.policy"
"$work/k/audit" --arch x86_64 --config "$work/config" --source "$work/tree" --patches "$work/patches" \
	--pin "$pin" >"$work/noreason.out" 2>&1
is "$?" 2 "a rule without a reason line is refused"
expect noreason.out "a rule without a reason line above it: forbid CONFIG_X" "naming the line"

# The recommended-options report of a fragment.
cat >"$work/fragment" <<'FRAGMENT'
## Group one
# Reason for A and B.
CONFIG_A=y
CONFIG_B=y
# Reason for C being off.
# CONFIG_C is not set
#skip CONFIG_D kept out for a stated reason
FRAGMENT
cp "$work/config" "$work/frag.config" && printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\nCONFIG_D=y\n' >>"$work/frag.config"
audit frag.out --config "$work/frag.config" --fragment "$work/fragment"
is "$?" 0 "the recommendations are a report: missing ones do not fail"
line() { is "$(grep -c -F -x -- "$1" "$work/frag.out")" 1 "$2"; }
line "Group one" "the group title is shown"
line "  Reason for A and B." "the reason is shown once above its options"
line "    yes  CONFIG_A=y" "an option that holds is 'yes'"
line "    NO   CONFIG_B=y (now CONFIG_B not set)" "a missing option is 'NO' with its actual state"
line "    NO   CONFIG_C off (now CONFIG_C=y)" "an option that should be off but is on is 'NO'"
line "    skip CONFIG_D=y: kept out for a stated reason" "a skipped option shows its state and reason"
line "1 of 3 recommended options hold; 1 deliberately not required (skip)." "the summary counts them"

fragment=$TOP/configs/kernel/hardening.fragment
x86_fragment=$TOP/configs/kernel/hardening-x86_64.fragment
for f in "$fragment" "$x86_fragment" "$TOP/configs/kernel/hardening-aarch64.fragment"; do
	is "$(awk '/^## /{r=0; next} /^# CONFIG_[A-Za-z0-9_]+ is not set$/ || /^CONFIG_/ { if (!r) print FNR; next } /^# /{r=1}' "$f")" "" \
		"every option in ${f##*/} follows a reason line"
done

# The real configs: the default one as built, the hardened one resolved from the same tree
# (Kconfig only, into a file of our own; the tree's lock keeps a running build out).
kb=$O/kernel/build
if [ -r "$O/kernel/config" ] && [ -r "$kb/Makefile" ]; then
	"$TOP/kernel/audit" --arch x86_64 --config "$O/kernel/config" --source "$kb" --patches "$TOP/kernel/patches" \
		--pin "$pin" --fragment "$fragment" --fragment "$x86_fragment" >"$work/default.out" 2>&1
	ok $? "the default config and the built source keep the policy" || sed 's/^/#   /' "$work/default.out" | tail -n 20
	cat "$TOP/configs/kernel/x86_64.defconfig" "$fragment" "$x86_fragment" >"$work/hardened.in"
	kconfig() {
		flock "$O/kernel/kbuild.lock" make -s -C "$kb" O= ARCH=x86_64 CROSS_COMPILE= CC=gcc LD=ld HOSTCC=gcc \
			KCONFIG_CONFIG="$work/hardened.config" "$@" >>"$work/kconfig.log" 2>&1
	}
	kconfig allnoconfig KCONFIG_ALLCONFIG="$work/hardened.in" && kconfig olddefconfig
	ok $? "the hardened config resolves (Kconfig in $kb)" || sed 's/^/#   /' "$work/kconfig.log" | tail -n 20
	"$TOP/kernel/check-config" "$work/hardened.config" "$TOP/configs/kernel/x86_64.defconfig" "$fragment" "$x86_fragment" \
		>"$work/check.out" 2>&1
	ok $? "every option of the hardening fragment survives in it" || sed 's/^/#   /' "$work/check.out"
	"$TOP/kernel/audit" --arch x86_64 --config "$work/hardened.config" --source "$kb" --patches "$TOP/kernel/patches" \
		--pin "$pin" >"$work/hardened.out" 2>&1
	ok $? "the hardened config keeps the policy" || sed 's/^/#   /' "$work/hardened.out" | tail -n 20
else
	ok 1 "$O/kernel/config and $kb exist (run make kernel)"
fi
# How make runs it before Kbuild: an error under HARDEN=1, a warning otherwise (make -n: no build).
policy_cmd() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -n -C "$TOP" --no-print-directory \
	O="$work/make-o" "$@" "$work/make-o/kernel/policy.ok" 2>/dev/null | grep 'kernel/audit '; }
case $(policy_cmd HARDEN=1) in *"kernel/audit --quiet "*--arch*) case $(policy_cmd HARDEN=1) in *--warn*) r=1 ;; *) r=0 ;; esac ;; *) r=1 ;; esac
ok $r "make HARDEN=1 runs the policy check without --warn: a violation stops the build"
case $(policy_cmd) in *"kernel/audit --quiet --warn --arch"*) r=0 ;; *) r=1 ;; esac
ok $r "make without HARDEN runs it with --warn: a violation is listed as a warning"
case $(policy_cmd KERNEL_CONFIG="$work/aead.config") in *--warn*"--config $work/make-o/kernel/config"*) r=0 ;; *) r=1 ;; esac
ok $r "a KERNEL_CONFIG= build is checked the same way, on its resolved config"
done_testing
