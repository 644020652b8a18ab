#!/bin/sh
# A blob whose bytes do not match its descriptor's digest is refused, and nothing is written:
# in an OCI layout a layer or the config changed in place (same size); in a docker-archive a
# layer whose bytes do not match the config's diff_id, or a config not matching its name.
. "$TOP/tests/oci/common.sh"
. "$TOP/tests/lib/json.sh"
plan 9
printf 'f hello 0644 0 0 original\n' | mklayer l1.tar || bail "cannot make the layer"
mklayout img l1.tar || bail "cannot make the layout"
# manifest_field DIR JQ: a value of the first manifest of the layout DIR.
manifest_field() { jq -r "$2" "$1/blobs/sha256/$(jq -r '.manifests[0].digest[7:]' "$1/index.json")"; }
blob=$(manifest_field img '.layers[0].digest[7:]')
cp -r img bad && sed -i 's/original/0riginal/' "bad/blobs/sha256/$blob"
refused "layer changed in place" "layer 1: blob has digest sha256:" --oci bad
cp -r img badcfg
cfg=$(manifest_field img '.config.digest[7:]')
sed -i 's/true/tru3/' "badcfg/blobs/sha256/$cfg"
refused "config changed in place" "config has digest sha256:" --oci badcfg
# A docker-archive (checked by diff_id) whose layer differs from the config's diff_id, and one
# whose config differs from the digest its name carries.
printf 'f hello 0644 0 0 other\n' | mklayer l2.tar || bail "cannot make the layer"
python3 - l1.tar l2.tar <<'PY' || bail "cannot make the docker-archives"
import hashlib, io, json, sys, tarfile
l1, l2 = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
def archive(path, layer, diff_of, config_edit=lambda c: c):
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/true"]},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(diff_of).hexdigest()]}}).encode()
    name = hashlib.sha256(config).hexdigest() + ".json"
    members = {"manifest.json": json.dumps([{"Config": name, "RepoTags": ["t:1"], "Layers": ["l/layer.tar"]}]).encode(),
               name: config_edit(config), "l/layer.tar": layer}
    with tarfile.open(path, "w") as t:
        for n, data in members.items():
            i = tarfile.TarInfo(n); i.size = len(data); t.addfile(i, io.BytesIO(data))
archive("good.tar", l1, l1)
archive("diff.tar", l2, l1)
archive("cfg.tar", l1, l1, lambda c: c.replace(b"true", b"tru3"))
PY
"$EIF" cpio --docker-archive good.tar -o good.cpio 2>err.txt
ok $? "the unchanged docker-archive is accepted" || diag "$(cat err.txt)"
refused "docker-archive layer differs from diff_id" "layer 1: the uncompressed layer has digest sha256:" --docker-archive diff.tar
refused "docker-archive config differs from its name" "config has digest sha256:" --docker-archive cfg.tar
