# PoCL's CPU workers poll before they sleep (tools/pocl-spin.c), sourced by ./edgecl and
# spark/edgecl-spark (local master) before they start Java:
#   . tools/pocl-spin.sh && edgecl_pocl_spin
# Builds the library once per version of its source into EdgeCL's cache ($EDGECL_CACHE_DIR, else
# $XDG_CACHE_HOME/edgecl, else ~/.cache/edgecl), with the first of cc, gcc, clang and clang-N
# found (Debian's PoCL depends on clang-N, so where it is installed there is a compiler), and
# adds it to LD_PRELOAD. With EDGECL_POCL_SPIN_US=0, without a C compiler, or where the build
# fails, LD_PRELOAD is left as it is (`edgecl bench` says how PoCL's workers wait).
# `edgecl_pocl_spin_lib` prints the library's path (building it if needed), or nothing (also with
# EDGECL_POCL_SPIN_US=0).
edgecl_pocl_spin_lib() {
  local src dir lib cc tmp
  [ "${EDGECL_POCL_SPIN_US:-}" != 0 ] || return 0
  src="$(dirname "${BASH_SOURCE[0]}")/pocl-spin.c"
  [ -f "$src" ] || return 0
  dir="${EDGECL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/edgecl}/native"
  lib="$dir/libedgecl-pocl-spin-$(cksum <"$src" | cut -d ' ' -f 1).so"
  if [ ! -f "$lib" ]; then
    cc="$(command -v cc || command -v gcc || command -v clang || true)"
    [ -n "$cc" ] || cc="$(compgen -c clang- | grep -E '^clang-[0-9]+$' | sort -t - -k 2 -n | tail -n 1)"
    [ -n "$cc" ] || return 0
    mkdir -p "$dir" 2>/dev/null || return 0
    # built beside its final name and moved into place: a concurrent launcher never loads half a file
    tmp="$lib.$$.tmp"
    if "$cc" -O2 -shared -fPIC -o "$tmp" "$src" -ldl >/dev/null 2>&1; then
      mv -f "$tmp" "$lib"
    else
      rm -f "$tmp"
      return 0
    fi
  fi
  printf '%s\n' "$lib"
}
edgecl_pocl_spin() {
  local lib
  lib="$(edgecl_pocl_spin_lib)"
  [ -n "$lib" ] || return 0
  case ":${LD_PRELOAD:-}:" in
    *":$lib:"*) ;;
    *) export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$lib" ;;
  esac
}
