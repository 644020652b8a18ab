#!/bin/sh
# A layer that is not a tar archive is refused: text, random bytes, gzip of text, zstd of text,
# and a layer shorter than one tar header.
. "$TOP/tests/oci/common.sh"
plan 10
python3 -c 'print("just some text, not a tar archive\n" * 60)' >text
head -c 4096 /dev/urandom >random
gzip -nc text >text.gz && zstd -q -c text >text.zst || bail "cannot compress"
for layer in text random text.gz text.zst; do
	mklayout "img-$layer" "$layer" || bail "cannot make the image"
	refused "layer '$layer'" "layer 1: the block at byte 0 is not a tar header (bad checksum)" --oci "img-$layer"
done
printf 'short\n' >short && mklayout img-short short || bail "cannot make the image"
refused "layer of 6 bytes" "layer 1: the stream ends 6 bytes into the block at byte 0, which is therefore not a tar header" --oci img-short
