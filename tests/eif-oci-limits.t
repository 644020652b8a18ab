#!/bin/sh
# Size limits of the image's metadata and layer count (eif/include/eif/oci.h): more than 128
# layers, a config or a manifest larger than 4 MiB, an index.json larger than 4 MiB.
. "$TOP/tests/oci/common.sh"
plan 8
printf 'f a 0644 0 0 x\n' | mklayer l.tar || bail "cannot make the layer"
mklayout many --repeat 129 l.tar || bail "cannot make the image"
refused "129 layers" "129 layers, more than the 128 accepted" --oci many
mklayout cfg --config-pad 5000000 l.tar || bail "cannot make the image"
refused "5 MB config" "config has 500" --oci cfg
mklayout man --manifest-pad 5000000 l.tar || bail "cannot make the image"
refused "5 MB manifest" "manifest has 500" --oci man
mklayout idx l.tar && python3 -c '
import json; d = json.load(open("idx/index.json")); d["annotations"] = {"p": "x" * 5000000}
json.dump(d, open("idx/index.json", "w"))' || bail "cannot make the image"
refused "5 MB index.json" "index.json has 500" --oci idx
