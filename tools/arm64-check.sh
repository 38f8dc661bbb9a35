#!/usr/bin/env bash
# Proves the shaded CLI jar runs on arm64, the architecture of embedded boards, under QEMU
# user-mode emulation: a Debian 12 (bookworm) arm64 root filesystem with OpenJDK 17 and PoCL,
# then the jar's own arm64 natives (JOCL and LWJGL, both tried) driving PoCL's arm64 CPU device:
# `devices`, the demo model's `classify` of a bundled image (top-1 must be "Ankle boot"), one
# tiny golden fixture through `predict` (logits checked against PyTorch's on the host), and
# `selftest` where the jar has that command.
#
# Usage: tools/arm64-check.sh [--root DIR] [--jar JAR] [--keep] [--quick] [--no-selftest] [--fresh]
#                             [--no-binfmt]
#   --root DIR    arm64 root filesystem, built once and reused (default: target/arm64-root);
#                 downloaded .debs are cached beside it in DIR-debs
#   --jar JAR     the jar to check (default: target/edgecl-0.1.0-cli.jar)
#   --keep        keep the root for the next run (the default already: the root is a cache)
#   --quick       skip the golden fixture
#   --no-selftest skip `selftest` (emulated, it takes about 15x its native time)
#   --fresh       delete the root and build it again
#   --no-binfmt   run guest binaries as `qemu-aarch64-static -L ROOT ...` even where binfmt works
# Environment:
#   EDGECL_ARM64_TIMEOUT  seconds allowed to each step (default 3600: PoCL compiles every kernel
#                         with an emulated LLVM; the caches make a second run far faster)
#   EDGECL_ARM64_SELFTEST_ARGS  options of `selftest` (default "--no-variants --precision fp32": the
#                         device's default kernels and the tiny networks; the full selftest compiles
#                         every kernel variant, hours when emulated; set it empty for that)
#   EDGECL_GOLDEN_DIR     fixture folders (default: /work/shared/golden, ../shared/golden, shared/golden)
#   EDGECL_GOLDEN_CASE    fixture to run (default: the smallest by `du -s`)
#   DEBIAN_MIRROR         mirror for debootstrap (default: the Debian URI in this machine's apt sources)
# Needs: root, Debian/Ubuntu with qemu-user-static and debootstrap (installed with apt-get when
# missing), python3 (standard library only), network access to a Debian mirror for the first build.
# Output: a pass/fail line per step with its time; exit 1 if any step failed. Each step's output
# is in DIR.logs/ (e.g. target/arm64-root.logs/classify-jocl.log).
# Takes 20-40 minutes the first time on two cores (root build about half of it), much less after.
#
# How guest binaries run. Preferred: binfmt_misc. The script mounts binfmt_misc if needed and
# registers qemu-aarch64 (update-binfmts, else the kernel's register file, flags F and P: the
# emulator is opened at registration, so it works inside the chroot), then debootstrap's second
# stage runs inside the root with chroot, maintainer scripts and all, and every check runs in
# the chroot. Fallback where binfmt_misc cannot be used (--no-binfmt, or a sandbox that forbids
# it): the first stage's .debs are unpacked with dpkg-deb -x (no maintainer scripts) and each
# program runs as `qemu-aarch64-static -L ROOT ROOT/usr/bin/...`. -L redirects opens into the root
# but not stat(), and an emulated program cannot start another one, while PoCL stat()s its kernel
# library and runs the linker to build each kernel: in that mode java, clinfo and `devices` pass
# (EDGECL_OPENCL_LIB names the root's libOpenCL.so.1), and `classify`, `predict` and `selftest`
# fail (PoCL aborts: "Kernel library file ... doesn't exist"). This machine (Debian 12, root, kernel
# 6.x) allows binfmt_misc, so the default is the chroot, where every step passes.
# Everything runs in a private mount namespace (unshare -m) where the kernel allows it, so the
# /proc, /sys and /dev mounts inside the root go away with the script, whatever ends it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

