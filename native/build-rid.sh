#!/usr/bin/env bash
# Builds libnnpack for one .NET runtime identifier into build-<rid>/native/ at the repository root (what the NuGet
# package's runtimes/<rid>/native/ carries, and the cross legs of CI):
#   native/build-rid.sh linux-x64     -> build-linux-x64/native/libnnpack.so   (the host's C compiler)
#   native/build-rid.sh linux-arm64   -> build-linux-arm64/native/libnnpack.so (gcc-aarch64-linux-gnu)
#   native/build-rid.sh win-x64       -> build-win-x64/native/nnpack.dll      (mingw-w64: gcc-mingw-w64-x86-64)
# Further arguments are CMake targets (default: nnpack, the library alone; `all` adds the C tests). Cross builds take
# their compiler from the toolchain file under native/cmake/. Prints the library's path last.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rid="${1:?usage: native/build-rid.sh <rid> [cmake target ...]}"
shift
targets=("${@:-nnpack}")

case "$rid" in
  linux-x64) toolchain=() library=libnnpack.so ;;
  linux-arm64) toolchain=(-DCMAKE_TOOLCHAIN_FILE="$root/native/cmake/aarch64-linux-gnu.cmake") library=libnnpack.so ;;
  win-x64) toolchain=(-DCMAKE_TOOLCHAIN_FILE="$root/native/cmake/mingw-w64-x86_64.cmake") library=nnpack.dll ;;
  *) echo "native/build-rid.sh: no build for RID '$rid' (known: linux-x64, linux-arm64, win-x64)" >&2; exit 2 ;;
esac

build="$root/build-$rid"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${toolchain[@]}"
cmake --build "$build" -j 2 --target "${targets[@]}"
echo "$build/native/$library"
