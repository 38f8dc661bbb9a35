#!/usr/bin/env bash
# Packs what a bare Linux x86_64 machine with an NVIDIA driver, but no JDK, no Maven and no
# OpenCL ICD loader, needs to run EdgeCL: a jlinked Java runtime, the CLI jar, Debian's ICD
# loader (ocl-icd-libopencl1), an ICD file naming libnvidia-opencl.so.1, the small golden
# fixtures, and run.sh, which runs the checks there (devices, selftest, golden selftest,
# bench at batch 1 and 256, profile) with every step's output in a log folder and a summary.
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
#        tools/gpu-bundle.sh run-sh FILE
#          writes the bundle's run.sh to FILE only (to read it, or to try it on a stand-in bundle)
# On the GPU machine: tar xzf gpu-bundle.tar.gz && gpu-bundle/run.sh   (see gpu-bundle/README.txt)
# Needs: a JDK 17 with jlink, jdeps and jmods ($JAVA_HOME, else the one javac belongs to),
# dpkg-deb and apt-get (or an installed libOpenCL.so.1), objdump, tar, gzip. The runtime is as
# portable as the JDK it comes from: the target needs a glibc at least as new as the one the
# bundle's MANIFEST.txt names (run.sh checks).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
me="gpu-bundle"

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

secs_since() { echo "$(( ($(date +%s%N) - $1) / 1000000 ))" | awk '{printf "%.1f", $1 / 1000}'; }

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
  mkdir -p "$work/probe"
  cat >"$work/probe/Probe.java" <<'EOF'
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import javax.imageio.ImageIO;

public class Probe {
    public static void main(String[] a) throws Exception {
        var s = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.start();
        s.stop(0);
        Class.forName("sun.misc.Unsafe");
        for (String fmt : new String[] {"jpeg", "png", "bmp"}) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            img.setRGB(3, 3, 0xff8040);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            if (!ImageIO.write(img, fmt, o)) throw new IllegalStateException("no ImageIO writer for " + fmt);
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(o.toByteArray()));
            if (back == null || back.getWidth() != 8) throw new IllegalStateException("ImageIO cannot read " + fmt);
        }
        System.out.println("probe ok");
    }
}
EOF
  "$jdk/bin/javac" --release 17 -d "$work/probe" "$work/probe/Probe.java" >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "could not compile the runtime probe"; }
  "$rj" -Djava.awt.headless=true -cp "$work/probe" Probe >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "the bundled runtime lacks HttpServer, Unsafe or ImageIO codecs"; }
  # The jar's own readers (WebP, CMYK JPEG, TIFF: ImageIO plugins found through the jar's merged
  # META-INF/services) on the bundled runtime.
  cat >"$work/probe/Formats.java" <<'EOF'
public class Formats {
    public static void main(String[] a) {
        for (String f : a) {
            var img = io.edgecl.io.image.ImageDecoder.decode(java.nio.file.Path.of(f));
            System.out.println(f + ": " + img.width() + "x" + img.height());
        }
    }
}
EOF
  "$jdk/bin/javac" --release 17 -cp "$stage/edgecl.jar" -d "$work/probe" "$work/probe/Formats.java" >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "could not compile the image-format probe"; }
  "$rj" -Djava.awt.headless=true -cp "$stage/edgecl.jar:$work/probe" Formats tests/resources/images/formats/cat-lossy.webp \
      tests/resources/images/formats/cat-cmyk.jpg tests/resources/images/formats/cat-lzw.tif >"$work/p.out" 2>&1 \
    || { cat "$work/p.out" >&2; die "the bundled runtime cannot read WebP, CMYK JPEG or TIFF with the jar"; }

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
  write_env_sh "$stage/env.sh"
  write_launcher "$stage/edgecl"
  write_run_sh "$stage/run.sh"
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
  write_readme "$stage/README.txt"

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

