#!/usr/bin/env bash
# Soak of `edgecl serve` (tools/ServeSoak.java): the demo model on loopback, normal clients at 80%
# of the measured saturation throughput beside slow, aborted, leaving and malformed clients for
# SECONDS; a row every REPORT seconds (answers, errors, p50/p99, resident memory, heap after GC,
# threads, descriptors, device bytes) and a verdict. Exits 1 when a normal request failed, memory
# grew after warm-up, or threads, descriptors or device bytes did not come back. The server runs
# with -Xmx512m (a leak then shows as failed requests, not as a slowly growing heap) and
# --timeout-ms 10000 (the slow clients are closed after it) and --queue 256.
#
# Usage: tools/serve-soak.sh [SECONDS] [SLOW] [REPORT] [LOAD]
#        (defaults 1800 s, 50 slow clients, a row every 60 s, 0.8 of saturation; CI runs 30 50 10 0.6,
#        which leaves room for a shared machine's slower minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-1800}"
slow="${2:-50}"
report="${3:-60}"
load="${4:-0.8}"
port="${EDGECL_SOAK_PORT:-18433}"
img="src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png"
./edgecl --version >/dev/null # builds the jar once, outside the soak
mkdir -p target
EDGECL_JAVA_OPTS="-Xmx512m" ./edgecl serve --port "$port" --max-batch 8 --max-wait-ms 5 --queue 256 --timeout-ms 10000 \
  2>target/serve-soak.log &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { echo "serve-soak: the server did not start:" >&2; cat target/serve-soak.log >&2; exit 1; }
  sleep 0.2
done
java tools/ServeSoak.java "http://127.0.0.1:$port" "$img" "$seconds" "$slow" "$report" "$load"
