#!/usr/bin/env bash
# EdgeCL GPU bundle checks: runs, with the bundle's Java runtime and OpenCL loader,
#   edgecl devices --verbose; edgecl selftest --json; edgecl selftest --golden golden/;
#   edgecl bench (edgenext_xx_small, random weights) at batch 1 x 50 and batch 256 x 10, --json;
#   edgecl profile (edgenext_xx_small, random weights, with an HTML report and a Chrome trace).
# Every step's output goes to the log folder too; a summary comes at the end.
# Usage: ./run.sh [--device D] [--logs DIR] [--quick]
#   --device  the OpenCL device (P:D, N or a name substring; default $EDGECL_DEVICE, else the first GPU)
#   --logs    the log folder (default $EDGECL_BUNDLE_LOGS, else logs/YYYYmmdd-HHMMSS in the bundle)
#   --quick   (or EDGECL_BUNDLE_QUICK=1) batch 8 instead of 256 and few iterations: a smoke test
# OCL_ICD_VENDORS, if set, is kept (a folder of .icd files or one .icd file); otherwise the
# bundle's vendors/ (nvidia.icd) is used.
# Exit: 0 all steps passed, selftest and the golden selftest included; 1 a step failed;
# 2 a wrong option; 3 no OpenCL platform; 4 this machine cannot run the bundle (glibc);
# 5 incomplete: no step failed, but selftest or the golden selftest did not run and pass (a jar
# without the selftest command, a bundle without golden/); the summary says "result: INCOMPLETE".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
me="run.sh"
die() { echo "$me: $1" >&2; [ -z "${3:-}" ] || echo "$me: $3" >&2; exit "${2:-1}"; }  # die MESSAGE [EXIT] [DETAIL]

device=""
logs="${EDGECL_BUNDLE_LOGS:-}"
quick="${EDGECL_BUNDLE_QUICK:-0}"
while [ $# -gt 0 ]; do
  case "$1" in
    --device|-d) [ $# -ge 2 ] || die "--device needs a value" 2; device="$2"; shift 2 ;;
    --logs) [ $# -ge 2 ] || die "--logs needs a folder" 2; logs="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" 2 ;;
  esac
done

. "$here/env.sh" || exit $?
if [ -z "$logs" ]; then
  logs="$here/logs/$(date +%Y%m%d-%H%M%S)"
  mkdir -p "$logs" 2>/dev/null || logs="$(mktemp -d "${TMPDIR:-/tmp}/edgecl-bundle-logs.XXXXXX")"
fi
mkdir -p "$logs" || die "cannot create the log folder $logs"
echo "$me: logs in $logs"
if [ "$quick" = 1 ]; then
  b1=(--batch 1 --iters 5 --warmup 1); bn=(--batch 8 --iters 2 --warmup 1); prof=(--iters 2 --warmup 1); nbig=8
  echo "$me: quick mode: batch 1 x 5, batch 8 x 2, profile x 2"
else
  b1=(--batch 1 --iters 50); bn=(--batch 256 --iters 10); prof=(); nbig=256
fi
dev=()
[ -z "$device" ] || dev=(--device "$device")

# --- Is there an OpenCL driver for the loader to open? ---
vend="$OCL_ICD_VENDORS"
icds=()
if [ -d "$vend" ]; then
  for f in "$vend"/*.icd; do [ -f "$f" ] && icds+=("$f"); done
elif [ -f "$vend" ]; then
  icds=("$vend")
fi
searched="ld.so.cache, LD_LIBRARY_PATH and /usr/lib/x86_64-linux-gnu, /lib/x86_64-linux-gnu, /usr/lib64, /lib64, /usr/lib, /lib, /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu/nvidia/current, /usr/lib/wsl/lib"
resolve() { # sets rpath to where the loader would find this library; adds its folder to LD_LIBRARY_PATH if it must
  local n="$1" d
  rpath=""
  case "$n" in */*) [ -f "$n" ] && rpath="$n"; [ -n "$rpath" ]; return ;; esac
  local dirs
  IFS=: read -r -a dirs <<<"$LD_LIBRARY_PATH"
  for d in "${dirs[@]}"; do [ -n "$d" ] && [ -f "$d/$n" ] && { rpath="$d/$n"; return 0; }; done
  d="$( { /sbin/ldconfig -p 2>/dev/null || /usr/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } \
        | awk -v n="$n" '$1 == n && /x86-64/ {print $NF; exit}')"
  [ -n "$d" ] && [ -e "$d" ] && { rpath="$d"; return 0; }
  for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /lib; do
    [ -e "$d/$n" ] && { rpath="$d/$n"; return 0; }
  done
  for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu/nvidia/current /usr/lib64/nvidia \
           /usr/local/cuda/compat /usr/lib/wsl/lib; do
    if [ -e "$d/$n" ]; then
      echo "$me: $n is in $d, which the dynamic linker does not search; adding it to LD_LIBRARY_PATH" >&2
      export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
      rpath="$d/$n"; return 0
    fi
  done
  return 1
}
nvidia_icd=0; found=0; missing=(); nv_path=""
for f in "${icds[@]}"; do
  lib="$(head -1 "$f" | tr -d '\r' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')"
  case "$lib$f" in *nvidia*) nvidia_icd=1 ;; esac
  if resolve "$lib"; then
    echo "$me: ICD $(basename "$f"): $lib -> $rpath"; found=$((found + 1))
    case "$lib" in *nvidia*) nv_path="$rpath" ;; esac
  else
    missing+=("$lib")
  fi
