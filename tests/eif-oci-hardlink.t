#!/bin/sh
# A hard link to a name not present yet is refused (a link to a later member, to a name a
# lower layer whited out, to nothing); a link to a file of a lower layer is accepted.
. "$TOP/tests/oci/common.sh"
plan 5
printf 'h link later\nf later 0644 0 0 x\n' | mklayer fwd.tar && mklayout fwd fwd.tar || bail "cannot make the image"
refused "link to a later member" "hard link 'link' (tar byte 0) points to 'later', which is not present yet" --oci fwd
printf 'f a 0644 0 0 x\n' | mklayer l1.tar && printf 'f .wh.a 0644 0 0\n' | mklayer l2.tar &&
	printf 'h b a\n' | mklayer l3.tar && mklayout gone l1.tar l2.tar l3.tar || bail "cannot make the image"
refused "link to a whited-out file" "points to 'a', which is not present yet" --oci gone
mklayout lower l1.tar l3.tar || bail "cannot make the image"
"$EIF" cpio --oci lower -o ok.cpio 2>err.txt
ok $? "a link to a file of a lower layer is accepted" || diag "$(cat err.txt)"
