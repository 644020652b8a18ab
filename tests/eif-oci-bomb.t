#!/bin/sh
# A decompression bomb is refused: past the first 64 MiB a layer may expand at most 256 times
# its compressed size (eif/include/eif/oci.h: OCI_BOMB_RATIO, OCI_BOMB_FREE). 200 MiB of zeros compress
# about 1000:1 with gzip and far more with zstd; a 100 MiB file of random bytes passes.
. "$TOP/tests/oci/common.sh"
plan 5
python3 - <<'PY' || bail "cannot make the bomb"
import tarfile
i = tarfile.TarInfo("zeros"); i.size = 200 << 20
with open("bomb.tar", "wb") as f:
    f.write(i.tobuf(tarfile.PAX_FORMAT))
    z = b"\0" * (1 << 20)
    for _ in range(200): f.write(z)
    f.write(b"\0" * 1024)
PY
gzip -9 -nc bomb.tar >bomb.tar.gz && zstd -q -19 -c bomb.tar >bomb.tar.zst && rm bomb.tar || bail "cannot compress"
mklayout gz bomb.tar.gz && mklayout zst bomb.tar.zst || bail "cannot make the images"
refused "gzip bomb" "over the 256:1 ratio accepted past 64 MiB; this looks like a decompression bomb" --oci gz
refused "zstd bomb" "over the 256:1 ratio accepted past 64 MiB; this looks like a decompression bomb" --oci zst
python3 -c '
import tarfile, os
i = tarfile.TarInfo("random"); i.size = 100 << 20
with open("rand.tar", "wb") as f:
    f.write(i.tobuf(tarfile.PAX_FORMAT)); f.write(os.urandom(100 << 20)); f.write(b"\0" * 1024)
' && gzip -1 -nc rand.tar >rand.tar.gz && rm rand.tar && mklayout rand rand.tar.gz || bail "cannot make the image"
"$EIF" cpio --oci rand -o rand.cpio 2>err.txt
ok $? "100 MiB of incompressible data passes" || diag "$(cat err.txt)"
