#!/usr/bin/env bash
# The machine code PoCL generated for a kernel, summarised: how many FMAs at each vector width
# (zmm: 512-bit, ymm: 256-bit, xmm: 128-bit or scalar), instructions that touch the stack (spilled
# registers among them: look at the --dump when the count jumps), aligned vector moves to or from
# memory (PoCL's functions keep their frame at %rbx, and spilled vector registers go there with
# vmovaps while the kernels' own loads and stores are vmovups: a register tile too large for the
# register file shows here) and calls left in it. PoCL keeps one shared object per kernel and work-group size in its cache
# ($POCL_CACHE_DIR, else $XDG_CACHE_HOME/pocl/kcache, else ~/.cache/pocl/kcache); run the model
# or test first so the kernel is compiled.
#
#   tools/pocl-asm.sh KERNEL [--all] [--dump]
#   e.g. tools/pocl-asm.sh gemm_panel        (the newest build of gemm_panel)
#   --all: every cached build of it, newest first; --dump: the disassembly of the newest
set -euo pipefail
kernel="${1:?usage: tools/pocl-asm.sh KERNEL [--all] [--dump]}"
mode="${2:-}"
cache="${POCL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pocl/kcache}"
command -v objdump >/dev/null || { echo "pocl-asm: objdump is needed (apt-get install binutils)" >&2; exit 2; }
mapfile -t files < <(find "$cache" -path "*/$kernel/*" -name "$kernel.so" -printf '%T@ %p\n' 2>/dev/null \
  | sort -rn | cut -d' ' -f2-)
if [ ${#files[@]} -eq 0 ]; then
  echo "pocl-asm: no build of $kernel in $cache (run it first)" >&2
  exit 1
fi
if [ "$mode" = "--dump" ]; then
  objdump -d --no-show-raw-insn "${files[0]}"
  exit 0
fi
[ "$mode" = "--all" ] || files=("${files[0]}")
printf '%-10s %8s %8s %8s %9s %10s %8s  %s\n' "work-group" "fma zmm" "fma ymm" "fma xmm" "stack ops" "vec spills" "calls" "file"
for f in "${files[@]}"; do
  asm="$(objdump -d --no-show-raw-insn "$f")"
  fma() { grep -E 'vfn?m(add|sub)[0-9]+[ps]s' <<<"$asm" | grep -c "%$1" || true; }
  spills="$(grep -cE '\(%rsp\)|\(%rbp\)' <<<"$asm" || true)"
  calls="$(grep -cE '\scall' <<<"$asm" || true)"
  vspills="$(grep -cE 'vmovap[sd] +[^,]*\(%r[a-z0-9]+\)|vmovap[sd] +%[xyz]mm[0-9]+,[^(]*\(' <<<"$asm" || true)"
  wg="$(basename "$(dirname "$f")" | cut -d- -f1-3)"
  printf '%-10s %8s %8s %8s %9s %10s %8s  %s\n' "$wg" "$(fma zmm)" "$(fma ymm)" "$(fma xmm)" "$spills" "$vspills" "$calls" "$f"
done
