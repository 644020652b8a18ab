#!/bin/sh
# Choosing the image: by tag in index.json, the only manifest without a tag, and in a
# multi-platform image index the linux manifest for --arch; otherwise errors that list the
# tags or the platforms the layout offers.
. "$TOP/tests/oci/common.sh"
plan 11
printf 'f which 0644 0 0 amd64\n' | mklayer amd.tar && printf 'f which 0644 0 0 arm64\n' | mklayer arm.tar &&
	mklayout a --tag one --arch amd64 amd.tar && mklayout b --tag two --arch arm64 arm.tar || bail "cannot make the images"
python3 - <<'PY' || bail "cannot make the layouts"
import hashlib, json, os, shutil
def desc(d):
    return json.load(open(d + "/index.json"))["manifests"][0]
def merge(out, parts):
    os.makedirs(out + "/blobs/sha256", exist_ok=True)
    for p in parts:
        for f in os.listdir(p + "/blobs/sha256"):
            shutil.copy(p + "/blobs/sha256/" + f, out + "/blobs/sha256/" + f)
    open(out + "/oci-layout", "w").write('{"imageLayoutVersion": "1.0.0"}')
def put(out, data):
    h = hashlib.sha256(data).hexdigest(); open(out + "/blobs/sha256/" + h, "wb").write(data)
    return {"digest": "sha256:" + h, "size": len(data)}
# Two tags side by side.
merge("tags", ["a", "b"])
json.dump({"schemaVersion": 2, "manifests": [desc("a"), desc("b")]}, open("tags/index.json", "w"))
# A multi-platform index under one tag, and one without the enclave's platform.
for name, plats in (("multi", [("b", "arm64"), ("a", "amd64")]), ("noamd", [("b", "arm64"), ("b", "s390x")])):
    merge(name, ["a", "b"])
    ms = []
    for src, arch in plats:
        d = dict(desc(src)); d.pop("annotations"); d["platform"] = {"architecture": arch, "os": "linux"}; ms.append(d)
    idx = put(name, json.dumps({"schemaVersion": 2, "manifests": ms}).encode())
    json.dump({"schemaVersion": 2, "manifests": [dict(mediaType="application/vnd.oci.image.index.v1+json",
               annotations={"org.opencontainers.image.ref.name": "latest"}, **idx)]}, open(name + "/index.json", "w"))
PY
which() { rm -rf x && mkdir x && (cd x && cpio -id --quiet <../"$1" && cat which); }
"$EIF" cpio --oci tags:two --arch aarch64 -o t.cpio 2>err.txt
is "$(which t.cpio)" arm64 "a tag picks its manifest" || diag "$(cat err.txt)"
refused "no tag among two" "index.json lists 2 manifests (tags: one, two); name one as oci:PATH:TAG" --oci tags
refused "an unknown tag" "no manifest is tagged 'three' (tags: one, two); give one of them" --oci tags:three
"$EIF" cpio --oci multi -o m.cpio 2>err.txt
is "$(which m.cpio)" amd64 "a multi-platform index gives the x86_64 enclave the linux/amd64 image" || diag "$(cat err.txt)"
"$EIF" cpio --oci multi:latest --arch aarch64 -o m2.cpio 2>err.txt
is "$(which m2.cpio)" arm64 "and --arch aarch64 the linux/arm64 one" || diag "$(cat err.txt)"
refused "no amd64 in the index" "the image index has no linux/amd64 manifest (it offers linux/arm64, linux/s390x)" --oci noamd
refused "an arm64 image for an x86_64 enclave" "the image is built for arm64, the enclave is amd64" --oci tags:two
