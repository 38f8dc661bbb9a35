#!/usr/bin/env bash
# Packs what a bare Linux x86_64 machine with an NVIDIA driver, but no JDK, no Maven and no
# OpenCL ICD loader, needs to run EdgeCL: a jlinked Java runtime, the CLI jar, Debian's ICD
# loader (ocl-icd-libopencl1), an ICD file naming libnvidia-opencl.so.1, the small golden
# fixtures, and the files in tools/gpu-bundle/: run.sh, which runs the checks there (devices,
# selftest, golden selftest, bench at batch 1 and 256, profile) with every step's output in a log
# folder and a summary; the ./edgecl launcher, env.sh (the environment both use) and README.txt;
# and tools/signal-chaining.sh, which the launcher sources.
#
# Usage: tools/gpu-bundle.sh build [--out DIR] [--golden DIR] [--cases A,B,...] [--jar FILE]
#          --out     the bundle folder (default target/gpu-bundle); DIR.tar.gz is written beside it
#          --golden  the fixture folders (default ../shared/golden next to the repository; a
#                    missing default is only a warning, the bundle then has no golden step and its
#                    run.sh ends INCOMPLETE; under EDGECL_STRICT=1 it is an error)
#          --cases   which fixture folders (default: the small ones, one or more per family;
#                    model.onnx files are left out: only ONNX Runtime comparisons read them)
#          --jar     the CLI jar (default target/edgecl-VERSION-cli.jar, built with Maven if missing)
#        tools/gpu-bundle.sh test [--out DIR] [--golden DIR]
#          builds the bundle, unpacks the tar.gz and runs run.sh as a bare machine would
#          (env -i, no JDK on PATH) on PoCL, the CPU OpenCL driver, in quick mode; then with only
#          nvidia.icd to see the "no NVIDIA OpenCL platform" failure; then, where unshare -m is
#          permitted (root), with the system's libOpenCL.so.1 and /usr/lib/jvm hidden. A run must
#          end "result: PASS" (INCOMPLETE, exit 5, where the bundle has no golden/). Without PoCL
#          the first and third are SKIPPED, without root the third; under EDGECL_STRICT=1 (CI) such
#          a skip fails the test. The second is skipped where libnvidia-opencl.so.1 exists (a GPU
#          machine), in strict mode too.
# On the GPU machine: tar xzf gpu-bundle.tar.gz && gpu-bundle/run.sh   (see gpu-bundle/README.txt)
# Needs: a JDK 17 with jlink, jdeps and jmods ($JAVA_HOME, else the one javac belongs to),
# dpkg-deb and apt-get (or an installed libOpenCL.so.1), objdump, tar, gzip. The runtime is as
# portable as the JDK it comes from: the target needs a glibc at least as new as the one the
# bundle's MANIFEST.txt names (its env.sh checks).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
me="gpu-bundle"
files="$root/tools/gpu-bundle" # what is copied into the bundle as it is

die() { echo "$me: $*" >&2; exit 1; }
note() { echo "$me: $*" >&2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; }

# Golden cases bundled by default: every family once or more, each folder under ~7 MB (42 MB
# in all); edgevit_xxs (18 MB), mobilenetv3_large_035, mobilenetv2_050 and mobilevit_xxs
# (8 MB each) are left to --cases.
default_cases="edgenext_xx_small,edgenext_xx_small_official,edgenext_tiny,edgenext_rw_tiny,mobilevit_xxs_64,mobilenetv1_025,mobilenetv3_small_050,efficientnet_b0_025,efficientnetv2_rw_025,efficientnetv2_tf_025,convnext_tiny_cfg,edgevit_tiny"
# Libraries that the runtime, the OpenCL loader or the JNI natives need beyond glibc and that a
# minimal system may lack; copied into lib/fallback/NAME/ and used only where the target has none.
fallback_libs="libz.so.1 libstdc++.so.6 libgcc_s.so.1 libjpeg.so.62 liblcms2.so.2"
multiarch="x86_64-linux-gnu"

