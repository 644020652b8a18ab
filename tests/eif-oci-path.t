#!/bin/sh
# Member names that could leave the image root are refused: a '..' component, an absolute
# path, and a hard link whose target has a '..' component.
. "$TOP/tests/oci/common.sh"
plan 6
printf 'd etc 0755 0 0\nf etc/../../evil 0644 0 0 x\n' | mklayer dotdot.tar && mklayout dotdot dotdot.tar ||
	bail "cannot make the image"
refused "member with '..'" "'etc/../../evil' (tar byte 512) has a '..' component" --oci dotdot
printf 'f /etc/evil 0644 0 0 x\n' | mklayer abs.tar && mklayout abs abs.tar || bail "cannot make the image"
refused "absolute member" "'/etc/evil' (tar byte 0) is an absolute path" --oci abs
printf 'f a 0644 0 0 x\nh b ../a\n' | mklayer hl.tar && mklayout hl hl.tar || bail "cannot make the image"
refused "hard link target with '..'" "hard link target '../a'" --oci hl
