#!/usr/bin/env bash
# Installs what EdgeCL needs on a Debian/Ubuntu machine, only where it is missing:
# a JDK 17 and Maven to build, and an OpenCL platform (PoCL, a CPU driver) when none exists.
# Extra Debian packages may be named as arguments (e.g. oclgrind dataset-fashion-mnist).
set -euo pipefail
pkgs=()
command -v javac >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
has_platform() {
  command -v clinfo >/dev/null 2>&1 && [ "$(clinfo -l 2>/dev/null | grep -c 'Platform')" -gt 0 ]
}
if ! has_platform; then
  pkgs+=(ocl-icd-libopencl1 pocl-opencl-icd clinfo)
fi
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || pkgs+=("$p")
done
if [ ${#pkgs[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing: ${pkgs[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
fi
