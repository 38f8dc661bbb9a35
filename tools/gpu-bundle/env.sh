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