root="target/arm64-root"
jar="target/edgecl-0.1.0-cli.jar"
quick=0
fresh=0
no_binfmt=0
selftest=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?arm64-check: --root needs a directory}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    --jar) jar="${2:?arm64-check: --jar needs a file}"; shift 2 ;;
    --jar=*) jar="${1#--jar=}"; shift ;;
    --keep) shift ;;
    --quick) quick=1; shift ;;
    --no-selftest) selftest=0; shift ;;
    --fresh) fresh=1; shift ;;
    --no-binfmt) no_binfmt=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "arm64-check: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "arm64-check: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
[ -f "$jar" ] || die "no jar at $jar (build it with mvn -B package, or pass --jar)"
command -v python3 >/dev/null || die "needs python3 on the host (the logits comparison)"
mkdir -p "$(dirname "$root")"
root="$(cd "$(dirname "$root")" && pwd)/$(basename "$root")"
jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
debs="${root}-debs"
logs="${root}.logs"
timeout_s="${EDGECL_ARM64_TIMEOUT:-3600}"
marker="$root/.edgecl-arm64-ready"
java_bin=/usr/lib/jvm/java-17-openjdk-arm64/bin/java
sample="$repo/src/main/resources/io/edgecl/demo/samples/00000_ankle_boot.png"
[ -f "$sample" ] || die "no sample image at $sample"

# ---- outside the mount namespace: tools and binfmt_misc (kernel-wide state) ------------------
if [ "${EDGECL_ARM64_INNER:-0}" != 1 ]; then
  missing=()
  command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "arm64-check: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 \
      || die "could not install ${missing[*]}"
  fi
  binfmt=/proc/sys/fs/binfmt_misc
  if [ "$no_binfmt" = 0 ]; then
    [ -e "$binfmt/status" ] || mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null \
      || echo "arm64-check: note: binfmt_misc cannot be mounted here" >&2
    if [ -e "$binfmt/register" ] && [ ! -e "$binfmt/qemu-aarch64" ]; then
      if command -v update-binfmts >/dev/null; then
        update-binfmts --enable qemu-aarch64 2>/dev/null || true
      fi
      if [ ! -e "$binfmt/qemu-aarch64" ]; then
        magic='\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00'
        mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
        echo ":qemu-aarch64:M::$magic:$mask:$(command -v qemu-aarch64-static):FP" >"$binfmt/register" 2>/dev/null \
          || echo "arm64-check: note: registering qemu-aarch64 with binfmt_misc was refused" >&2
      fi
    fi
    if [ -e "$binfmt/qemu-aarch64" ] && ! grep -q '^enabled' "$binfmt/qemu-aarch64"; then
      echo 1 >"$binfmt/qemu-aarch64" 2>/dev/null || true
    fi
  fi
  if unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private env EDGECL_ARM64_INNER=1 bash "$0" \
      --root "$root" --jar "$jar" $([ "$quick" = 1 ] && echo --quick) $([ "$selftest" = 0 ] && echo --no-selftest) \
      $([ "$fresh" = 1 ] && echo --fresh) $([ "$no_binfmt" = 1 ] && echo --no-binfmt)
  fi
  echo "arm64-check: note: no private mount namespace; the mounts in the root are undone on exit" >&2
fi

