# Helpers for the eif-*.t tests: . "$TOP/tests/lib/eif.sh" (after tap.sh)
: "${O:?run through tests/run or make check}"
: "${TOP:?run through tests/run or make check}"
: "${EIF:=$O/bin/eif}"
. "$TOP/tests/lib/json.sh"
[ -x "$EIF" ] || bail "$EIF missing; run make eif"
work=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$work"' EXIT
unset SOURCE_DATE_EPOCH

# The tv1 inputs of TV-7 (docs/eif-format.md#test-vectors): kernel file 'bzImage', two ramdisks.
make_tv1_inputs() {
	printf kernel >"$work/bzImage"
	printf ramdisk0 >"$work/ramdisk0"
	printf ramdisk1 >"$work/ramdisk1"
}

# build_tv1 OUTPUT [extra flags...]: TV-7's exact eif_build command line for tv1.
build_tv1() {
	out=$1
	shift
	"$EIF" build --kernel "$work/bzImage" --cmdline console=ttyS0 \
		--ramdisk "$work/ramdisk0" --ramdisk "$work/ramdisk1" --output "$out" \
		--build-time 1970-01-01T00:00:00+00:00 --build-tool eif_build \
		--build-tool-version 0.3.1 --img-os OS --img-kernel kernel "$@"
}

# hex_of FILE: lowercase hex, no spaces or newlines.
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# extend_hex HEXDIGEST: SHA-384(48 zero bytes || digest), computed with openssl (an oracle
# independent of libeif).
extend_hex() {
	{ head -c 48 /dev/zero; unhex "$1"; } | openssl dgst -sha384 -r | cut -d' ' -f1
}
# sha384_hex FILE...: SHA-384 of the concatenation.
sha384_hex() { cat "$@" | openssl dgst -sha384 -r | cut -d' ' -f1; }

# unhex HEX: the bytes (perl is in the check package group).
unhex() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }
# be64_at FILE OFFSET: the big-endian u64 at OFFSET, in decimal.
be64_at() { printf '%d' "0x$(dd if="$1" bs=1 skip="$2" count=8 2>/dev/null | od -An -tx1 | tr -d ' \n')"; }
# section_data FILE INDEX: the data of section INDEX, located through the header table.
section_data() {
	sd_off=$(be64_at "$1" $((28 + 8 * $2)))
	sd_size=$(be64_at "$1" $((284 + 8 * $2)))
	tail -c +$((sd_off + 13)) "$1" | head -c "$sd_size"
}
