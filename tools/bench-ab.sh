#!/usr/bin/env bash
# Two builds of EdgeCL on the same models, alternated round by round (A B B A …), each in a process
# of its own with warm caches of its own: the median wall and device time per forward of every
# run, and per model the median over the rounds of B/A, each round's two runs being adjacent in
# time. For "did this change make any model slower?", with the noise of a shared machine shown by
# the spread of the rounds. A change that is an option of one build (a fusion rule, a kernel
# choice, the binding, the precision) is measured more finely by `edgecl bench --ab`, which
# alternates forward by forward in one process.
#
# Usage: tools/bench-ab.sh A.jar B.jar [--models M1,M2,...] [--rounds N] [--iters N] [--batch B]
#   default models: the six benchmark models; 3 rounds of `bench --iters 30` each, batch 1
# Before the rounds each jar runs every model once untimed (its caches warm up, its compiles done).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
a="$1" b="$2"; shift 2
models="edgenext_xx_small,edgevit_xxs,mobilevit_xxs,mobilenetv3_large_100,efficientnet_b0,convnext_atto"
rounds=3 iters=30 batch=1
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --iters) iters="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    *) echo "bench-ab: unknown option '$1'" >&2; exit 2 ;;
  esac
done
for j in "$a" "$b"; do [ -f "$j" ] || { echo "bench-ab: no such jar: $j" >&2; exit 2; }; done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { # run LABEL JAR MODEL ITERS: prints "wall_median device_median"
  local label="$1" jar="$2" m="$3" n="$4"
  EDGECL_CACHE_DIR="$work/$label/edgecl" XDG_CACHE_HOME="$work/$label/xdg" POCL_CACHE_DIR="$work/$label/pocl" \
    java -jar "$jar" bench -m "$m" --random-weights --batch "$batch" --iters "$n" --json 2>/dev/null >"$work/out.json"
  awk '/"wall_ms": \{/ {w = 1} /"device_ms": \{/ {d = 1}
       /"medianMs"/ {gsub(/[^0-9.]/, ""); if (w == 1) {wm = $0; w = 2} else if (d == 1) {dm = $0; d = 2}}
       END {printf "%s %s\n", wm, dm}' "$work/out.json"
}
IFS=, read -r -a list <<<"$models"
echo "bench-ab: A = $a, B = $b; batch $batch, $rounds rounds of --iters $iters, $(date -u +%Y-%m-%d)"
for m in "${list[@]}"; do run A "$a" "$m" 3 >/dev/null; run B "$b" "$m" 3 >/dev/null; done
printf '%-24s %-34s %-34s %8s %8s\n' model "A wall / device ms (per round)" "B wall / device ms (per round)" "B/A wall" "B/A dev"
for m in "${list[@]}"; do
  aw=() ad=() bw=() bd=()
  for r in $(seq 1 "$rounds"); do
    order="A B"; [ $((r % 2)) = 0 ] && order="B A"
    for who in $order; do
      jar="$a"; [ "$who" = B ] && jar="$b"
      read -r w d <<<"$(run "$who" "$jar" "$m" "$iters")"
      if [ "$who" = A ]; then aw+=("$w"); ad+=("$d"); else bw+=("$w"); bd+=("$d"); fi
    done
  done
  med() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
  fmt() { local -n x=$1 y=$2; local i s=""; for i in "${!x[@]}"; do s+="${x[$i]}/${y[$i]} "; done; echo "$s"; }
  # B/A round by round (the two runs of a round are adjacent in time), then their median
  ratios() { local -n x=$1 y=$2; local i; for i in "${!x[@]}"; do awk -v p="${x[$i]}" -v q="${y[$i]}" 'BEGIN {print p / q}'; done; }
  printf '%-24s %-34s %-34s %8.3f %8.3f\n' "$m" "$(fmt aw ad)" "$(fmt bw bd)" \
    "$(med $(ratios bw aw))" "$(med $(ratios bd ad))"
done