# ---- steps and the summary ------------------------------------------------------------------
mkdir -p "$logs"
names=(); results=(); times=(); notes=()
t_all=$(date +%s%N)
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
record() {  # record NAME pass|FAIL|skip SECONDS NOTE
  names+=("$1"); results+=("$2"); times+=("$3"); notes+=("$4")
  printf 'arm64-check: %-4s %-22s %8s s  %s\n' "$2" "$1" "$3" "$4" >&2
  if [ "$2" = FAIL ] && [ -f "$logs/$1.log" ]; then
    tail -n 15 "$logs/$1.log" | sed 's/^/    | /' >&2
  fi
}
summary() {
  local failed=0 i
  echo
  echo "arm64-check: summary (mode: $mode, root: $root, jar: $(basename "$jar"))"
  for i in "${!names[@]}"; do
    printf '  %-4s  %-22s %8s s  %s\n' "${results[$i]}" "${names[$i]}" "${times[$i]}" "${notes[$i]}"
    [ "${results[$i]}" != FAIL ] || failed=$((failed + 1))
  done
  if [ "$failed" -gt 0 ]; then
    echo "arm64-check: FAILED: $failed of ${#names[@]} steps, $(secs "$t_all") s in all; logs in $logs"
    return 1
  fi
  echo "arm64-check: passed: ${#names[@]} steps, $(secs "$t_all") s in all"
}

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  mounted=()
}
trap cleanup EXIT
mounts_inside() { awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts; }
remove_root() {
  [ -z "$(mounts_inside)" ] || die "refusing to delete $root: something is mounted inside it ($(mounts_inside | head -1))"
  rm -rf "$root"
}

# Mode: binfmt if an arm64 binary of the root starts through chroot, else qemu -L.
qemu="$(command -v qemu-aarch64-static)" || die "no qemu-aarch64-static (apt-get install qemu-user-static)"
mode=""
pick_mode() {
  mode=L
  [ "$no_binfmt" = 0 ] || return 0
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || return 0
  # Where the registration names its interpreter without the F flag, the chroot needs it at that path.
  local interp
  interp="$(awk '$1 == "interpreter" { print $2 }' /proc/sys/fs/binfmt_misc/qemu-aarch64)"
  mkdir -p "$root/usr/bin"
  cp -f "$qemu" "$root/usr/bin/qemu-aarch64-static"
  if [ -n "$interp" ] && ! grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64; then
    mkdir -p "$root$(dirname "$interp")"
    cp -f "$qemu" "$root$interp"
  fi
  if chroot "$root" /bin/true 2>/dev/null; then mode=binfmt; fi
}

guest_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
  POCL_CACHE_DIR=/var/cache/edgecl-arm64/pocl EDGECL_CACHE_DIR=/var/cache/edgecl-arm64/edgecl
  XDG_CACHE_HOME=/var/cache/edgecl-arm64/xdg)
# in_root SECONDS BIN ARGS...: BIN (a path inside the root) run in the root's /work, under emulation.
in_root() {
  local t="$1"; shift
  if [ "$mode" = binfmt ]; then
    timeout -k 30 "$t" chroot "$root" /usr/bin/env -i "${guest_env[@]}" /bin/sh -c 'cd /work && exec "$@"' sh "$@"
  else
    # With -L a path missing from the root falls through to the host's files, so EdgeCL's search
    # could reach the host's x86-64 libOpenCL.so.1 first, and the JVM's stat() is not redirected
    # into the root: name the root's own library by its host path.
    (cd "$root/work" && timeout -k 30 "$t" env -i "${guest_env[@]}" \
      EDGECL_OPENCL_LIB="$root/usr/lib/aarch64-linux-gnu/libOpenCL.so.1" "$qemu" -L "$root" "$root$1" "${@:2}")
  fi
}
# run_step NAME SECONDS BIN ARGS...: output to $logs/NAME.log and $out, status to $rc, time to $took.
run_step() {
  local name="$1"; shift
  local t0; t0=$(now)
  echo "arm64-check: ... $name: $(basename "$2") ${*:3}" >&2
  set +e
  in_root "$@" >"$logs/$name.log" 2>&1
  rc=$?
  set -e
  took=$(secs "$t0")
  out="$(cat "$logs/$name.log")"
  [ "$rc" != 124 ] && [ "$rc" != 137 ] || out="$out
(timed out after $1 s)"
}

# ---- 1. the root filesystem -------------------------------------------------------------------
debian_mirror() {
  local u
  u="$( { awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp|file):/) { print $i; break } }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
          awk '$1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null
        } | grep -E '/debian/?$' | head -n 1 || true)"
  echo "${u:-http://deb.debian.org/debian}"
}

