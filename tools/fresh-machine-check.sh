#!/usr/bin/env bash
# Runs README's first command and the OpenCL tests as a new user's machine would: a fresh clone,
# an empty cache, and no unversioned libOpenCL.so. That file comes only with the OpenCL
# development package; fresh machines and boards have libOpenCL.so.1 alone, so a program that
# finds OpenCL only through libOpenCL.so works on a developer's machine and nowhere else.
#
# Usage: tools/fresh-machine-check.sh [TEST_PATTERN]
#   TEST_PATTERN  surefire -Dtest pattern (default: the kernel tests and the binding tests)
# Where libOpenCL.so exists, the check runs in a private mount namespace (unshare -m, as root)
# in which an overlay over the library directory deletes it; the machine itself is untouched.
# Where that is not permitted, the check says so and is skipped (exit 0). The clone is of the
# committed HEAD, like CI's.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
pattern="${1:-io.edgecl.ops.*Test,io.edgecl.cl.*Test}"

multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
[ -n "$multiarch" ] || multiarch="$(uname -m)-linux-gnu"
libdirs=("/usr/lib/$multiarch" /usr/lib64 /usr/lib /usr/local/lib)

if [ "${EDGECL_FRESH_INNER:-0}" != 1 ]; then
  present=()
  for d in "${libdirs[@]}"; do
    if [ -e "$d/libOpenCL.so" ] || [ -L "$d/libOpenCL.so" ]; then present+=("$d"); fi
  done
  if [ ${#present[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
      echo "fresh-machine-check: SKIPPED: ${present[*]/%//libOpenCL.so} exists and this user cannot hide it" \
        "(needs root and unshare -m)" >&2
      exit 0
    fi
    echo "fresh-machine-check: hiding ${present[*]/%//libOpenCL.so} in a private mount namespace" >&2
    exec unshare -m env EDGECL_FRESH_INNER=1 EDGECL_FRESH_HIDE="${present[*]}" bash "$0" "$@"
  fi
  echo "fresh-machine-check: no unversioned libOpenCL.so on this machine; running as it is" >&2
else
  # Inside the namespace: an overlay whose upper layer deletes libOpenCL.so. A bind mount of
  # /dev/null over it would follow the symlink and hide libOpenCL.so.1's target as well.
  scratch="$(mktemp -d)"
  mount -t tmpfs edgecl-fresh "$scratch"
  for d in $EDGECL_FRESH_HIDE; do
    key="$(echo "$d" | tr / _)"
    mkdir -p "$scratch/up$key" "$scratch/work$key"
    if ! mount -t overlay overlay -o "lowerdir=$d,upperdir=$scratch/up$key,workdir=$scratch/work$key" "$d"; then
      echo "fresh-machine-check: SKIPPED: an overlay over $d is not permitted here" >&2
      exit 0
    fi
    rm -f "$d/libOpenCL.so"
  done
fi

for d in "${libdirs[@]}"; do
  if [ -e "$d/libOpenCL.so" ]; then
    echo "fresh-machine-check: $d/libOpenCL.so is still visible" >&2
    exit 1
  fi
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  echo "fresh-machine-check: note: uncommitted changes are not part of the clone" >&2
fi
git clone -q "$root" "$work/clone"
export EDGECL_CACHE_DIR="$work/cache" XDG_CACHE_HOME="$work/xdg" POCL_CACHE_DIR="$work/pocl"
unset EDGECL_BINDING EDGECL_OPENCL_LIB
cd "$work/clone"

# README's first command, exactly as README gives it: the first line of its first bash block.
first="$(awk '/^```bash/{getline; print; exit}' README.md)"
echo "fresh-machine-check: $ $first"
for run in cold warm; do
  start=$(date +%s%N)
  if ! out="$(bash -c "$first" 2>&1)"; then
    echo "$out" >&2
    echo "fresh-machine-check: FAILED: README's first command ($run cache)" >&2
    exit 1
  fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "$out" | sed 's/^/  /'
  if ! echo "$out" | grep -q -E '^ +1\. +[0-9.]+%'; then
    echo "fresh-machine-check: FAILED: README's first command printed no top-5 ($run cache)" >&2
    exit 1
  fi
  echo "fresh-machine-check: README's first command, $run cache: ${ms} ms"
done

echo "fresh-machine-check: $ mvn -B test -Dtest='$pattern'"
set +e
mvn -B -q test -Dtest="$pattern" -Dsurefire.failIfNoSpecifiedTests=false >"$work/mvn.log" 2>&1
rc=$?
set -e
grep -E "Tests run:|FAIL|ERROR\]" "$work/mvn.log" | grep -v "^\[INFO\] *$" | tail -20 || true
if [ "$rc" -ne 0 ]; then
  tail -60 "$work/mvn.log" >&2
  echo "fresh-machine-check: FAILED: the OpenCL tests (exit $rc)" >&2
  exit 1
fi
summary="$(ls target/surefire-reports/*.txt 2>/dev/null | xargs cat 2>/dev/null | grep -E '^Tests run' \
  | awk -F'[:,]' '{r+=$2; f+=$4; e+=$6; s+=$8} END {printf "%d run, %d failed, %d errors, %d skipped", r, f, e, s}')"
echo "fresh-machine-check: passed (OpenCL tests: $summary)"