write_env_sh() {
  cat >"$1" <<'EOF'
# Sourced by run.sh and ./edgecl: the bundle's loader and ICD file, fallback libraries where the
# system lacks them, and the glibc check. Values already set (OCL_ICD_VENDORS, EDGECL_OPENCL_LIB)
# are kept. Returns non-zero with a message when this machine cannot run the bundle.
if [ -z "${EDGECL_BUNDLE_ENV:-}" ]; then
  edgecl_b="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  edgecl_has_lib() { # is a library of this name where the dynamic linker finds it?
    local n="$1" d
    if { /sbin/ldconfig -p 2>/dev/null || /usr/sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } \
        | awk -v n="$n" '$1 == n && /x86-64/ {f = 1} END {exit !f}'; then return 0; fi
    for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 /lib /usr/lib; do
      [ -e "$d/$n" ] && return 0
    done
    return 1
  }
  edgecl_need="$(cat "$edgecl_b/lib/min-glibc" 2>/dev/null || echo 0)"
  edgecl_have="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}' || true)"
  [ -n "$edgecl_have" ] || edgecl_have="$(ldd --version 2>/dev/null | head -1 | grep -o '[0-9][0-9.]*$' || true)"
  if [ -z "$edgecl_have" ]; then
    echo "edgecl-bundle: this machine's glibc version is unknown (no getconf, no ldd); the bundle needs glibc $edgecl_need or newer" >&2
  elif [ "$(printf '%s\n%s\n' "$edgecl_need" "$edgecl_have" | sort -V | head -1)" != "$edgecl_need" ]; then
    echo "edgecl-bundle: this machine's glibc $edgecl_have is older than $edgecl_need, which the bundled Java runtime needs; use a newer system (Ubuntu 22.04+, Debian 12+, RHEL 9+)" >&2
    return 4
  fi
  edgecl_ld="$edgecl_b/lib"
  for edgecl_f in "$edgecl_b"/lib/fallback/*/; do
    [ -d "$edgecl_f" ] || continue
    edgecl_n="$(basename "$edgecl_f")"
    if ! edgecl_has_lib "$edgecl_n"; then
      edgecl_ld="$edgecl_ld:${edgecl_f%/}"
      echo "edgecl-bundle: $edgecl_n is not installed; using the bundle's copy" >&2
    fi
  done
  export LD_LIBRARY_PATH="$edgecl_ld${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export OCL_ICD_VENDORS="${OCL_ICD_VENDORS:-$edgecl_b/vendors}"
  export EDGECL_OPENCL_LIB="${EDGECL_OPENCL_LIB:-$edgecl_b/lib/libOpenCL.so.1}"
  export EDGECL_BUNDLE_ENV=1 EDGECL_BUNDLE_DIR="$edgecl_b"
  unset edgecl_b edgecl_need edgecl_have edgecl_ld edgecl_f edgecl_n
fi
EOF
}

write_launcher() {
  cat >"$1" <<'EOF'
#!/usr/bin/env bash
# EdgeCL with the bundle's Java runtime and OpenCL loader: ./edgecl COMMAND [OPTIONS] (./edgecl --help)
set -euo pipefail
b="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$b/env.sh" || exit $?
# shellcheck disable=SC2086
exec "$b/runtime/bin/java" -Djava.awt.headless=true ${EDGECL_JAVA_OPTS:-} -jar "$b/edgecl.jar" "$@"
EOF
}

write_readme() {
  cat >"$1" <<'EOF'
EdgeCL GPU bundle: runs EdgeCL on a Linux x86_64 machine with an NVIDIA driver and nothing else
(no JDK, no Maven, no OpenCL loader). See MANIFEST.txt for what was packed.

  ./run.sh                    the checks: devices, selftest, golden selftest, bench (batch 1, 256), profile;
                              logs in logs/TIME/, a summary at the end; exit 0 when all passed,
                              5 (INCOMPLETE) when selftest or the golden selftest did not run
  ./run.sh --device 0:0       choose the OpenCL device (also $EDGECL_DEVICE)
  ./run.sh --logs DIR         where the logs go (also $EDGECL_BUNDLE_LOGS)
  EDGECL_BUNDLE_QUICK=1 ./run.sh   small batches and iteration counts (a smoke test)
  ./edgecl COMMAND ...        any EdgeCL command with the bundled runtime, e.g. ./edgecl devices

Contents: runtime/ (jlinked Java), edgecl.jar, lib/libOpenCL.so.1 (ocl-icd), vendors/nvidia.icd
(names libnvidia-opencl.so.1; set OCL_ICD_VENDORS to use other ICD files), lib/fallback/ (used
only where the system lacks them), golden/ (reference fixtures), env.sh (the environment).
EOF
}

write_run_sh() {
  cat >"$1" <<'EOF'
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
order=()
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
  local s; s="$(( ($(date +%s%N) - t0) / 1000000 ))"
  s="$(awk -v m="$s" 'BEGIN {printf "%.1f", m / 1000}')"
  order+=("$name"); secs[$name]="$s"
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
jnum() { # jnum FILE BLOCK KEY: the first KEY after "BLOCK": in the file (BLOCK empty: anywhere)
  [ -f "$1" ] || return 0
  awk -v b="\"$2\":" -v k="\"$3\":" 'b == "\"\":" || index($0, b) {f = 1}
    f && index($0, k) {v = $0; sub(/^[^:]*: */, "", v); sub(/[[:space:]]*,?[[:space:]]*$/, "", v); print v; exit}' "$1"
}
fmt() { [ -n "$1" ] && awk -v v="$1" -v p="$2" 'BEGIN {printf "%." p "f", v}' || echo "?"; }
j1="$logs/bench-b1.json"; jn="$logs/bench-b$nbig.json"
devname="$(jnum "$j1" "" device | tr -d '"')"
{
  echo
  echo "===== EdgeCL GPU bundle summary$([ "$quick" = 1 ] && echo " (quick mode)")"
  echo "device:            ${devname:-?}  (OpenCL library $library)"
  echo "devices:           ${status[devices]:-not run}"
  st_json="$logs/selftest.json"
  if [ -f "$st_json" ] && [ -s "$st_json" ]; then
    selftest_state="$selftest_state  ($(grep -c '"status":' "$st_json") checks, $(jnum "$st_json" "" failures) failed, ${secs[selftest]} s)"
  fi
  gd_line="$(grep -m1 '^selftest: ' "$logs/selftest-golden.log" 2>/dev/null)"
  echo "selftest:          $selftest_state"
  echo "selftest golden:   $golden_state${gd_line:+  [$gd_line]}"
  if [[ "${status[bench-b1]:-}" == ok* ]]; then
    echo "latency batch 1:   median $(fmt "$(jnum "$j1" wall_ms medianMs)" 3) ms wall, $(fmt "$(jnum "$j1" device_ms medianMs)" 3) ms device  (${b1[*]})"
  else
    echo "latency batch 1:   ${status[bench-b1]:-not run}"
  fi
  if [[ "${status[bench-b$nbig]:-}" == ok* ]]; then
    echo "images/s batch $nbig: $(fmt "$(jnum "$jn" "" images_per_s)" 1)  (median $(fmt "$(jnum "$jn" wall_ms medianMs)" 2) ms wall per forward; ${bn[*]})"
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
EOF
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
    sed 's/^/  | /' "$work/run1.out"
    local why=""
    [ "$rc" = "$want_rc" ] || why="exit $rc"
    grep -q "FAKE .* CALLED" "$work/run1.out" && why="${why:+$why; }the system's java/mvn was called"
    grep -q "^result: *$want_result" "$work/run1.out" || why="${why:+$why; }no $want_result in the summary"
    grep -q "^selftest: *PASS" "$work/run1.out" || why="${why:+$why; }selftest did not pass"
    grep -qF "OpenCL library $bundle/lib/libOpenCL.so.1" "$work/run1.out" || why="${why:+$why; }not the bundle's libOpenCL.so.1"
    if [ -z "$why" ]; then results+=("1 PoCL run:          PASS ($(secs_since "$t0") s)")
    else results+=("1 PoCL run:          FAIL: $why ($(secs_since "$t0") s)"); fails=$((fails + 1)); fi
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
    sed 's/^/  | /' "$work/run3.out"
    local why3=""
    [ "$rc3" = "$want_rc" ] || why3="exit $rc3"
    grep -q "^result: *$want_result" "$work/run3.out" || why3="${why3:+$why3; }no $want_result in the summary"
    grep -q "^selftest: *PASS" "$work/run3.out" || why3="${why3:+$why3; }selftest did not pass"
    grep -qF "OpenCL library $bundle/lib/libOpenCL.so.1" "$work/run3.out" || why3="${why3:+$why3; }not the bundle's libOpenCL.so.1"
    if [ -z "$why3" ]; then results+=("3 own libOpenCL:     PASS (system libOpenCL.so.1 and JDK hidden; $(secs_since "$t0") s)")
    else results+=("3 own libOpenCL:     FAIL: $why3"); fails=$((fails + 1)); fi
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
  run-sh)
    [ $# -eq 2 ] || die "usage: tools/gpu-bundle.sh run-sh FILE"
    f="$2"; case "$f" in /*) ;; *) f="$OLDPWD/$f" ;; esac # relative to where the script was called from
    write_run_sh "$f"; chmod +x "$f" ;;
  -h|--help|help) usage ;;
  "") usage; exit 2 ;;
  *) die "unknown command '$1' (build, test or run-sh; see --help)" ;;
esac
