#!/usr/bin/env bash
# Builds libnnpack into the given build folder (default: build/ at the repository root) when CMake and a C compiler
# are installed; otherwise says so and succeeds, leaving the managed engine as the only one.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
if ! command -v cmake >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
  echo "native/build.sh: cmake or cc not found; skipping libnnpack (NNPackAuto will be unavailable)" >&2
  exit 0
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target nnpack -j 2 >/dev/null
