#!/bin/sh
# A blob whose bytes do not match its descriptor's digest is refused, and nothing is written:
# a layer changed in place (same size), a config changed in place, and a layer whose
# uncompressed bytes do not match the config's diff_id.
. "$TOP/tests/oci/common.sh"
plan 6
printf 'f hello 0644 0 0 original\n' | mklayer l1.tar || bail "cannot make the layer"
mklayout img l1.tar || bail "cannot make the layout"
blob=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["layers"][0]["digest"][7:])' img)
cp -r img bad && sed -i 's/original/0riginal/' "bad/blobs/sha256/$blob"
refused "layer changed in place" "layer 1: blob has digest sha256:" --oci bad
cp -r img badcfg
cfg=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"][7:]; print(json.load(open(sys.argv[1]+"/blobs/sha256/"+m))["config"]["digest"][7:])' img)
sed -i 's/true/tru3/' "badcfg/blobs/sha256/$cfg"
refused "config changed in place" "config has digest sha256:" --oci badcfg
# A gzip layer whose descriptor digest is right but whose content differs from the diff_id.
printf 'f hello 0644 0 0 other\n' | mklayer l2.tar && gzip -n l2.tar || bail "cannot make the layer"
mklayout diff l1.tar || bail "cannot make the layout"
python3 - diff l2.tar.gz <<'PY' || bail "cannot swap the layer"
import hashlib, json, os, sys
d, new = sys.argv[1], open(sys.argv[2], "rb").read()
idx = json.load(open(d + "/index.json")); mdig = idx["manifests"][0]["digest"][7:]
m = json.load(open(d + "/blobs/sha256/" + mdig))
h = hashlib.sha256(new).hexdigest(); open(d + "/blobs/sha256/" + h, "wb").write(new)
m["layers"][0].update(digest="sha256:" + h, size=len(new))
mb = json.dumps(m).encode(); mh = hashlib.sha256(mb).hexdigest(); open(d + "/blobs/sha256/" + mh, "wb").write(mb)
idx["manifests"][0].update(digest="sha256:" + mh, size=len(mb)); json.dump(idx, open(d + "/index.json", "w"))
PY
refused "uncompressed layer differs from diff_id" "but the config's diff_id says" --oci diff
