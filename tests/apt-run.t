#!/bin/sh
# scripts/apt-run runs apt-get one at a time on the machine, with DPkg::Lock::Timeout, so that
# two apt calls of one build (make check builds the kernel side and the test QEMU together, each
# may run apt-get update) never meet on apt's lists lock, which apt does not wait for. Checked
# with a stand-in apt-get that notes when it starts and ends: two calls at once never overlap,
# and each gets its arguments after the lock option.
. "$TOP/tests/lib/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apt-run.XXXXXX") || bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" && cat >"$tmp/bin/apt-get" <<EOF
#!/bin/sh
echo "start \$\$ \$*" >>"$tmp/log"
sleep 1
echo "end \$\$" >>"$tmp/log"
EOF
chmod +x "$tmp/bin/apt-get"
PATH=$tmp/bin:$PATH "$TOP/scripts/apt-run" update -qq &
first=$!
PATH=$tmp/bin:$PATH "$TOP/scripts/apt-run" install -s hello &
second=$!
wait $first; a=$?
wait $second; b=$?
is "$a $b" "0 0" "both calls succeed"
# One call's start and end lines are next to each other when the calls did not overlap.
awk '$1 == "start" { if (open) bad = 1; open = $2 } $1 == "end" { if ($2 != open) bad = 1; open = "" }
	END { exit bad || NR != 4 }' "$tmp/log"
ok $? "the two calls ran one after the other" || sed 's/^/# /' "$tmp/log"
is "$(grep -c '^start [0-9]* -o DPkg::Lock::Timeout=900 update -qq$' "$tmp/log") $(grep -c '^start [0-9]* -o DPkg::Lock::Timeout=900 install -s hello$' "$tmp/log")" "1 1" \
	"apt-get gets the dpkg lock timeout, then the caller's arguments"
# Every apt-get of the build goes through it.
direct=$(grep -n -E '(^|[^-/])apt-get +(-o|\$|update|install|download|source)' "$TOP/scripts/ensure-packages" \
	"$TOP/scripts/fetch-pinned" "$TOP/tests/qemu/build" | grep -v -E ':[0-9]+:\s*#|echo|try |die |apt_what=|^\S+:[0-9]+:\s+"apt-get ')
is "$direct" "" "ensure-packages, fetch-pinned and tests/qemu/build run apt-get only through apt-run"
done_testing
