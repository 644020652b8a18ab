# Helpers for the eif-diff-*.t tests: . "$TOP/tests/lib/diff.sh" (after tap.sh)

# changes REPORT: the change lines of an `eif diff` text report (not the header and section
# tables, the header fields, the PCR lines or the verdict).
changes() { grep -v -e '^section ' -e '^header[ :]' -e '^PCR' -e '^identical$' -e '^different$' "$1"; }
# different_sections REPORT: "KIND: PCRs moved" for each section that differs.
different_sections() { sed -n 's/^section \([^:]*\): different.*; moves \(.*\)$/\1: \2/p' "$1"; }
# moved_pcrs REPORT: the recomputed PCRs that differ, as "PCR0 PCR2 ".
moved_pcrs() { sed -n 's/^\(PCR[0-9]\): different.*/\1/p' "$1" | tr '\n' ' '; }
# first_diff A B: offset of the first byte where two files differ (cmp counts from 1).
first_diff() { cmp "$1" "$2" | awk '{ sub(/,$/, "", $5); print $5 - 1 }'; }
# le32_at FILE OFFSET: the little-endian u32 at a decimal OFFSET.
le32_at() {
	perl -e 'open my $f, "<:raw", $ARGV[0] or die; seek $f, $ARGV[1], 0; read $f, my $b, 4;
		print unpack("V", $b), "\n"' "$1" "$2"
}
# kernel_size_changes A B: the setup header lines eif diff prints when two bzImages differ in
# syssize (0x1f4) or payload_length (0x24c), the sizes a recompressed payload changes.
kernel_size_changes() {
	for f in syssize:500 payload_length:588; do
		va=$(le32_at "$1" "${f#*:}") vb=$(le32_at "$2" "${f#*:}")
		[ "$va" = "$vb" ] || printf 'kernel setup.%s: value 0x%x -> 0x%x; moves PCR0 PCR1\n' "${f%:*}" "$va" "$vb"
	done
}
