# Signal chaining for a JVM that runs OpenCL, sourced by EdgeCL's launchers (./edgecl,
# spark/edgecl-spark, the GPU bundle's edgecl) before they start Java:
#   . tools/signal-chaining.sh && edgecl_chain_signals JAVA
# An OpenCL compiler built on LLVM (PoCL's, and others) installs its own one-shot SIGSEGV handler
# in front of the JVM's when it builds a program, and the JVM takes SIGSEGV for its own safepoints
# and null checks; a second thread's fault in that moment killed the process with no hs_err. The
# JDK's libjsig keeps the JVM's handler first and chains LLVM's behind it. JAVA is the java binary
# that will run (default: the one on PATH); a runtime without libjsig is left as it is.
edgecl_chain_signals() {
  local java_bin jsig
  java_bin="$(command -v "${1:-java}" || true)"
  [ -n "$java_bin" ] || return 0
  java_bin="$(readlink -f "$java_bin")"
  jsig="$(dirname "$(dirname "$java_bin")")/lib/libjsig.so"
  if [ -f "$jsig" ]; then
    export LD_PRELOAD="$jsig${LD_PRELOAD:+:$LD_PRELOAD}"
  fi
}
