# CI's step runner, sourced by .ci/run (and by CiScriptsTest). Not a program of its own.
#
#   ci_step NAME COMMAND [ARGS...]  runs one step, timed: prints "=== ci: NAME: COMMAND" before,
#                                   "=== ci: NAME: ok, S s (total T s)" after. A failing step prints
#                                   its name, exit code and time, then the table so far, and exits
#                                   with the step's exit code: CI stops at once.
#   ci_summary                      the table of every step's time and the total; fails (exit 2) when
#                                   EDGECL_CI_STEPS named a step that does not exist.
#   ci_readme_command FILE N        prints the first line of the Nth ```bash block of FILE; fails
#                                   loudly (exit 1) when there is no such block or it is empty.
# Environment:
#   EDGECL_CI_STEPS   comma-separated step names to run (default: every step); the others are
#                     listed as "not selected", e.g. EDGECL_CI_STEPS=readme-tests,library-check
# Times are wall-clock seconds; the total runs from when this file was sourced.

ci_now_ms() { echo "$(( $(date +%s%N) / 1000000 ))"; }
ci_secs() { awk -v m="$1" 'BEGIN {printf "%.1f", m / 1000}'; }

ci_t0="$(ci_now_ms)"
ci_names=()
ci_times=()
ci_states=()

ci_selected() { # is step NAME to run?
  [ -z "${EDGECL_CI_STEPS:-}" ] && return 0
  case ",$EDGECL_CI_STEPS," in *",$1,"*) return 0 ;; esac
  return 1
}

ci_table() {
  local i total
  total="$(ci_secs "$(( $(ci_now_ms) - ci_t0 ))")"
  echo "===== ci: step times"
  for i in "${!ci_names[@]}"; do
    printf '  %-20s %9s s  %s\n' "${ci_names[$i]}" "${ci_times[$i]}" "${ci_states[$i]}"
  done
  printf '  %-20s %9s s\n' "total" "$total"
}

ci_step() {
  local name="$1"; shift
  if ! ci_selected "$name"; then
    ci_names+=("$name"); ci_times+=("-"); ci_states+=("not selected (EDGECL_CI_STEPS)")
    echo "=== ci: $name: not selected (EDGECL_CI_STEPS=$EDGECL_CI_STEPS)"
    return 0
  fi
  echo "=== ci: $name: $*"
  local t rc=0 s total
  t="$(ci_now_ms)"
  "$@" || rc=$?
  s="$(ci_secs "$(( $(ci_now_ms) - t ))")"
  total="$(ci_secs "$(( $(ci_now_ms) - ci_t0 ))")"
  ci_names+=("$name"); ci_times+=("$s")
  if [ "$rc" -ne 0 ]; then
    ci_states+=("FAILED (exit $rc)")
    echo "=== ci: $name: FAILED (exit $rc) after $s s (total $total s)" >&2
    ci_table >&2
    echo "ci: FAILED at step $name (exit $rc)" >&2
    exit "$rc"
  fi
  ci_states+=("ok")
  echo "=== ci: $name: ok, $s s (total $total s)"
}

ci_summary() {
  ci_table
  local n want
  if [ -n "${EDGECL_CI_STEPS:-}" ]; then
    IFS=, read -r -a want <<<"$EDGECL_CI_STEPS"
    for n in "${want[@]}"; do
      case " ${ci_names[*]} " in *" $n "*) ;; *)
        echo "ci: FAILED: EDGECL_CI_STEPS names '$n', which is no step (steps: ${ci_names[*]})" >&2
        exit 2 ;;
      esac
    done
  fi
  echo "ci: passed"
}

ci_readme_command() {
  local file="$1" n="$2" cmd
  cmd="$(awk -v n="$n" '/^```bash[[:space:]]*$/ {k++; if (k == n) {if ((getline line) > 0) print line; exit}}' "$file")"
  case "$cmd" in
    ""|'```'*)
      echo "ci: FAILED: $file has no command in its \`\`\`bash block number $n" \
        "(README's test command is the first line of the second one)" >&2
      return 1 ;;
  esac
  printf '%s\n' "$cmd"
}
