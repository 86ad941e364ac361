#!/usr/bin/env bash
# Builds libnnpack for one .NET runtime identifier into build-<rid>/native/ at the repository root, for packaging and
# the cross legs of CI: native/build-rid.sh <rid> [cmake target ...] (default target: nnpack, the library alone;
# `all` adds the C tests). Cross builds take their compiler from the toolchain file under native/cmake/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rid="${1:?usage: native/build-rid.sh <rid> [cmake target ...]}"
shift
targets=("${@:-nnpack}")

case "$rid" in
  linux-x64) toolchain=() ;;
  linux-arm64) toolchain=(-DCMAKE_TOOLCHAIN_FILE="$root/native/cmake/aarch64-linux-gnu.cmake") ;;
  *) echo "native/build-rid.sh: no build for RID '$rid' (known: linux-x64, linux-arm64)" >&2; exit 2 ;;
esac

build="$root/build-$rid"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${toolchain[@]}"
cmake --build "$build" -j 2 --target "${targets[@]}"