done
ocl_files="${OCL_ICD_FILENAMES:-}"
for lib in ${ocl_files//:/ }; do # ocl-icd also loads these
  if resolve "$lib"; then echo "$me: OCL_ICD_FILENAMES: $lib -> $rpath"; found=$((found + 1)); else missing+=("$lib"); fi
done
no_nvidia="no NVIDIA OpenCL platform: is the driver installed? libnvidia-opencl.so.1 not found"
if [ "$found" = 0 ]; then
  if [ "$nvidia_icd" = 1 ]; then
    die "$no_nvidia" 3 "searched $searched; OCL_ICD_VENDORS=$vend"
  fi
  die "no OpenCL driver: OCL_ICD_VENDORS=$vend names ${missing[*]:-no library} and none was found (searched $searched)" 3
fi
[ ${#missing[@]} -eq 0 ] || echo "$me: warning: not found, so not loaded: ${missing[*]}" >&2

# --- The steps ---
declare -A status=() secs=()
step() { # step NAME FILE-EXT edgecl-args...: output to the terminal and to logs/NAME.EXT (stderr also to NAME.stderr)
  local name="$1" ext="$2"; shift 2
  local t0 rc; t0=$(date +%s%N)
  echo
  echo "=== $name: edgecl $*"
  # stdout through fd 4 to the outer tee, stderr to the inner one; both tees end with the step.
  local rcf="$logs/.$name.rc"
  { { "$here/edgecl" "$@" 2>&1 1>&4 4>&-; echo "$?" >"$rcf"; } | tee "$logs/$name.stderr" >&2; } 4>&1 \
    | tee "$logs/$name.$ext"
  rc="$(cat "$rcf" 2>/dev/null || echo 127)"; rm -f "$rcf"
  local ms="$(( ($(date +%s%N) - t0) / 1000000 ))"
  local s="$((ms / 1000)).$((ms % 1000 / 100))"
  secs[$name]="$s"
  if [ "$rc" = 0 ]; then status[$name]="ok (${s} s)"; else status[$name]="FAILED (exit $rc, ${s} s)"; fi
  echo "=== $name: ${status[$name]}"
  return "$rc"
}
failed=0

step devices log devices --verbose
rc=$?
if [ "$rc" != 0 ] || ! grep -q '^platform ' "$logs/devices.log"; then
  if grep -q "no OpenCL platform" "$logs/devices.stderr" "$logs/devices.log" 2>/dev/null || [ "$rc" = 0 ]; then
    if [ "$nvidia_icd" = 1 ]; then
      die "no NVIDIA OpenCL platform: the driver's ${nv_path:-libnvidia-opencl.so.1} is there but the OpenCL loader lists no platform (is /dev/nvidia0 accessible? does nvidia-smi work?)" 3
    fi
    die "no OpenCL platform: the loader found none through OCL_ICD_VENDORS=$vend" 3
  fi
  die "edgecl devices failed (exit $rc); see $logs/devices.stderr" 1
fi
if [ "$nvidia_icd" = 1 ] && ! grep -qi '^platform .*nvidia' "$logs/devices.log"; then
  echo "$me: warning: no NVIDIA platform among the devices; the checks run on what there is" >&2
fi
library="$(sed -n 's/^binding: [^,]*, library: //p' "$logs/devices.log" | head -1)"

selftest_state="not run"; golden_state="not run"
# Is there a selftest command? ('edgecl selftest --help' cannot tell: picocli takes --help as the
# top-level option and prints the main usage, exit 0, whatever the command.)
help_out="$("$here/edgecl" --help 2>&1)"; help_rc=$?
unknown_selftest() { grep -q "Unmatched arguments from index 0: 'selftest'" "$logs/$1.stderr" 2>/dev/null; }
if [ "$help_rc" = 0 ] && ! echo "$help_out" | grep -qE '^ +selftest( |$)'; then
  selftest_state="NOT AVAILABLE (this jar has no 'selftest' command)"
  golden_state="$selftest_state"
  echo
  echo "=== selftest: SKIPPED: edgecl.jar ($("$here/edgecl" --version 2>/dev/null | head -1)) has no 'selftest' command; rebuild the bundle from a newer jar"
  echo "$selftest_state" >"$logs/selftest.log"
elif [ "$help_rc" != 0 ]; then
  selftest_state="FAILED ('edgecl --help' exited $help_rc)"; golden_state="not run"; failed=$((failed + 1))
  echo "$help_out" >"$logs/selftest.log"
else
  st_opts=(); gd_opts=()
  if [ "$quick" = 1 ]; then # fp32 only, default kernels only; the golden step without the op and tiny-network checks
    st_help="$("$here/edgecl" selftest --help 2>&1)"
    echo "$st_help" | grep -q -- '--precision' && st_opts+=(--precision fp32)
    echo "$st_help" | grep -q -- '--no-variants' && st_opts+=(--no-variants)
    gd_opts=("${st_opts[@]}")
    echo "$st_help" | grep -q -- '--no-models' && gd_opts+=(--no-models)
  fi
  if step selftest json selftest --json "${st_opts[@]}" "${dev[@]}"; then selftest_state="PASS"
  elif unknown_selftest selftest; then selftest_state="NOT AVAILABLE (this jar has no 'selftest' command)"
  else selftest_state="FAIL (${status[selftest]})"; failed=$((failed + 1)); fi
  if [ -d "$here/golden" ]; then
    ncases="$(find "$here/golden" -mindepth 2 -maxdepth 2 -name case.json | wc -l)"
    if step selftest-golden log selftest --golden "$here/golden" "${gd_opts[@]}" "${dev[@]}"; then golden_state="PASS ($ncases cases)"
    elif unknown_selftest selftest-golden; then golden_state="NOT AVAILABLE (this jar has no 'selftest' command)"
    else golden_state="FAIL (${status[selftest-golden]}, $ncases cases)"; failed=$((failed + 1)); fi
  else
    golden_state="not run (no golden/ in the bundle)"
  fi
fi

model=(-m edgenext_xx_small --random-weights)
step bench-b1 json bench "${model[@]}" "${b1[@]}" --json "${dev[@]}" || failed=$((failed + 1))
step bench-b$nbig json bench "${model[@]}" "${bn[@]}" --json "${dev[@]}" || failed=$((failed + 1))
step profile log profile "${model[@]}" "${prof[@]}" --html "$logs/profile.html" --trace "$logs/profile-trace.json" "${dev[@]}" \
  || failed=$((failed + 1))

# --- Summary ---
# A run in which selftest or the golden selftest did not run and pass is not a PASS.
incomplete=""
[[ "$selftest_state" == PASS* ]] || incomplete="selftest"
[[ "$golden_state" == PASS* ]] || incomplete="${incomplete:+$incomplete, }selftest golden"
# The summary's numbers, read from the steps' JSON by the jar (Gson), one line each, in this order;
# a missing file or field is an empty line.
j1="$logs/bench-b1.json"; jn="$logs/bench-b$nbig.json"; st_json="$logs/selftest.json"
mapfile -t v < <("$here/runtime/bin/java" -cp "$here/edgecl.jar" io.edgecl.cli.JsonFields \
  -f "$j1" device wall_ms.medianMs device_ms.medianMs -f "$jn" images_per_s wall_ms.medianMs \
  -f "$st_json" 'checks#' failures 2>"$logs/summary.stderr")
devname="${v[0]:-}"; b1_wall="${v[1]:-}"; b1_dev="${v[2]:-}"; bn_ips="${v[3]:-}"; bn_wall="${v[4]:-}"
st_checks="${v[5]:-}"; st_failures="${v[6]:-}"
fmt() { if [ -n "$1" ]; then LC_ALL=C printf "%.${2}f" "$1" 2>/dev/null || echo "$1"; else echo "?"; fi; }
{
  echo
  echo "===== EdgeCL GPU bundle summary$([ "$quick" = 1 ] && echo " (quick mode)")"
  echo "device:            ${devname:-?}  (OpenCL library $library)"
  echo "devices:           ${status[devices]:-not run}"
  if [ -n "$st_checks" ]; then
    selftest_state="$selftest_state  ($st_checks checks, ${st_failures:-?} failed, ${secs[selftest]:-?} s)"
  fi
  gd_line="$(grep -m1 '^selftest: ' "$logs/selftest-golden.log" 2>/dev/null)"
  echo "selftest:          $selftest_state"
  echo "selftest golden:   $golden_state${gd_line:+  [$gd_line]}"
  if [[ "${status[bench-b1]:-}" == ok* ]]; then
    echo "latency batch 1:   median $(fmt "$b1_wall" 3) ms wall, $(fmt "$b1_dev" 3) ms device  (${b1[*]})"
  else
    echo "latency batch 1:   ${status[bench-b1]:-not run}"
  fi
  if [[ "${status[bench-b$nbig]:-}" == ok* ]]; then
    echo "images/s batch $nbig: $(fmt "$bn_ips" 1)  (median $(fmt "$bn_wall" 2) ms wall per forward; ${bn[*]})"
  else
    echo "images/s batch $nbig: ${status[bench-b$nbig]:-not run}"
  fi
  echo "profile:           ${status[profile]:-not run}  (report: $logs/profile.html)"
  echo "logs:              $logs"
  if [ "$failed" != 0 ]; then echo "result:            FAIL ($failed step(s) failed)"
  elif [ -n "$incomplete" ]; then echo "result:            INCOMPLETE (did not run and pass: $incomplete)"
  else echo "result:            PASS"; fi
} | tee "$logs/summary.txt"
[ "$failed" = 0 ] || exit 1
[ -z "$incomplete" ] || exit 5
exit 0
