#!/usr/bin/env bash
# Builds README's Java example the way a Maven user's program is built: against the installed
# io.edgecl:edgecl artifact and the dependencies its POM declares, nothing else, then runs it on
# a real model and image. Proves the library jar is plain (not the shaded CLI) and its POM complete.
#
# Usage: tools/library-check.sh [WEIGHTS IMAGE]
#   default: ../shared/golden/edgenext_xx_small/weights.safetensors and tests/resources/images/cat.jpg
#        tools/library-check.sh --check-jar JAR
#   only the jar check: fails (exit 1) when JAR is missing, unreadable or bundles a dependency
#   (picocli, Gson or LWJGL classes), without Maven.
# Environment:
#   EDGECL_STRICT=1   an absent WEIGHTS file fails (exit 1) instead of skipping the check (exit 0);
#                     CI sets it
set -euo pipefail

# The entry names of a jar: unzip where installed (a fresh Debian lacks it), else the JDK's jar.
list_jar() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -Z1 "$1"
  elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jar" ]; then
    "$JAVA_HOME/bin/jar" tf "$1"
  else
    jar tf "$1"
  fi
}

# Is JAR the plain library jar? Its entries are listed into a variable first: with pipefail,
# `unzip -l | grep -q` fails on a match (grep exits at the first hit and unzip dies of SIGPIPE).
check_jar() {
  local jar="$1" entries hits
  if [ ! -f "$jar" ]; then
    echo "library-check: FAILED: no jar at $jar" >&2
    return 1
  fi
  entries="$(list_jar "$jar")" || { echo "library-check: FAILED: cannot list the entries of $jar" >&2; return 1; }
  hits="$(grep -E '(picocli/CommandLine|com/google/gson/Gson|org/lwjgl/opencl/CL)\.class$' <<<"$entries" || true)"
  if [ -n "$hits" ]; then
    echo "library-check: FAILED: $jar bundles its dependencies ($(echo "$hits" | paste -sd' ' -));" \
      "the shaded jar is the cli classifier" >&2
    return 1
  fi
  echo "library-check: $jar bundles no dependency ($(wc -l <<<"$entries") entries)"
}

if [ "${1:-}" = "--check-jar" ]; then
  [ $# -eq 2 ] || { echo "usage: tools/library-check.sh --check-jar JAR" >&2; exit 2; }
  check_jar "$2"
  exit $?
fi

cd "$(dirname "$0")/.."
root="$(pwd)"
weights="${1:-$root/../shared/golden/edgenext_xx_small/weights.safetensors}"
image="${2:-$root/tests/resources/images/cat.jpg}"
if [ ! -f "$weights" ]; then
  if [ "${EDGECL_STRICT:-0}" = 1 ]; then
    echo "library-check: FAILED: $weights is absent (the edgenext_xx_small fixture); skipping the check" \
      "is not allowed in strict mode (EDGECL_STRICT=1)" >&2
    exit 1
  fi
  echo "library-check: SKIPPED: $weights is absent (the edgenext_xx_small fixture)" >&2
  exit 0
fi
version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mvn -B -q install -DskipTests >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
jar="$HOME/.m2/repository/io/edgecl/edgecl/$version/edgecl-$version.jar"
check_jar "$jar"

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
