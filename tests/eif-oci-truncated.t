#!/bin/sh
# Truncated and over-long members: a layer cut inside a member's data, a layer cut right after
# a member (no end-of-archive blocks), a gzip stream cut short, a member declaring 5 GiB, a name
# longer than the kernel's 4095 bytes, a pax header larger than 1 MiB.
. "$TOP/tests/oci/common.sh"
plan 12
python3 -c 'import sys; sys.stdout.write("f big 0644 0 0 " + "x" * 3000 + "\n")' | mklayer full.tar || bail "cannot make the layer"
head -c 2048 full.tar >cut.tar && mklayout cut cut.tar || bail "cannot make the image"
refused "cut inside data" "layer 1: the tar stream ends inside a member at byte 2048" --oci cut
head -c 3584 full.tar >noend.tar && mklayout noend noend.tar || bail "cannot make the image"
refused "no end-of-archive blocks" "ends at byte 3584 without its end-of-archive blocks" --oci noend
gzip -nc full.tar | head -c 100 >cut.tar.gz && mklayout cutgz cut.tar.gz || bail "cannot make the image"
refused "gzip cut short" "the gzip stream ends early" --oci cutgz
python3 - <<'PY' || bail "cannot make the 5 GiB header"
import tarfile
i = tarfile.TarInfo("huge"); i.size = 5 << 30
open("huge.tar", "wb").write(i.tobuf(tarfile.GNU_FORMAT) + b"\0" * 1024)
PY
mklayout huge huge.tar || bail "cannot make the image"
refused "member of 5 GiB" "member 'huge' (tar byte 0) declares 5368709120 bytes" --oci huge
python3 -c 'print("f " + "d/" * 2100 + "f 0644 0 0 x")' | mklayer long.tar && mklayout long long.tar || bail "cannot make the image"
refused "name of 4201 bytes" "member name of 4201 bytes (tar byte 0) is longer than the 4095" --oci long
python3 - <<'PY' || bail "cannot make the pax header"
import tarfile, io
i = tarfile.TarInfo("f"); i.pax_headers = {"comment": "x" * (2 << 20)}
with tarfile.open("pax.tar", "w", format=tarfile.PAX_FORMAT) as t: t.addfile(i, io.BytesIO(b""))
PY
mklayout pax pax.tar || bail "cannot make the image"
refused "pax header of 2 MiB" "extended header at byte 0 holds 2097" --oci pax
