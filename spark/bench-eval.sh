#!/usr/bin/env bash
# Throughput of `edgecl-spark eval` on a local master against `edgecl eval` on the same folder,
# each in its own process, alternating round by round; prints each round and the medians.
#   spark/bench-eval.sh DIR [ROUNDS] [MASTER]     (defaults: 3 rounds, local[2])
# `edgecl eval` reports images/s over its whole evaluation (its session's open included, with
# the program cache warm); `edgecl-spark eval --warmup` runs the job once first and reports the
# second run, so Spark's start-up and the executor's session open are left out, as a long job
# amortises them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
core="$(cd "$here/.." && pwd)"
dir="${1:?usage: spark/bench-eval.sh DIR [ROUNDS] [MASTER]}"
rounds="${2:-3}"
master="${3:-local[2]}"
"$here/edgecl-spark" --help >/dev/null # builds the module (and the core) when stale
jar="$core/target/edgecl-0.1.0-cli.jar"
ips() { sed -n 's/^  "images_per_s": \([0-9.]*\),*$/\1/p' | head -1; }
core_runs=() spark_runs=()
for r in $(seq 1 "$rounds"); do
  c="$(java -jar "$jar" eval --data "$dir" --json --no-progress | ips)"
  s="$("$here/edgecl-spark" eval --master "$master" --data "$dir" --warmup --json 2>/dev/null | ips)"
  printf 'round %d: edgecl eval %.1f images/s, edgecl-spark eval (%s) %.1f images/s\n' "$r" "$c" "$master" "$s"
  core_runs+=("$c")
  spark_runs+=("$s")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mc="$(median "${core_runs[@]}")"
ms="$(median "${spark_runs[@]}")"
printf 'median: edgecl eval %.1f, edgecl-spark eval %.1f images/s: Spark at %.2f of edgecl eval\n' \
  "$mc" "$ms" "$(awk -v a="$ms" -v b="$mc" 'BEGIN {print a / b}')"