out="$root/target/gpu-bundle"
golden="$(cd "$root/.." && pwd)/shared/golden"
golden_given=0
cases="$default_cases"
jar=""

parse_opts() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --out) [ $# -ge 2 ] || die "--out needs a folder"; out="$2"; shift 2 ;;
      --golden) [ $# -ge 2 ] || die "--golden needs a folder"; golden="$2"; golden_given=1; shift 2 ;;
      --cases) [ $# -ge 2 ] || die "--cases needs a comma-separated list"; cases="$2"; shift 2 ;;
      --jar) [ $# -ge 2 ] || die "--jar needs a file"; jar="$2"; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option '$1' (see --help)" ;;
    esac
  done
  case "$out" in /*) ;; *) out="$root/$out" ;; esac
  out="${out%/}"
}

secs_since() { local ms="$(( ($(date +%s%N) - $1) / 1000000 ))"; echo "$((ms / 1000)).$((ms % 1000 / 100))"; }

find_jdk() {
  local jdk=""
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then
    jdk="$JAVA_HOME"
  elif command -v javac >/dev/null 2>&1; then
    jdk="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
  fi
  [ -n "$jdk" ] && [ -x "$jdk/bin/jlink" ] && [ -x "$jdk/bin/jdeps" ] \
    || die "no JDK with jlink and jdeps: set JAVA_HOME or install openjdk-17-jdk-headless"
  local v
  v="$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "the JDK at $jdk is Java $v; EdgeCL needs 17 or newer"
  echo "$jdk"
}

# Where a library of this name lives on the build machine (for copying), or nothing.
find_system_lib() {
  local name="$1" p d
  p="$( { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null || true; } \
        | awk -v n="$name" '$1 == n && /x86-64/ {print $NF; exit}')"
  if [ -n "$p" ] && [ -e "$p" ]; then echo "$p"; return; fi
  for d in "/usr/lib/$multiarch" "/lib/$multiarch" /usr/lib64 /lib64 /usr/lib /lib; do
    if [ -e "$d/$name" ]; then echo "$d/$name"; return; fi
  done
}

cmd_build() {
  parse_opts "$@"
  local start; start=$(date +%s%N)
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "builds x86_64 Linux bundles on x86_64 Linux only (this is $(uname -sm))"
  for t in objdump readelf tar gzip; do
    command -v "$t" >/dev/null 2>&1 || die "$t is needed (apt-get install binutils tar gzip)"
  done
  local jdk; jdk="$(find_jdk)"
  local version
  version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)"
  [ -n "$version" ] || die "no <version> in $root/pom.xml"
  if [ -z "$jar" ]; then
    jar="$root/target/edgecl-$version-cli.jar"
    if [ ! -f "$jar" ]; then
      command -v mvn >/dev/null 2>&1 || die "$jar is missing and Maven (mvn) is not installed to build it"
      note "building $jar (mvn -B -q package -DskipTests) ..."
      (cd "$root" && mvn -B -q package -DskipTests) || die "the Maven build failed"
      [ -f "$jar" ] || die "the Maven build did not produce $jar"
    fi
  fi
  [ -f "$jar" ] || die "no jar at $jar"

  local cases_list=()
  if [ -d "$golden" ]; then
    local c
    IFS=, read -r -a cases_list <<<"$cases"
    for c in "${cases_list[@]}"; do
      [ -f "$golden/$c/case.json" ] || die "golden case '$c' not found: $golden/$c/case.json"
    done
  elif [ "$golden_given" = 1 ]; then
    die "no golden folder at $golden"
  elif [ "${EDGECL_STRICT:-0}" = 1 ]; then
    die "no golden folder at $golden; a bundle without the golden step is not allowed in strict mode (EDGECL_STRICT=1)"
  else
    note "warning: no golden folder at $golden; the bundle has no golden fixtures"
  fi

  local work; work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local stage="$out.partial"
  rm -rf "$stage"
  mkdir -p "$stage/lib/fallback" "$stage/vendors" "$stage/licenses"
  cp "$jar" "$stage/edgecl.jar"

  # 1. The Java runtime: the jar's modules as jdeps sees them, plus what it loads reflectively.
  note "jdeps: finding the modules $(basename "$jar") needs ..."
  local mods
  mods="$("$jdk/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 "$jar" 2>"$work/jdeps.err")" \
    || { cat "$work/jdeps.err" >&2; die "jdeps failed on $jar"; }
  mods="$(echo "$mods" | tail -1)"
  [ -n "$mods" ] || die "jdeps printed no modules for $jar"
  # jdk.unsupported: sun.misc.Unsafe for LWJGL; jdk.httpserver: `edgecl serve`; java.logging:
  # used by JDK internals and libraries reflectively; jdk.zipfs: jar file systems.
  mods="$(echo "$mods,jdk.unsupported,jdk.httpserver,java.logging,jdk.zipfs" | tr , '\n' | sort -u | paste -sd, -)"
  note "jlink: $mods"
  # No --generate-cds-archive: its two archives (22 MB) save about 0.2 s a command.
  local jlink_opts=(--strip-debug --no-header-files --no-man-pages --compress=2)
  "$jdk/bin/jlink" --module-path "$jdk/jmods" --add-modules "$mods" "${jlink_opts[@]}" \
    --output "$stage/runtime" >"$work/jlink.log" 2>&1 \
    || { cat "$work/jlink.log" >&2; die "jlink failed (does $jdk have jmods/? Debian: openjdk-17-jdk-headless)"; }

  # 2. Does the runtime run the jar? Its commands, both bindings' natives, and the JDK parts
  #    that commands load late (HttpServer for serve, ImageIO's JPEG/PNG codecs for classify).
  local rj="$stage/runtime/bin/java"
  "$rj" -Djava.awt.headless=true -jar "$stage/edgecl.jar" --version >"$work/v.out" 2>&1 \
    || { cat "$work/v.out" >&2; die "the bundled runtime cannot run the jar (--version)"; }
  local jar_version; jar_version="$(head -1 "$work/v.out")"
  local c2
  for c2 in "models" "serve --help" "classify --help" "bench --help"; do
    # shellcheck disable=SC2086
    "$rj" -Djava.awt.headless=true -jar "$stage/edgecl.jar" $c2 >"$work/c.out" 2>&1 \
      || { tail -20 "$work/c.out" >&2; die "the bundled runtime failed on 'edgecl $c2'"; }
  done
  local b
  for b in jocl lwjgl; do
    # No OpenCL platform on the build machine is fine; a missing class or native library is not.
    if ! "$rj" -Djava.awt.headless=true -jar "$stage/edgecl.jar" devices --json --binding "$b" >"$work/d.out" 2>&1 \
        && ! grep -q "no OpenCL platform found" "$work/d.out"; then
      tail -20 "$work/d.out" >&2
      die "the bundled runtime failed on 'edgecl devices --binding $b'"
    fi
  done
  # What jdeps cannot see: HttpServer, Unsafe, ImageIO codecs, the jar's WebP/CMYK JPEG/TIFF readers.
  mkdir -p "$work/probe"
  "$jdk/bin/javac" --release 17 -cp "$stage/edgecl.jar" -d "$work/probe" "$files/RuntimeProbe.java" >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "could not compile $files/RuntimeProbe.java"; }
  "$rj" -Djava.awt.headless=true -cp "$stage/edgecl.jar:$work/probe" RuntimeProbe tests/resources/images/formats/cat-lossy.webp \
      tests/resources/images/formats/cat-cmyk.jpg tests/resources/images/formats/cat-lzw.tif >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "the bundled runtime lacks HttpServer, Unsafe, ImageIO codecs or the jar's image readers"; }
  # run.sh's summary reads the steps' JSON with the jar's JsonFields.
  printf '{"a": {"b": 1.5}, "c": [1, 2]}' >"$work/probe.json"
  [ "$("$rj" -cp "$stage/edgecl.jar" io.edgecl.cli.JsonFields -f "$work/probe.json" a.b 'c#' 2>&1 | paste -sd' ' -)" = "1.5 2" ] \
    || die "the bundled runtime cannot run io.edgecl.cli.JsonFields from $(basename "$jar"), which run.sh needs"

  # 3. The OpenCL ICD loader, from Debian's package (or this machine's copy of it).
  local icd_src=""
  mkdir -p "$work/deb"
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 \
      && (cd "$work/deb" && apt-get download -q ocl-icd-libopencl1:amd64) >"$work/apt.log" 2>&1; then
    dpkg-deb -x "$work"/deb/ocl-icd-libopencl1_*.deb "$work/deb/x" || die "dpkg-deb could not unpack the ocl-icd-libopencl1 package"
    cp -a "$work/deb/x/usr/lib/$multiarch"/libOpenCL.so.1* "$stage/lib/" \
      || die "the ocl-icd-libopencl1 package has no usr/lib/$multiarch/libOpenCL.so.1"
    cp "$work/deb/x/usr/share/doc/ocl-icd-libopencl1/copyright" "$stage/licenses/ocl-icd.copyright" 2>/dev/null || true
    icd_src="$(basename "$work"/deb/ocl-icd-libopencl1_*.deb)"
  else
    note "warning: apt-get download ocl-icd-libopencl1 failed ($(tail -1 "$work/apt.log" 2>/dev/null)); using this machine's copy"
    ls "/usr/lib/$multiarch"/libOpenCL.so.1.* >/dev/null 2>&1 \
      || die "no ocl-icd-libopencl1 package could be downloaded and /usr/lib/$multiarch/libOpenCL.so.1.* does not exist"
    cp -a "/usr/lib/$multiarch"/libOpenCL.so.1* "$stage/lib/"
    cp /usr/share/doc/ocl-icd-libopencl1/copyright "$stage/licenses/ocl-icd.copyright" 2>/dev/null || true
    icd_src="/usr/lib/$multiarch/$(cd "/usr/lib/$multiarch" && ls libOpenCL.so.1.* | head -1) ($(dpkg-query -W -f '${Package} ${Version}' ocl-icd-libopencl1 2>/dev/null || echo 'package unknown'))"
  fi
  [ -e "$stage/lib/libOpenCL.so.1" ] || die "lib/libOpenCL.so.1 is missing from the bundle"
  printf 'libnvidia-opencl.so.1\n' >"$stage/vendors/nvidia.icd"

  # 4. Fallback copies of the non-glibc libraries the ELF files need; and the newest glibc
  #    symbol version they need, which the target must have.
  local l p
  for l in $fallback_libs; do
    p="$(find_system_lib "$l")"
    if [ -n "$p" ]; then
      mkdir -p "$stage/lib/fallback/$l"
      cp -L "$p" "$stage/lib/fallback/$l/$l"
    else
      note "warning: $l not found on this machine; no fallback copy of it"
    fi
  done
  mkdir -p "$work/natives"
  (cd "$work/natives" && unzip -q -o "$stage/edgecl.jar" 'lib/libJOCL_*-linux-x86_64.so' 'linux/x64/org/lwjgl/*.so' 2>/dev/null || true)
  local elfs=()
  while IFS= read -r -d '' p; do
    if [ "$(head -c 4 "$p" | od -An -c | tr -d ' ')" = '177ELF' ]; then elfs+=("$p"); fi
  done < <(find "$stage/runtime" "$stage/lib" "$work/natives" -path "$stage/lib/fallback" -prune -o -type f -print0)
  local min_glibc
  min_glibc="$(for p in "${elfs[@]}"; do objdump -T "$p" 2>/dev/null; done | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
  [ -n "$min_glibc" ] || die "could not read the glibc versions the bundle's libraries need (objdump -T)"
  local provided needed
  provided="$(for p in "${elfs[@]}"; do basename "$p"; done | sort -u)"
  needed="$(for p in "${elfs[@]}"; do readelf -d "$p" 2>/dev/null; done | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u \
            | grep -vxF -f <(echo "$provided") || true)"
  echo "$min_glibc" >"$stage/lib/min-glibc"

  # 5. Golden fixtures.
  if [ ${#cases_list[@]} -gt 0 ]; then
    mkdir -p "$stage/golden"
    cp "$golden/README.md" "$stage/golden/" 2>/dev/null || true
    for c in "${cases_list[@]}"; do
      mkdir -p "$stage/golden/$c"
      find "$golden/$c" -maxdepth 1 -type f ! -name '*.onnx' -exec cp {} "$stage/golden/$c/" \;
    done
  fi

  # 6. The scripts that run on the target.
  cp "$files/env.sh" "$files/edgecl" "$files/run.sh" "$stage/"
  cp "$root/tools/signal-chaining.sh" "$stage/"
  chmod +x "$stage/edgecl" "$stage/run.sh"
  cp "$jdk/legal/java.base/LICENSE" "$stage/licenses/openjdk.LICENSE" 2>/dev/null || true
  local commit; commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  local dirty=""
  [ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] || dirty=" (uncommitted changes)"
  {
    echo "EdgeCL GPU bundle"
    echo "built:        $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -sr)"
    echo "jar:          edgecl.jar ($jar_version, from $(basename "$jar"), commit $commit$dirty)"
    echo "runtime:      $("$jdk/bin/java" -version 2>&1 | sed -n 2p), jlinked: $mods"
    echo "opencl:       lib/libOpenCL.so.1 from $icd_src"
    echo "icd:          vendors/nvidia.icd -> libnvidia-opencl.so.1 (the NVIDIA driver's)"
    echo "min glibc:    $min_glibc (the target's glibc must be this or newer)"
    echo "system libs:  $(echo "$needed" | paste -sd' ' -) (X11, sound, font and GTK ones: unused headless)"
    echo "fallbacks:    $(cd "$stage/lib/fallback" && ls | paste -sd' ' -) (used only where the target lacks them)"
    echo "golden:       ${cases_list[*]:-none}"
  } >"$stage/MANIFEST.txt"
  cp "$files/README.txt" "$stage/README.txt"

  rm -rf "$out"
  mv "$stage" "$out"
  local tgz="$out.tar.gz"
  note "packing $tgz ..."
  tar -C "$(dirname "$out")" -czf "$tgz.partial" "$(basename "$out")"
  mv "$tgz.partial" "$tgz"
  echo "$me: bundle $out ($(du -sh "$out" | cut -f1); runtime $(du -sh "$out/runtime" | cut -f1), golden $(du -sh "$out/golden" 2>/dev/null | cut -f1 || echo 0))"
  echo "$me: archive $tgz ($(du -h "$tgz" | cut -f1), $(stat -c %s "$tgz") bytes)"
  echo "$me: build took $(secs_since "$start") s"
}

# --- test ---

cmd_test() {
  parse_opts "$@"
  local t_all; t_all=$(date +%s%N)
  local work; work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  local t0; t0=$(date +%s%N)
  bash "$0" build "$@" || die "test: FAILED: the build"
  local t_build; t_build="$(secs_since "$t0")"
  local name; name="$(basename "$out")"
  mkdir -p "$work/x" "$work/home" "$work/fakebin"
  tar -C "$work/x" -xzf "$out.tar.gz" || die "test: FAILED: cannot unpack $out.tar.gz"
  local bundle="$work/x/$name"
  # A bare machine: no JDK, no Maven. These stand-ins on PATH fail loudly if anything calls them.
  local t
  for t in java javac jlink mvn; do
    printf '#!/bin/sh\necho "FAKE %s CALLED: the bundle used the system %s" >&2\nexit 97\n' "$t" "$t" >"$work/fakebin/$t"
    chmod +x "$work/fakebin/$t"
  done
  local bare=(env -i "PATH=$work/fakebin:/usr/bin:/bin" "HOME=$work/home" "TMPDIR=$work/tmp")
  mkdir -p "$work/tmp"
  local results=() fails=0 skips=0
  # skipped LABEL REASON [allowed]: a test that could not run here; a failure in strict mode
  # unless allowed (where the machine makes the test meaningless, not where it lacks something).
  skipped() {
    if [ "${EDGECL_STRICT:-0}" = 1 ] && [ "${3:-}" != allowed ]; then
      results+=("$1 FAIL: SKIPPED ($2), and a skip is not allowed in strict mode (EDGECL_STRICT=1)")
      fails=$((fails + 1))
    else
      results+=("$1 SKIPPED ($2)")
      skips=$((skips + 1))
    fi
  }
  # A full run ends "result: PASS", exit 0; a bundle without golden/ has no golden step, so its run
  # ends "result: INCOMPLETE", exit 5 (gpu-bundle.sh build refuses that in strict mode).
  local want_rc=0 want_result=PASS
  if [ ! -d "$bundle/golden" ]; then
    want_rc=5; want_result=INCOMPLETE
    note "test: the bundle has no golden/, so run.sh should end INCOMPLETE (exit 5)"
  fi

  # judge LABEL N RC [NOTE]: a PoCL run of run.sh (output in runN.out, started at t0) must end as
  # wanted, on the bundle's libOpenCL.so.1, with selftest passed, the summary's figures read from
  # the steps' JSON, and no system java or mvn called.
  judge() {
    local f="$work/run$2.out" why=""
    sed 's/^/  | /' "$f"
    [ "$3" = "$want_rc" ] || why="exit $3"
    grep -q "FAKE .* CALLED" "$f" && why="${why:+$why; }the system's java/mvn was called"
    grep -q "^result: *$want_result" "$f" || why="${why:+$why; }no $want_result in the summary"
    grep -q "^selftest: *PASS" "$f" || why="${why:+$why; }selftest did not pass"
    grep -q '^latency batch 1: *median [0-9.]* ms wall, [0-9.]* ms device' "$f" \
      || why="${why:+$why; }no latency figures in the summary"
    grep -qF "OpenCL library $bundle/lib/libOpenCL.so.1" "$f" || why="${why:+$why; }not the bundle's libOpenCL.so.1"
    if [ -z "$why" ]; then results+=("$1 PASS (${4:+$4; }$(secs_since "$t0") s)")
    else results+=("$1 FAIL: $why ($(secs_since "$t0") s)"); fails=$((fails + 1)); fi
  }

  # PoCL's ICD file, with the library as an absolute path so nothing else is searched.
  local pocl_icd pocl_lib=""
  pocl_icd="$(ls /etc/OpenCL/vendors/*pocl*.icd 2>/dev/null | head -1 || true)"
  if [ -n "$pocl_icd" ]; then
    pocl_lib="$(head -1 "$pocl_icd" | tr -d '\r[:space:]')"
    case "$pocl_lib" in
      /*) ;;
      *) pocl_lib="$(find_system_lib "$pocl_lib")" ;;
    esac
  fi
  [ -n "$pocl_lib" ] || pocl_lib="/usr/lib/$multiarch/pocl/libpocl.so.2"
  local have_pocl=0
  if [ -f "$pocl_lib" ]; then
    have_pocl=1
    mkdir -p "$work/vendors-pocl"
    echo "$pocl_lib" >"$work/vendors-pocl/pocl.icd"
  fi

  # 1. The whole run.sh on PoCL, quick mode.
  if [ "$have_pocl" = 1 ]; then
    echo; echo "$me: test 1/3: run.sh on PoCL ($pocl_lib), env -i, quick mode"
    t0=$(date +%s%N)
    local rc=0
    "${bare[@]}" OCL_ICD_VENDORS="$work/vendors-pocl" EDGECL_BUNDLE_QUICK=1 bash "$bundle/run.sh" --logs "$work/logs-pocl" \
      >"$work/run1.out" 2>&1 || rc=$?
    judge "1 PoCL run:         " 1 "$rc"
  else
    skipped "1 PoCL run:         " "no PoCL ICD on this machine: apt-get install pocl-opencl-icd"
  fi

  # 2. Only nvidia.icd (the bundle's default) where no NVIDIA driver is: the clear failure.
  echo; echo "$me: test 2/3: run.sh with only vendors/nvidia.icd"
  t0=$(date +%s%N)
  if [ -n "$(find_system_lib libnvidia-opencl.so.1)" ]; then
    skipped "2 no-NVIDIA message:" "this machine has libnvidia-opencl.so.1" allowed
  else
    local rc2=0
    "${bare[@]}" bash "$bundle/run.sh" --logs "$work/logs-nv" >"$work/run2.out" 2>&1 || rc2=$?
    sed 's/^/  | /' "$work/run2.out"
    if [ "$rc2" != 0 ] && grep -q "no NVIDIA OpenCL platform: is the driver installed? libnvidia-opencl.so.1 not found" "$work/run2.out"; then
      results+=("2 no-NVIDIA message: PASS (exit $rc2, $(secs_since "$t0") s)")
    else
      results+=("2 no-NVIDIA message: FAIL (exit $rc2, message missing)"); fails=$((fails + 1))
    fi
  fi

  # 3. In a private mount namespace: the system's libOpenCL.so.1 is /dev/null and /usr/lib/jvm empty.
  echo; echo "$me: test 3/3: run.sh with the system's libOpenCL.so.1 and /usr/lib/jvm hidden (unshare -m)"
  local sys_ocl="/usr/lib/$multiarch/libOpenCL.so.1"
  if [ "$have_pocl" != 1 ]; then
    skipped "3 own libOpenCL:    " "no PoCL"
  elif [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    skipped "3 own libOpenCL:    " "unshare -m is not permitted here; needs root"
  else
    t0=$(date +%s%N)
    local hide="set -e; " rc3=0
    [ -e "$sys_ocl" ] && hide+="mount --bind /dev/null '$sys_ocl'; [ ! -s '$sys_ocl' ]; "
    [ -d /usr/lib/jvm ] && hide+="mount -t tmpfs edgecl-nojdk /usr/lib/jvm; "
    unshare -m bash -c "$hide"'exec "$@"' hide "${bare[@]}" OCL_ICD_VENDORS="$work/vendors-pocl" EDGECL_BUNDLE_QUICK=1 \
      bash "$bundle/run.sh" --logs "$work/logs-ns" >"$work/run3.out" 2>&1 || rc3=$?
    judge "3 own libOpenCL:    " 3 "$rc3" "system libOpenCL.so.1 and JDK hidden"
  fi

  rm -rf "$out-test-logs"; mkdir -p "$out-test-logs"
  for t in pocl nv ns; do [ -d "$work/logs-$t" ] && cp -r "$work/logs-$t" "$out-test-logs/$t"; done
  cp "$work"/run*.out "$out-test-logs/" 2>/dev/null || true
  echo
  echo "$me: test logs kept in $out-test-logs"
  echo "===== $me test: build ${t_build} s, total $(secs_since "$t_all") s; archive $(du -h "$out.tar.gz" | cut -f1)"
  printf '%s\n' "${results[@]}"
  [ "$fails" = 0 ] || die "test: FAILED ($fails of 3)"
  if [ "$skips" = 0 ]; then echo "$me: test passed"; else echo "$me: test passed ($skips of 3 skipped)"; fi
}

case "${1:-}" in
  build) shift; cmd_build "$@" ;;
  test) shift; cmd_test "$@" ;;
  -h|--help|help) usage ;;
  "") usage; exit 2 ;;
  *) die "unknown command '$1' (build or test; see --help)" ;;
esac