[ "$fresh" = 0 ] || { echo "arm64-check: --fresh: deleting $root" >&2; remove_root; }
t0=$(now)
if [ -f "$marker" ]; then
  pick_mode
  record rootfs pass "$(secs "$t0")" "reused ($(cat "$marker"))"
else
  if [ -e "$root" ]; then
    echo "arm64-check: $root is an unfinished build; starting it again" >&2
    remove_root
  fi
  mirror="${DEBIAN_MIRROR:-$(debian_mirror)}"
  mkdir -p "$debs"
  echo "arm64-check: ... rootfs: debootstrap first stage from $mirror (log: $logs/rootfs.log)" >&2
  built=""
  if debootstrap --arch=arm64 --foreign --variant=minbase --cache-dir="$debs" \
      --include=openjdk-17-jre-headless,pocl-opencl-icd,ocl-icd-libopencl1,clinfo \
      bookworm "$root" "$mirror" >"$logs/rootfs.log" 2>&1; then
    pick_mode
    if [ "$mode" = binfmt ]; then
      echo "arm64-check: ... rootfs: second stage in the chroot, emulated (the longest part)" >&2
      if chroot "$root" /debootstrap/debootstrap --second-stage >>"$logs/rootfs.log" 2>&1; then
        built="built with binfmt, debootstrap second stage"
      fi
    else
      echo "arm64-check: ... rootfs: no binfmt_misc; unpacking the .debs with dpkg-deb -x" >&2
      ok=1
      for d in "$root"/var/cache/apt/archives/*.deb; do
        dpkg-deb -x "$d" "$root" >>"$logs/rootfs.log" 2>&1 || { echo "dpkg-deb -x $d failed" >>"$logs/rootfs.log"; ok=0; }
      done
      ldconfig -r "$root" >>"$logs/rootfs.log" 2>&1 || "$qemu" -L "$root" "$root/sbin/ldconfig" -r "$root" \
        >>"$logs/rootfs.log" 2>&1 || echo "note: ldconfig failed; ld.so's default paths remain" >>"$logs/rootfs.log"
      [ "$ok" = 0 ] || built="built with dpkg-deb -x (no binfmt_misc)"
    fi
  fi
  if [ -n "$built" ]; then
    echo "$built, $(date -u +%Y-%m-%dT%H:%MZ), mirror $mirror" >"$marker"
    record rootfs pass "$(secs "$t0")" "$built"
  else
    record rootfs FAIL "$(secs "$t0")" "debootstrap failed, see $logs/rootfs.log"
    mode="${mode:-none}"
    summary || exit 1
  fi
fi

# /proc, /sys and /dev for the JVM, PoCL's hwloc and clinfo (binfmt mode: these are the chroot's).
if [ "$mode" = binfmt ]; then
  mount -t proc proc "$root/proc" && mounted+=("$root/proc")
  mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
  mount --bind /dev "$root/dev" && mounted+=("$root/dev")
fi
mkdir -p "$root/work" "$root/var/cache/edgecl-arm64/pocl" "$root/var/cache/edgecl-arm64/edgecl" \
  "$root/var/cache/edgecl-arm64/xdg" "$root/tmp"
cp -f "$jar" "$root/work/edgecl.jar"
cp -f "$sample" "$root/work/"
echo "arm64-check: mode $mode; jar $jar -> $root/work/edgecl.jar" >&2

# ---- 2. the checks ------------------------------------------------------------------------------
run_step uname "$timeout_s" /usr/bin/uname -m
if [ "$rc" = 0 ] && [ "$out" = aarch64 ]; then record uname pass "$took" "uname -m: aarch64"
else record uname FAIL "$took" "uname -m said '$out' (exit $rc)"; fi

run_step java-version "$timeout_s" "$java_bin" -version
if [ "$rc" = 0 ] && echo "$out" | grep -q 'version "17'; then
  record java-version pass "$took" "$(echo "$out" | head -n 1)"
else record java-version FAIL "$took" "java -version exit $rc"; fi

run_step clinfo "$timeout_s" /usr/bin/clinfo -l
if [ "$rc" = 0 ] && echo "$out" | grep -q 'Device #'; then
  platform="$(echo "$out" | grep -m1 'Platform #' | sed 's/.*Platform #[0-9]*: *//')"
  record clinfo pass "$took" "$platform: $(echo "$out" | grep 'Device #' | sed 's/.*Device #[0-9]*: *//' | paste -sd ' ' -)"
