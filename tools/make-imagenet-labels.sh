#!/usr/bin/env bash
# Builds src/main/resources/io/edgecl/labels/imagenet1k.txt from the WordNet tables in ../shared/data.
# Line i (0-based) is class index i of the ImageNet-1k training order (imagenet_synsets.txt);
# column 1 is the synset's first lemma (the short name shown to users), column 2 all its lemmas.
# Two first lemmas occur twice ("crane", "maillot"), as in every ImageNet label list.
# Usage: tools/make-imagenet-labels.sh [DATA_DIR]   (default ../shared/data beside the repository)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:-$root/../shared/data}"
out="$root/src/main/resources/io/edgecl/labels/imagenet1k.txt"
synsets="$data/imagenet_synsets.txt"
lemmas="$data/imagenet_synset_to_lemma.txt"
for f in "$synsets" "$lemmas"; do
  [ -f "$f" ] || { echo "make-imagenet-labels: $f not found" >&2; exit 2; }
done
mkdir -p "$(dirname "$out")"
LC_ALL=C awk -F'\t' '
  NR == FNR { sub(/\r$/, ""); lemma[$1] = $2; next }
  {
    sub(/\r$/, "")
    if ($1 == "") next
    if (!($1 in lemma)) { printf "make-imagenet-labels: synset %s (line %d) has no lemma\n", $1, FNR > "/dev/stderr"; bad = 1; exit 2 }
    n = split(lemma[$1], parts, ", ")
    printf "%s\t%s\n", parts[1], lemma[$1]
    count++
  }
  END { if (!bad && count != 1000) { printf "make-imagenet-labels: expected 1000 synsets, found %d\n", count > "/dev/stderr"; exit 2 } }
' "$lemmas" "$synsets" > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(wc -l < "$out") lines)"
