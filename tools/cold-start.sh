#!/usr/bin/env bash
# What a first run costs: each step timed with every cache empty (EdgeCL's, PoCL's, XDG's, in a
# fresh folder), then again warm, with the compile bill EdgeCL reports (programs, build ms, first
# launches, per kernel file).
#
# Usage: tools/cold-start.sh [--models M1,M2,...] [--no-classify] [--selftest] [--keep DIR]
#   (default)     README's classify (the bundled image, the demo model): cold, then warm
#   --models      also `edgecl bench -m M --random-weights --iters 3` for each model: cold, then warm,
#                 with its distinct programs and compile bill (e.g. the six benchmark models:
#                 edgenext_xx_small,edgevit_xxs,mobilevit_xxs,mobilenetv3_large_100,efficientnet_b0,convnext_atto)
#   --selftest    also `edgecl selftest` (every op in every kernel variant, the tiny networks): cold, then warm
#   --keep DIR    keep the caches and logs in DIR (default: a temporary folder, removed at the end)
# The jar must be built (./edgecl builds it when missing). Figures are wall-clock seconds of the
# whole command, JVM start included, on this machine as it is (run nothing else meanwhile).
set -euo pipefail
cd "$(dirname "$0")/.."
models=""
classify=1
selftest=0
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;;
    --no-classify) classify=0; shift ;;
    --selftest) selftest=1; shift ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "cold-start: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
./edgecl --version >/dev/null
work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT

fresh() { # fresh NAME: empty caches for one measurement
  rm -rf "$work/$1"
  mkdir -p "$work/$1"
  export EDGECL_CACHE_DIR="$work/$1/edgecl" XDG_CACHE_HOME="$work/$1/xdg" POCL_CACHE_DIR="$work/$1/pocl"
}
timed() { # timed LOG COMMAND...: prints the seconds; the command's output goes to LOG
  local log="$1"; shift
  local t0; t0=$(date +%s%N)
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "cold-start: FAILED: $*" >&2
    exit 1
  fi
  awk -v ns="$(( $(date +%s%N) - t0 ))" 'BEGIN {printf "%.1f", ns / 1e9}'
}
jfield() { # jfield FILE KEY: the first numeric value of "KEY": in a JSON file
  sed -n "s/.*\"$1\": *\\([0-9.]*\\).*/\\1/p" "$2" | head -1
}

echo "cold-start: $(./edgecl devices 2>/dev/null | grep -m1 '\*' || echo 'default device'); $(date -u +%Y-%m-%d)"
if [ "$classify" = 1 ]; then
  img=src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png
  fresh classify
  cold=$(timed "$work/classify-cold.log" ./edgecl classify "$img")
  warm=$(timed "$work/classify-warm.log" ./edgecl classify "$img")
  echo "classify (demo model, bundled image): cold ${cold} s, warm ${warm} s   [$(grep -m1 '1\.' "$work/classify-warm.log" | tr -s ' ')]"
fi
if [ -n "$models" ]; then
  printf '%-24s %8s %8s %9s %9s %9s %10s   %s\n' model "cold s" "warm s" programs "build ms" "1st lnch" "1st ms" \
    "costliest kernel files (ms)"
  IFS=, read -r -a list <<<"$models"
  for m in "${list[@]}"; do
    fresh "bench-$m"
    cold=$(timed "$work/bench-$m-cold.json" ./edgecl bench -m "$m" --random-weights --iters 3 --warmup 0 --json)
    warm=$(timed "$work/bench-$m-warm.json" ./edgecl bench -m "$m" --random-weights --iters 3 --warmup 0 --json)
    j="$work/bench-$m-cold.json"
    files="$(awk '/"by_file"/ {f = 1; next} f && /^ *"[^"]+": \{/ {gsub(/[":{ ]/, ""); name = $0}
      f && /"build_ms"/ {gsub(/[^0-9.]/, ""); b = $0} f && /"first_launch_ms"/ {gsub(/[^0-9.]/, "");
      printf "%s %.0f\n", name, b + $0}' "$j" | sort -k2 -rn | head -4 | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')"
    printf '%-24s %8s %8s %9s %9s %9s %10s   %s\n' "$m" "$cold" "$warm" "$(jfield programs "$j")" \
      "$(jfield build_ms "$j")" "$(jfield first_launches "$j")" "$(jfield first_launch_ms "$j")" "$files"
  done
fi
if [ "$selftest" = 1 ]; then
  fresh selftest
  cold=$(timed "$work/selftest-cold.log" ./edgecl selftest)
  warm=$(timed "$work/selftest-warm.log" ./edgecl selftest)
  echo "selftest: cold ${cold} s, warm ${warm} s   [$(grep -m1 '^selftest:' "$work/selftest-warm.log")]"
  echo "  cold $(grep -m1 '^compile:' "$work/selftest-cold.log")"
fi
[ -z "$keep" ] || echo "cold-start: logs and caches in $work"
