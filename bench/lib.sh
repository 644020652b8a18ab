# Shared by bench/*.sh: . "$(dirname "$0")/lib.sh" after setting measure, dir and results.
# run NAME COMMAND...: run COMMAND under bench/measure and append "NAME WALL USER SYS RSS" to
# $results.
run() {
	name=$1
	shift
	"$measure" "$@" >/dev/null 2>"$dir/measure.out" ||
		{ echo "bench: '$*' failed: $(cat "$dir/measure.out")" >&2; exit 1; }
	echo "$name $(tail -1 "$dir/measure.out")" >>"$results"
}
