#!/bin/sh
# A whiteout that names no entry inside the tree ('.wh..', '.wh.', at the root too) is refused.
. "$TOP/tests/oci/common.sh"
plan 6
printf 'd a 0755 0 0\nf a/.wh.. 0644 0 0\n' | mklayer up.tar && mklayout up up.tar || bail "cannot make the image"
refused "whiteout of '..'" "whiteout 'a/.wh..' (tar byte 512) names no entry inside the tree" --oci up
printf 'f .wh.. 0644 0 0\n' | mklayer root.tar && mklayout root root.tar || bail "cannot make the image"
refused "whiteout of the root's parent" "whiteout '.wh..' (tar byte 0) names no entry inside the tree" --oci root
printf 'f .wh. 0644 0 0\n' | mklayer empty.tar && mklayout empty empty.tar || bail "cannot make the image"
refused "whiteout of an empty name" "whiteout '.wh.' (tar byte 0) names no entry" --oci empty
