#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the parsers EdgeCL exposes to users' files: safetensors,
# torchCheckpoint (.pth zip + unpickler), modelConfig (spec JSON), image, multipart and predictBody (serve). Each target runs for
# the time ParserFuzzTest.FUZZ_TIME gives (11 minutes). A finding (any exception but EdgeCL's
# typed ones) fails the run; its input lands in the project root as crash-*, to be fixed and
# moved into tests/resources/io/edgecl/fuzz/ParserFuzzTestInputs/TARGET/, which `mvn test` replays.
#
# Usage: tools/fuzz.sh TARGET [TARGET...]    (run two at once on two cores: one JVM each)
# Output: target/fuzz/TARGET.log, with libFuzzer's "#N DONE cov: ... exec/s" summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: tools/fuzz.sh safetensors|torchCheckpoint|modelConfig|image|multipart|predictBody ..." >&2; exit 2; }
mkdir -p target/fuzz
mvn -B -q -o test-compile >/dev/null
status=0
for t in "$@"; do
  log="target/fuzz/$t.log"
  echo "fuzz: $t (log: $log)"
  set +e
  JAZZER_FUZZ=1 mvn -B -o surefire:test -Dtest="ParserFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false \
    -DtrimStackTrace=false >"$log" 2>&1
  rc=$?
  set -e
  grep -E "^#[0-9]+ +DONE|Done [0-9]+ runs|FuzzTestFinding|== Java Exception" "$log" | head -5 || true
  [ "$rc" -eq 0 ] || { echo "fuzz: $t FAILED (exit $rc); see $log" >&2; status=1; }
done
exit "$status"
