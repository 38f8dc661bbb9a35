#!/usr/bin/env bash
# Drives `edgecl serve` on loopback with 1, 4 and 16 concurrent clients (tools/ServeLoad.java)
# for the demo model and edgenext_xx_small, with batching (--max-batch 8) and without
# (--max-batch 1), and prints a markdown table. Bounded: REQUESTS per row, SECONDS at most.
#
# Usage: tools/serve-load.sh [REQUESTS] [SECONDS]   (defaults 400 and 30)
set -euo pipefail
cd "$(dirname "$0")/.."
requests="${1:-400}"
seconds="${2:-30}"
port=18431
weights="../shared/golden/edgenext_xx_small/weights.safetensors"
demo_img="src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png"
cat_img="tests/resources/images/cat.jpg"
./edgecl --version >/dev/null # builds the jar once, outside the timings

run() { # label, image, serve args...
  local label="$1" img="$2"; shift 2
  ./edgecl serve --port "$port" --max-wait-ms 5 --queue 256 "$@" 2>target/serve-load.log &
  local pid=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.2
  done
  for c in 1 4 16; do
    printf '| %s ' "$label"
    java tools/ServeLoad.java "http://127.0.0.1:$port" "$img" "$c" "$requests" "$seconds"
  done
  kill -TERM "$pid"
  wait "$pid" || true
}

echo "| model, batching | clients | answered | errors | images/s | p50 ms | p99 ms | mean batch |"
echo "|---|---|---|---|---|---|---|---|"
run "demo, max-batch 8" "$demo_img" --max-batch 8
run "demo, max-batch 1" "$demo_img" --max-batch 1
if [ -f "$weights" ]; then
  run "edgenext_xx_small, max-batch 8" "$cat_img" -m edgenext_xx_small -w "$weights" --max-batch 8
  run "edgenext_xx_small, max-batch 1" "$cat_img" -m edgenext_xx_small -w "$weights" --max-batch 1
else
  echo "serve-load: edgenext_xx_small skipped: $weights is absent" >&2
fi
