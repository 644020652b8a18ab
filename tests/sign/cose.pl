#!/usr/bin/perl
# An oracle for tests/eif-sign-*.t, written from the spec (docs/eif-format.md#the-cose_sign1-structure, RFC 8152)
# without libeif, so that openssl can check what eif signs:
#   cose.pl sig-structure PCR0HEX   the ES384 Sig_structure for PCR0 (stdout)
#   cose.pl cose-prefix PCR0HEX     the COSE_Sign1 bytes before r || s
#   cose.pl cose EIF                the COSE_Sign1 of the EIF's signature section
#   cose.pl der2raw < DER           DER ECDSA-Sig-Value -> 96-byte r || s
#   cose.pl raw2der < RAW           96-byte r || s -> DER ECDSA-Sig-Value
use strict;
use warnings;

binmode STDOUT;
binmode STDIN;
my ($command, $arg) = @ARGV;

# CBOR head (major type, length) in its shortest form
sub head {
	my ($major, $n) = @_;
	return chr($major << 5 | $n) if $n < 24;
	return chr($major << 5 | 24) . chr($n) if $n < 256;
	return chr($major << 5 | 25) . pack("n", $n);
}
sub bstr { head(2, length $_[0]) . $_[0] }
sub tstr { head(3, length $_[0]) . $_[0] }

# PcrInfo as serde_cbor writes it: the register value is an array of uints
sub payload {
	my $pcr = pack("H*", $_[0]);
	length $pcr == 48 or die "PCR0 must be 96 hex digits\n";
	return head(5, 2) . tstr("register_index") . head(0, 0) . tstr("register_value") .
		head(4, 48) . join("", map { head(0, $_) } unpack("C*", $pcr));
}
my $protected = head(5, 1) . head(0, 1) . head(1, 34);	# {1: -35} (ES384)

sub der_int {
	my $v = $_[0];
	$v =~ s/^\x00+//;
	$v = "\x00$v" if $v eq "" || ord($v) >= 0x80;
	return "\x02" . chr(length $v) . $v;
}

if ($command eq "sig-structure") {
	print head(4, 4) . tstr("Signature1") . bstr($protected) . bstr("") . bstr(payload($arg));
} elsif ($command eq "cose-prefix") {
	print head(4, 4) . bstr($protected) . head(5, 0) . bstr(payload($arg)) . head(2, 96);
} elsif ($command eq "cose") {
	open my $f, "<:raw", $arg or die "$arg: $!\n";
	local $/;
	my $eif = <$f>;
	my $count = unpack("n", substr($eif, 26, 2));
	my ($section, $pos);
	for my $i (0 .. $count - 1) {
		my $offset = unpack("Q>", substr($eif, 28 + 8 * $i, 8));
		my $size = unpack("Q>", substr($eif, 284 + 8 * $i, 8));
		$section = substr($eif, $offset + 12, $size)
			if unpack("n", substr($eif, $offset, 2)) == 4;	# EifSectionSignature
	}
	defined $section or die "$arg: no signature section\n";
	my $read = sub {	# the next head: (major type, value)
		my $b = ord(substr($section, $pos++, 1));
		my ($major, $ai) = ($b >> 5, $b & 31);
		return ($major, $ai) if $ai < 24;
		my $n = { 24 => 1, 25 => 2, 26 => 4 }->{$ai} or die "unexpected CBOR\n";
		my $v = 0;
		$v = $v * 256 + ord(substr($section, $pos++, 1)) for 1 .. $n;
		return ($major, $v);
	};
	$pos = 0;
	my @h = $read->();
	$h[0] == 4 && $h[1] == 1 or die "not [PcrSignature]\n";
	@h = $read->();
	$h[0] == 5 or die "not a map\n";
	my %fields;
	for (1 .. $h[1]) {
		my ($major, $len) = $read->();
		my $key = substr($section, $pos, $len);
		$pos += $len;
		my (undef, $n) = $read->();
		$fields{$key} = join("", map { chr(($read->())[1]) } 1 .. $n);
	}
	print $fields{signature};
} elsif ($command eq "der2raw") {
	local $/;
	my $der = <STDIN>;
	my ($rlen) = unpack("x3 C", $der);
	my $r = substr($der, 4, $rlen);
	my $s = substr($der, 6 + $rlen, unpack("C", substr($der, 5 + $rlen, 1)));
	s/^\x00+// for $r, $s;
	print "\x00" x (48 - length $r), $r, "\x00" x (48 - length $s), $s;
} elsif ($command eq "raw2der") {
	local $/;
	my $raw = <STDIN>;
	my $body = der_int(substr($raw, 0, 48)) . der_int(substr($raw, 48, 48));
	print "\x30" . chr(length $body) . $body;
} else {
	die "usage: cose.pl sig-structure|cose-prefix PCR0HEX | cose EIF | der2raw | raw2der\n";
}
