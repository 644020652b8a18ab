#!/bin/sh
# An application-only rebuild runs only the commands it needs (make bench-app's time, issue 14):
# make does not run `id -u` once per recipe (an exported, recursively expanded CACHE_DIR did), nor
# run tests/qemu/build (it hashes the QEMU inputs, and starts with dirname) while it reads the
# makefiles. The commands are counted through logging stand-ins first in PATH; the rebuild must
# still redo the outputs.
. "$TOP/tests/lib/build.sh"
shim=$work/shim log=$work/commands
mkdir -p "$shim" || bail "cannot create $shim"
for tool in id dirname; do
	real=$(command -v "$tool") || bail "no $tool in PATH"
	printf '#!/bin/sh\nprintf "%%s\\n" "%s $*" >>"%s"\nexec "%s" "$@"\n' "$tool" "$log" "$real" \
		>"$shim/$tool" && chmod +x "$shim/$tool" || bail "cannot write $shim/$tool"
done
app=$work/app
mkdir -p "$app/bin" && printf '#!/bin/sh\necho one\n' >"$app/bin/app" && chmod 0755 "$app/bin/app" ||
	bail "cannot create $app"
build_ok "first make" APP="$app" CMD=/bin/app ENV=

printf '#!/bin/sh\necho two\n' >"$app/bin/app"
: >"$log"
PATH=$shim:$PATH build_ok "make after one file of the app changed" APP="$app" CMD=/bin/app ENV=
grep -q '^ *EIF ' "$work/make.out"
ok $? "and it built the EIF again" || sed 's/^/#   /' "$work/make.out" | tail -n 10

n=$(grep -c '^id ' "$log")
[ "$n" -le 1 ]
ok $? "id ran at most once (while make read the makefiles), not once per recipe" || diag "id ran $n times"
! grep -q '^dirname ' "$log"
ok $? "no dirname ran (tests/qemu/build, scripts/user-ramdisk and scripts/provenance)" ||
	grep '^dirname ' "$log" | sed 's/^/#   /'
outputs_are_fresh "after the change" "$app" /bin/app ""
done_testing
