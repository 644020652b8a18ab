# Helpers for tests/eif-attest-*.t. Source after tests/lib/tap.sh; needs $TOP, $O and $EIF.
# Brings tests/sign/common.sh ($work, flip_byte, file_size, make_pair).
. "$TOP/tests/sign/common.sh"
helper=$O/tests/attest/attest-helper
command -v jq >/dev/null || bail "jq missing; install the check packages (scripts/ensure-packages check)"

# attest_is DESC EXIT CHECK RESULT [ARGS...]: eif attest ARGS exits EXIT, and its JSON verdict
# says checks.CHECK.result == RESULT (pass, fail, skipped); the verdict's failure class and
# the check's reason are shown when either differs.
attest_is() {
	desc=$1 want=$2 check=$3 result=$4
	shift 4
	"$EIF" attest "$@" >"$work/verdict.json" 2>"$work/stderr"
	rc=$?
	got=$(jq -r --arg c "$check" '.checks[$c].result // "absent"' "$work/verdict.json" 2>&1)
	if [ "$rc" = "$want" ] && [ "$got" = "$result" ]; then
		ok 0 "$desc: exit $want, $check $result"
		return 0
	fi
	ok 1 "$desc: exit $want, $check $result"
	diag "exit $rc, $check: $got; stderr: $(cat "$work/stderr")"
	diag "$(jq -c '{failure, checks: (.checks | map_values(.reason))}' "$work/verdict.json" 2>&1 | cut -c1-600)"
	return 1
}

# reason_has TEXT DESC: the failing checks' reasons in the last verdict mention TEXT
reason_has() {
	jq -r '.checks[] | select(.result == "fail") | .reason' "$work/verdict.json" | grep -q -- "$1"
	ok $? "$2" || diag "reasons: $(jq -r '.checks[] | .reason' "$work/verdict.json")"
}

# offset_of FILE TEXT: byte offset of the first TEXT in FILE (perl index), -1 if absent
offset_of() {
	perl -e 'local $/; open my $f, "<:raw", $ARGV[0] or die; my $d = <$f>; print index($d, $ARGV[1]), "\n"' "$1" "$2"
}

# offset_in FILE NEEDLE_FILE: byte offset of NEEDLE_FILE's bytes in FILE, -1 if absent
offset_in() {
	perl -e 'local $/; open my $f, "<:raw", $ARGV[0] or die; my $d = <$f>;
		open my $n, "<:raw", $ARGV[1] or die; my $x = <$n>; print index($d, $x), "\n"' "$1" "$2"
}

# issue NAME ISSUER PROFILE [START END]: $work/NAME.key (P-384) and $work/NAME.pem signed by
# ISSUER's key ("self": self-signed), with PROFILE ca (CA:TRUE, keyCertSign, key identifiers)
# or leaf (CA:FALSE, digitalSignature, no Authority Key Identifier, as AWS's leafs), valid
# from START to END (YYYYMMDDHHMMSSZ; default now to 30 days).
issue() {
	d=$work/ca
	mkdir -p "$d" && touch "$d/index.txt" && { [ -f "$d/serial" ] || echo 1000 >"$d/serial"; }
	cat >"$d/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $d/index.txt
new_certs_dir = $d
serial = $d/serial
default_md = sha384
default_days = 30
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = digitalSignature, nonRepudiation
CNF
	if [ "$2" = self ]; then sign="-selfsign -keyfile $work/$1.key"
	else sign="-cert $work/$2.pem -keyfile $work/$2.key"; fi
	dates=""
	[ -n "${4:-}" ] && dates="-startdate $4 -enddate $5"
	# shellcheck disable=SC2086 # $sign and $dates are option lists
	{ openssl ecparam -name secp384r1 -genkey -noout -out "$work/$1.key" &&
	  openssl req -new -key "$work/$1.key" -subj "/CN=attest-test-$1" -out "$d/$1.csr" &&
	  openssl ca -batch -config "$d/ca.cnf" $sign -in "$d/$1.csr" -extensions "$3_ext" \
		$dates -notext -out "$work/$1.pem"; } >"$work/openssl.log" 2>&1 ||
		bail "openssl ca for '$1' failed: $(cat "$work/openssl.log")"
}
