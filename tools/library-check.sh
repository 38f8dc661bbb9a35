#!/usr/bin/env bash
# Builds README's Java example the way a Maven user's program is built: against the installed
# io.edgecl:edgecl artifact and the dependencies its POM declares, nothing else, then runs it on
# a real model and image. Proves the library jar is plain (not the shaded CLI) and its POM complete.
#
# Usage: tools/library-check.sh [WEIGHTS IMAGE]
#   default: ../shared/golden/edgenext_xx_small/weights.safetensors and tests/resources/images/cat.jpg
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
weights="${1:-$root/../shared/golden/edgenext_xx_small/weights.safetensors}"
image="${2:-$root/tests/resources/images/cat.jpg}"
if [ ! -f "$weights" ]; then
  echo "library-check: SKIPPED: $weights is absent (the edgenext_xx_small fixture)" >&2
  exit 0
fi
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mvn -B -q install -DskipTests >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
jar="$HOME/.m2/repository/io/edgecl/edgecl/$version/edgecl-$version.jar"
if unzip -l "$jar" | grep -q -E 'picocli/CommandLine.class|com/google/gson/Gson.class|org/lwjgl/opencl/CL.class'; then
  echo "library-check: FAILED: $jar bundles its dependencies (the shaded jar is the cli classifier)" >&2
  exit 1
fi

mkdir -p "$work/app"
cat >"$work/app/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId><artifactId>app</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.edgecl</groupId><artifactId>edgecl</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
(cd "$work/app" && mvn -B -q dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=runtime) \
  >"$work/cp.log" 2>&1 || { cat "$work/cp.log" >&2; exit 1; }
cp="$(cat "$work/app/cp.txt")"
# The example as README gives it: the first java block.
awk '/^```java/{f=1; next} /^```/{if (f) exit} f' README.md >"$work/app/Classify.java"
javac -d "$work/app/classes" -cp "$cp" "$work/app/Classify.java"
out="$(java -cp "$work/app/classes:$cp" Classify "$weights" "$image")"
echo "library-check: README's example against io.edgecl:edgecl:$version and its POM's dependencies printed: $out"
echo "$out" | grep -q -E '^[0-9]+ [0-9.]+(E-?[0-9]+)?$' || { echo "library-check: FAILED: unexpected output" >&2; exit 1; }
echo "library-check: passed"