else record clinfo FAIL "$took" "clinfo -l exit $rc, no device"; fi

# The binding's native library as extracted from the jar: must be an aarch64 ELF.
elf_machine() { [ "$(od -An -tx1 -j18 -N2 "$1" 2>/dev/null | tr -d ' ')" = b700 ] && echo aarch64 || echo "NOT aarch64"; }
natives_of() {
  local pat="$1" f
  case "$pat" in jocl) pat='libJOCL*.so' ;; lwjgl) pat='liblwjgl.so' ;; esac
  find "$root/tmp" "$root/root" "$root/var/cache/edgecl-arm64" -name "$pat" -type f 2>/dev/null | while read -r f; do
    echo "${f#"$root"} ($(elf_machine "$f"))"
  done | sort -u | paste -sd ' ' -
}
for b in jocl lwjgl; do
  run_step "devices-$b" "$timeout_s" "$java_bin" -jar edgecl.jar devices --binding "$b"
  nat="$(natives_of "$b")"
  dev="$(echo "$out" | grep -m1 -E '^ *\*?[0-9]+:[0-9]+ ' | sed 's/^ *\*\{0,1\}//' || true)"
  hstr="$(echo "$out" | grep -m1 -o 'HSTR: [^,]*' | sed 's/HSTR: //' || true)"
  [ -z "$hstr" ] || dev="$dev ($hstr)"
  if [ "$rc" = 0 ] && echo "$out" | grep -q "^binding: $b" && [ -n "$dev" ] && ! echo "$nat" | grep -q 'NOT aarch64'; then
    record "devices-$b" pass "$took" "$dev; native: ${nat:-loaded from the jar}"
  else
    record "devices-$b" FAIL "$took" "binding $b: exit $rc${nat:+; native: $nat}"
  fi
done

for b in jocl lwjgl; do
  run_step "classify-$b" "$timeout_s" "$java_bin" -jar edgecl.jar classify --binding "$b" 00000_ankle_boot.png
  top1="$(echo "$out" | grep -m1 -E '^ +1\. +[0-9.]+%' | sed 's/^ *1\. *//' || true)"
  if [ "$rc" = 0 ] && echo "$top1" | grep -qi 'ankle boot'; then
    record "classify-$b" pass "$took" "top-1: $top1"
  else
    record "classify-$b" FAIL "$took" "binding $b: exit $rc, top-1 '${top1:-none}' (want Ankle boot)"
  fi
done

