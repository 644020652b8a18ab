# Real `make` runs for tests/build-*.t: . "$TOP/tests/lib/build.sh"
# The runs write into a private output directory $b under $O. The kernel (bzImage, release,
# config), nsm.ko, init and bin/eif of $O are copied there and named to make with -o (never
# remake, never remake anything because of them), so the boot chain is reused by content and no
# test can start a kernel build; what is built is the user's part: both ramdisks, the EIF,
# pcr.json, the SBOM and the provenance.
#   $work                      private directory (removed on exit); $b = $work/out
#   build ARGS...              make all O=$b ARGS...; its status; output in $work/make.out
#   outputs_are_fresh DESC APP CMD ENV
#                              every output of the last build is what these inputs give now
#   mtimes                     the mtimes of the outputs, to show that a run changed nothing
. "$TOP/tests/lib/tap.sh"
build_reused="bzImage kernel/release kernel/config nsm.ko init bin/eif"
for f in $build_reused; do
	[ -f "$O/$f" ] || bail "$O/$f is missing: run make first"
done
work=$(mktemp -d "$O/build-test.XXXXXX") || bail "cannot create a temporary directory in $O"
trap 'rm -rf "$work"' EXIT INT TERM
b=$work/out
mkdir -p "$b/kernel" "$b/bin" || bail "cannot create $b"
build_old=
for f in $build_reused; do
	cp "$O/$f" "$b/$f" || bail "cannot copy $O/$f to $b"
	build_old="$build_old -o $b/$f"
done
# The inner make must not inherit the outer one's jobserver or command-line knobs (APP=...).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1735689600}
build() {
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -C "$TOP" --no-print-directory \
		O="$b" $build_old "$@" all >"$work/make.out" 2>&1
	st=$?
	! grep -Eq '^ +(FETCH|UNPACK|CONFIG|KBUILD|KMOD|MUSLCC|LD) ' "$work/make.out" ||
		bail "make rebuilt part of the boot chain in $b (see $work/make.out); the test must reuse $O's"
	return $st
}
build_ok() {	# build_ok DESC ARGS...: the build succeeds (its output shown when not)
	desc=$1; shift
	build "$@"; ok $? "$desc" || sed 's/^/#   /' "$work/make.out" | tail -n 30
}

mtimes() { (cd "$b" && stat -c '%n %Y.%y' ramdisk/user.cpio enclave.eif pcr.json sbom.spdx.json provenance); }

outputs_are_fresh() {	# DESC APP CMD ENV
	what=$1 app=$2 cmd=$3 env=$4
	rm -f "$work/fresh.cpio"
	"$TOP/scripts/user-ramdisk" "$b/bin/eif" "$app" "$cmd" "$env" "$work/fresh.cpio" &&
		cmp -s "$work/fresh.cpio" "$b/ramdisk/user.cpio"
	ok $? "$what: the user ramdisk is packed from APP, CMD and ENV as they are now"
	want=$("$b/bin/eif" pcr --input "$work/fresh.cpio" 2>&1 | sed -n 's/.*"PCR": *"\([0-9a-f]*\)".*/\1/p')
	got=$(sed -n 's/.*"PCR2": *"\([0-9a-f]*\)".*/\1/p' "$b/pcr.json")
	[ -n "$want" ] && [ "$got" = "$want" ]
	ok $? "$what: pcr.json has the PCR2 of that ramdisk" || diag "pcr.json PCR2 $got, fresh $want"
	"$b/bin/eif" audit "$b/enclave.eif" --provenance "$b/provenance" >"$work/audit.out" 2>&1
	ok $? "$what: the EIF passes eif audit against out/provenance" || sed 's/^/#   /' "$work/audit.out" | tail -n 20
	(cd "$TOP" && NAME=enclave VERSION=0.1.0 scripts/provenance "$b" "$app" "$cmd" "$env") >"$work/fresh.prov" 2>&1 &&
		cmp -s "$work/fresh.prov" "$b/provenance"
	ok $? "$what: out/provenance is what scripts/provenance says now" ||
		diff "$work/fresh.prov" "$b/provenance" | head -n 10 | sed 's/^/#   /'
	"$TOP/scripts/sbom" "$b" "$app" >"$work/fresh.sbom" 2>&1 && cmp -s "$work/fresh.sbom" "$b/sbom.spdx.json"
	ok $? "$what: out/sbom.spdx.json is what scripts/sbom says now" ||
		diff "$work/fresh.sbom" "$b/sbom.spdx.json" | head -n 10 | sed 's/^/#   /'
}
