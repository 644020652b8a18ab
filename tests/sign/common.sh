# Helpers for tests/eif-sign-*.t: byte-level EIF edits (perl, no xxd needed) and throwaway keys.
# Source after tests/lib/tap.sh; needs $TOP and $EIF. Sets up the scratch directory $work.

[ -x "$EIF" ] || bail "$EIF missing; run make check"
. "$TOP/tests/lib/json.sh"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT

# hex_to_file HEXFILE OUT: whitespace-separated hex dump back to bytes
hex_to_file() {
	perl -0777 -ne 's/\s+//g; print pack("H*", $_)' "$1" >"$2"
}

# be_at FILE OFFSET BYTES: big-endian unsigned integer (BYTES = 2, 4 or 8) at OFFSET
be_at() {
	perl -e 'open my $f, "<:raw", $ARGV[0] or die; seek $f, $ARGV[1], 0; read $f, my $b, $ARGV[2];
		my $v = 0; $v = $v * 256 + $_ for unpack "C*", $b; print "$v\n"' "$1" "$2" "$3"
}

# flip_byte FILE OFFSET: XOR the byte at OFFSET with 0x01, in place
flip_byte() {
	perl -e 'open my $f, "+<:raw", $ARGV[0] or die; seek $f, $ARGV[1], 0; read $f, my $b, 1;
		seek $f, $ARGV[1], 0; print $f chr(ord($b) ^ 1)' "$1" "$2"
}

# crc_of FILE: CRC-32 of file[0:544] || file[548:], as the EIF header stores it
crc_of() {
	perl -MCompress::Zlib -e 'open my $f, "<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
		print crc32(substr($d, 0, 544) . substr($d, 548)), "\n"' "$1"
}

# fix_crc FILE: store the correct CRC, so a later check sees past it
fix_crc() {
	perl -MCompress::Zlib -e 'open my $f, "+<:raw", $ARGV[0] or die; local $/; my $d = <$f>;
		seek $f, 544, 0; print $f pack("N", crc32(substr($d, 0, 544) . substr($d, 548)))' "$1"
}

# file_size FILE
file_size() {
	wc -c <"$1" | tr -d ' '
}

# make_pair NAME [DAYS]: $work/NAME.pem (self-signed, P-384) and $work/NAME.key
make_pair() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:secp384r1 -nodes -days "${2:-2}" \
		-subj "/CN=$1/O=enclave-kit test" -keyout "$work/$1.key" -out "$work/$1.pem" \
		2>"$work/openssl.log" || bail "openssl req for '$1' failed: $(cat "$work/openssl.log")"
}

# make_dated_pair NAME START END: like make_pair with fixed dates (YYYYMMDDHHMMSSZ), via `openssl ca`
make_dated_pair() {
	d=$work/ca-$1
	mkdir -p "$d" && : >"$d/index.txt" && echo 01 >"$d/serial"
	printf '[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = %s/index.txt\nnew_certs_dir = %s\n'`
		`'serial = %s/serial\ndefault_md = sha384\npolicy = any_name\n[any_name]\ncommonName = supplied\n' \
		"$d" "$d" "$d" >"$d/ca.cnf"
	{ openssl ecparam -name secp384r1 -genkey -noout -out "$work/$1.key" &&
	  openssl req -new -key "$work/$1.key" -subj "/CN=$1" -out "$d/csr.pem" &&
	  openssl ca -batch -config "$d/ca.cnf" -selfsign -keyfile "$work/$1.key" -in "$d/csr.pem" \
		-startdate "$2" -enddate "$3" -notext -out "$work/$1.pem"; } >"$work/openssl.log" 2>&1 ||
		bail "openssl ca for '$1' failed: $(cat "$work/openssl.log")"
}

# tv1_eif OUT: the 884-byte unsigned tv1 of TV-7 (docs/eif-format.md#test-vectors)
tv1_eif() {
	hex_to_file "$TOP/tests/data/tv14/tv1.hex" "$1"
}

# signed_tv1: $work/signer.pem and .key, $work/tv1.eif (unsigned) and $work/signed.eif (tv1
# signed with that pair)
signed_tv1() {
	make_pair signer
	tv1_eif "$work/tv1.eif"
	"$EIF" sign "$work/tv1.eif" --signing-certificate "$work/signer.pem" \
		--private-key "$work/signer.key" --output "$work/signed.eif" >/dev/null ||
		bail "eif sign of tv1 failed"
}