# One golden fixture: upstream PyTorch logits, compared on the host.
compare_logits() {  # compare_logits OUT.safetensors REF.safetensors
  python3 - "$1" "$2" <<'EOF'
import json, struct, sys
def tensor(path, name):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        if name not in header:
            sys.exit(f"{path}: no tensor '{name}'")
        meta = header[name]
        start, end = meta["data_offsets"]
        f.seek(8 + n + start)
        raw = f.read(end - start)
    fmt = {"F32": "f", "F64": "d", "F16": "e"}.get(meta["dtype"])
    if fmt is None:
        sys.exit(f"{path}: '{name}' has dtype {meta['dtype']}")
    count = len(raw) // struct.calcsize(fmt)
    return meta["shape"], struct.unpack(f"<{count}{fmt}", raw)
out_shape, out = tensor(sys.argv[1], "logits")
ref_shape, ref = tensor(sys.argv[2], "logits")
if out_shape != ref_shape:
    sys.exit(f"logits shape {out_shape}, reference {ref_shape}")
delta = max(abs(a - b) for a, b in zip(out, ref))
scale = max(1.0, max(abs(b) for b in ref))
tol = 1e-4 * scale
print(f"logits {out_shape}: max |delta| {delta:.3g}, tolerance {tol:.3g} (1e-4 x max(1, max|ref| {scale:.3g}))")
sys.exit(0 if delta <= tol else 1)
EOF
}
golden_dir() {
  local d
  for d in "${EDGECL_GOLDEN_DIR:-}" /work/shared/golden "$repo/../shared/golden" "$repo/shared/golden"; do
    [ -n "$d" ] && [ -d "$d" ] && { (cd "$d" && pwd); return 0; }
  done
  return 1
}
case_weights() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["weights"])' "$1/case.json"; }
if [ "$quick" = 1 ]; then
  record golden skip 0.0 "--quick"
elif ! gdir="$(golden_dir)"; then
  record golden skip 0.0 "no golden fixtures (/work/shared/golden, ../shared/golden; or EDGECL_GOLDEN_DIR)"
else
  if [ -n "${EDGECL_GOLDEN_CASE:-}" ]; then
    case_name="$EDGECL_GOLDEN_CASE"
  else
    case_name="$(for d in "$gdir"/*/; do [ -f "$d/case.json" ] && du -s "$d"; done | sort -n | head -n 1 \
      | awk '{ print $2 }' | xargs -r basename)"
  fi
  src="$gdir/$case_name"
  [ -n "$case_name" ] && [ -f "$src/case.json" ] || die "no fixture '$case_name' in $gdir"
  w="$(case_weights "$src")"
  rm -rf "$root/work/golden"; mkdir -p "$root/work/golden/$case_name"
  cp -f "$src/case.json" "$src/io.safetensors" "$src/$w" "$root/work/golden/$case_name/"
  rm -f "$root/work/golden-out.safetensors"
  run_step golden "$timeout_s" "$java_bin" -jar edgecl.jar predict --model-config "golden/$case_name/case.json" \
    -w "golden/$case_name/$w" --tensors "golden/$case_name/io.safetensors" --out golden-out.safetensors
  if [ "$rc" != 0 ] || [ ! -f "$root/work/golden-out.safetensors" ]; then
    record golden FAIL "$took" "$case_name: predict exit $rc"
  elif cmp="$(compare_logits "$root/work/golden-out.safetensors" "$src/io.safetensors" 2>&1)"; then
    record golden pass "$took" "$case_name: $cmp"
  else
    echo "$cmp" >>"$logs/golden.log"
    record golden FAIL "$took" "$case_name: $cmp"
  fi
fi

# selftest: only where the jar has the command (an unknown command prints the top-level usage).
has_selftest() {  # asked of the host's java where there is one (faster), else of the root's
  local help
  if command -v java >/dev/null; then help="$(java -jar "$jar" selftest --help 2>&1)" || return 1
  else help="$(in_root 600 "$java_bin" -jar edgecl.jar selftest --help 2>&1)" || return 1; fi
  echo "$help" | grep -q 'Usage: edgecl selftest'
}
read -r -a selftest_args <<<"${EDGECL_ARM64_SELFTEST_ARGS---no-variants --precision fp32}"
if [ "$selftest" = 0 ]; then
  record selftest skip 0.0 "--no-selftest"
elif has_selftest; then
  run_step selftest "$timeout_s" "$java_bin" -jar edgecl.jar selftest "${selftest_args[@]}"
  if [ "$rc" = 0 ]; then record selftest pass "$took" "$(echo "$out" | tail -n 1)"
  else record selftest FAIL "$took" "exit $rc: $(echo "$out" | tail -n 1)"; fi
else
  record selftest skip 0.0 "this jar has no selftest command"
fi

cleanup
summary
