#!/usr/bin/env bash
# EdgeCL against ONNX Runtime (CPU) on the same network, weights and input, in one run:
# EdgeCL exports the model to ONNX, ONNX Runtime runs that file, EdgeCL runs its plan on the
# default OpenCL device ($EDGECL_DEVICE / first GPU / first device). Prints both times and the ratio.
#
#   tools/bench-vs-onnxruntime.sh MODEL [--size S] [--batch B] [--iters N] [--rounds R] [--threads T]
#       [-w WEIGHTS] [--onnx FILE]
#   --onnx runs ONNX Runtime on FILE (e.g. ../shared/golden/edgenext_xx_small/model.onnx with
#   -w ../shared/golden/edgenext_xx_small/weights.safetensors) instead of EdgeCL's own export.
#   The engines alternate round by round; the figures are the best per-round medians.
#   e.g. tools/bench-vs-onnxruntime.sh edgenext_xx_small
#
# Without -w the weights are random (timing does not depend on them). ONNX Runtime is a test
# dependency of the project, so Maven fetches it on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
if ! mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt \
    -Dmdep.includeScope=test >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 2
fi
rm -f "$log"
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.edgecl.bench.OnnxRuntimeComparison "$@"
