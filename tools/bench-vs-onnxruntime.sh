#!/usr/bin/env bash
# EdgeCL against ONNX Runtime (CPU) on the same network, weights and input, in one run:
# EdgeCL exports the model to ONNX, ONNX Runtime runs that file, EdgeCL runs its plan on the
# default OpenCL device ($EDGECL_DEVICE / first GPU / first device). Prints both times and the ratio.
#
#   tools/bench-vs-onnxruntime.sh MODEL [--size S] [--batch B] [--iters N] [--rounds R] [--threads T]
#       [-w WEIGHTS] [--onnx FILE]
#   --onnx runs ONNX Runtime on FILE (e.g. ../shared/golden/edgenext_xx_small/model.onnx with
#   -w ../shared/golden/edgenext_xx_small/weights.safetensors) instead of EdgeCL's own export.
#   The engines alternate round by round; the figures are the best per-round medians and the
#   median of the per-round ratios.
#   e.g. tools/bench-vs-onnxruntime.sh edgenext_xx_small
#
#   tools/bench-vs-onnxruntime.sh --own-process MODEL [the same options] [--reuse-output]
#   each engine in a child JVM of its own (as users run them: in one process ORT's and PoCL's
#   thread pools slow each other down), loaded once; the two take turns, R rounds (default 15) of
#   a burst of N forwards (default 20) each, and the ratio is the median of the per-round ratios
#   (adjacent bursts meet a drifting machine in the same state); --reuse-output has each engine
#   write into output storage made once (ORT's pinned outputs, EdgeCL's Session.runInto).
#   EdgeCL's child preloads tools/pocl-spin.c's library as ./edgecl does (EDGECL_POCL_SPIN_US=0:
#   not), and the summary says how PoCL's workers waited.
#
#   tools/bench-vs-onnxruntime.sh --by-block MODEL [--size S] [--batch B] [--iters N] [--rounds R]
#       [--onnx FILE -w WEIGHTS]
#   where each engine's kernel time goes, block by block: ONNX Runtime's per-node profile of
#   EdgeCL's export (node names carry EdgeCL's blocks) or of FILE (a torch.onnx export: its module
#   scopes give the blocks) against EdgeCL's per-launch device times,
#   each engine in a child JVM of its own, R rounds (default 3) of N profiled forwards (default 50)
#   in turn; per block the median over the rounds, the difference and the ratio, ORT's node types,
#   and what each engine spends outside its kernels.
#
#   tools/bench-vs-onnxruntime.sh --table [--rounds R] [--batches "1 8"] [--shared DIR] [--upstream DIR]
#   prints README's table, each engine in its own process (--own-process): edgenext_xx_small,
#   edgevit_xxs, mobilevit_xxs (ONNX Runtime on the upstream export in DIR/golden/<case>/model.onnx,
#   with the case's weights) and mobilenetv3_large_100, efficientnet_b0, convnext_atto,
#   mobilenetv4_conv_small, mobilenetv4_hybrid_medium, repvit_m0_9 (ONNX Runtime on timm's
#   torch.onnx export in --upstream DIR, written by tools/golden/timm_onnx.py, with its weights;
#   without --upstream, on EdgeCL's export), each at its default input size, at each batch, with
#   the date, the device and ONNX Runtime's version.
#
# Without -w the weights are random (timing does not depend on them). ONNX Runtime is a test
# dependency of the project, so Maven fetches it on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  -h | --help | "")
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
esac
log="$(mktemp)"
if ! mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 2
fi
rm -f "$log"
# EdgeCL's child JVMs run as ./edgecl runs them: with PoCL's workers polling (tools/pocl-spin.sh),
# unless EDGECL_POCL_SPIN_US=0
. tools/pocl-spin.sh
EDGECL_POCL_SPIN_LIB="$(edgecl_pocl_spin_lib)"
export EDGECL_POCL_SPIN_LIB
run() {
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.edgecl.bench.OnnxRuntimeComparison "$@"
}
if [ "${1:-}" = "--own-process" ]; then
  shift
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.edgecl.bench.OwnProcessComparison "$@"
  exit $?
fi
if [ "${1:-}" = "--by-block" ]; then
  shift
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.edgecl.bench.ByBlockComparison "$@"
  exit $?
fi
if [ "${1:-}" != "--table" ]; then
  run "$@"
  exit $?
fi
shift
rounds=15 batches="1 8" shared=../shared upstream=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    --shared) shared="$2"; shift 2 ;;
    --upstream) upstream="$2"; shift 2 ;;
    *) echo "bench-vs-onnxruntime.sh --table: unknown option $1" >&2; exit 2 ;;
  esac
done
own() {
  java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.edgecl.bench.OwnProcessComparison "$@"
}
rows=()
header=""
for b in $batches; do
  for m in edgenext_xx_small edgevit_xxs mobilevit_xxs mobilenetv3_large_100 efficientnet_b0 convnext_atto \
    mobilenetv4_conv_small mobilenetv4_hybrid_medium repvit_m0_9; do
    v=""
    if [ -f "$shared/golden/$m/model.onnx" ]; then
      v="--onnx $shared/golden/$m/model.onnx -w $(ls "$shared/golden/$m"/weights.* 2>/dev/null | head -1)"
    elif [ -n "$upstream" ] && [ -f "$upstream/$m.onnx" ]; then
      v="--onnx $upstream/$m.onnx -w $upstream/$m.pth"
    fi
    # shellcheck disable=SC2086
    out="$(own "$m" --batch "$b" --rounds "$rounds" $v)" || { echo "$out" >&2; exit 1; }
    [ -z "$header" ] && header="$(echo "$out" | head -1)"
    rows+=("$(echo "$out" | grep '^| '"$m" | tail -1)")
    echo "${rows[-1]}" >&2
  done
done
echo "$(date -u +%Y-%m-%d): ${header#*: }" | sed "s/, ONNX from the [a-zA-Z]* export//"
echo
echo "| model | batch | EdgeCL ms | ONNX Runtime ms | EdgeCL / ORT | max\\|Δ\\| |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
