#!/bin/sh
# scripts/ensure-packages never changes an installed package: with stand-in dpkg-query, apt-get
# and id on PATH (apt-get records its arguments), a package installed at another version than
# configs/sources.lock pins is left alone, a missing one is installed with no version pin, a plan
# that would upgrade an installed dependency is refused, and without root only the one
# `apt-get install` line is printed.
. "$TOP/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ensure-packages.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
# dpkg-query -W -f=FORMAT PACKAGE: "installed" (or "installed VERSION") for a line of $FAKE_INSTALLED.
cat >"$tmp/bin/dpkg-query" <<'EOF'
#!/bin/sh
for pkg; do :; done
version=$(awk -v p="$pkg" '$1 == p { print $2 }' "$FAKE_INSTALLED")
[ -n "$version" ] || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
case $* in *Version*) echo "installed $version" ;; *) echo installed ;; esac
EOF
# apt-get: one line of arguments per call in $FAKE_APT_LOG; -s prints apt's plan: an Inst line
# per named package and $FAKE_APT_PLAN, unless every package is named as NAME=VERSION with a
# VERSION in $FAKE_FITS (the versions that fit what is installed).
cat >"$tmp/bin/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_APT_LOG"
case " $* " in *" -s "*)
	fits=1
	for a; do case $a in -*|install|update|DPkg::*) ;; *)
		echo "Inst ${a%%=*} (1.0 Debian:12 [amd64])"
		case " ${FAKE_FITS:-} " in *" ${a#*=} "*) [ "$a" != "${a#*=}" ] || fits= ;; *) fits= ;; esac ;;
	esac; done
	[ -z "${FAKE_APT_PLAN:-}" ] || [ -n "$fits" ] || echo "$FAKE_APT_PLAN" ;;
esac
EOF
# apt-cache madison PACKAGE: the versions in $FAKE_VERSIONS, newest first.
cat >"$tmp/bin/apt-cache" <<'EOF'
#!/bin/sh
for pkg; do :; done
for v in ${FAKE_VERSIONS:-}; do echo " $pkg | $v | http://deb.debian.org/debian bookworm/main amd64 Packages"; done
EOF
printf '#!/bin/sh\necho "$FAKE_UID"\n' >"$tmp/bin/id"
chmod +x "$tmp/bin"/*
export FAKE_INSTALLED="$tmp/installed" FAKE_APT_LOG="$tmp/apt.log" FAKE_UID=0 FAKE_APT_PLAN= FAKE_FITS= FAKE_VERSIONS=

lock_make=$(awk '$1 == "tool" && $2 == "make" { print $3 }' "$TOP/configs/sources.lock")
[ -n "$lock_make" ]; ok $? "the lock pins make ($lock_make)"
# Everything of the build group is installed but bc; make at a version the lock does not name.
sed -e 's/#.*//' "$TOP/configs/packages/build" | awk 'NF && $1 != "bc" { print $1, ($1 == "make" ? "9.9-test" : "1.0") }' \
	>"$FAKE_INSTALLED"
run() { : >"$FAKE_APT_LOG"; PATH="$tmp/bin:$PATH" "$TOP/scripts/ensure-packages" build >"$tmp/out" 2>&1; }

run
ok $? "as root, ensure-packages installs the missing package" || sed 's/^/# /' "$tmp/out"
is "$(grep -c '^.*install.* -y .*' "$FAKE_APT_LOG")" 1 "apt-get install runs once"
is "$(grep ' -y ' "$FAKE_APT_LOG" | tr ' ' '\n' | grep -v -e '^-' -e '^install$' -e '^DPkg::' | tr '\n' ' ')" "bc " \
	"it installs exactly the missing package (bc)"
is "$(grep -cE ' [a-z0-9][a-z0-9.+-]*(:[a-z0-9]+)?=' "$FAKE_APT_LOG") $(grep -cw make "$FAKE_APT_LOG")" "0 0" \
	"no version pin, and make (installed at 9.9-test, the lock says $lock_make) is not touched"
is "$(head -n 1 "$FAKE_APT_LOG" | grep -c update)" 1 "apt-get update runs first"

echo "bc 1.0" >>"$FAKE_INSTALLED"
run
ok $? "with every package installed, ensure-packages succeeds"
is "$(wc -l <"$FAKE_APT_LOG" | tr -d ' ')" 0 "and does not run apt-get at all, whatever the lock says about versions"

sed -i '/^bc /d' "$FAKE_INSTALLED"
FAKE_APT_PLAN='Inst libssl3 [3.0.11-1~deb12u2] (3.0.15-1~deb12u1 Debian-Security:12 [amd64])'
run
is "$?" 1 "a plan that would upgrade an installed package is refused"
is "$(grep -c ' -y ' "$FAKE_APT_LOG")" 0 "nothing is installed"
is "$(grep -c 'libssl3 3.0.11-1~deb12u2 -> 3.0.15-1~deb12u1' "$tmp/out")" 1 "the error names the package and both versions" ||
	sed 's/^/# /' "$tmp/out"
# The archive also offers an older bc that fits what is installed: that one is installed, pinned.
FAKE_VERSIONS="1.07.1-3+b2 1.07.1-3+b1 1.07.1-3" FAKE_FITS="1.07.1-3+b1"
run
ok $? "with an older version that fits the installed packages, ensure-packages installs it" ||
	sed 's/^/# /' "$tmp/out"
is "$(grep ' -y ' "$FAKE_APT_LOG" | tr ' ' '\n' | grep -v -e '^-' -e '^install$' -e '^DPkg::' | tr '\n' ' ')" \
	"bc=1.07.1-3+b1 " "it installs the newest version that changes nothing else (bc=1.07.1-3+b1)"
FAKE_FITS=
run
is "$?" 1 "when no version fits, the install is refused"
is "$(grep -c ' -y ' "$FAKE_APT_LOG")" 0 "and nothing is installed"
FAKE_APT_PLAN= FAKE_VERSIONS=

FAKE_UID=1000
run
is "$?" 1 "without root, a missing package fails the step"
is "$(grep -c '^install them with:  sudo apt-get install --no-install-recommends bc$' "$tmp/out")" 1 \
	"and prints the one apt-get line, with no version pin" || sed 's/^/# /' "$tmp/out"
is "$(wc -l <"$FAKE_APT_LOG" | tr -d ' ')" 0 "apt-get is not run"
done_testing
