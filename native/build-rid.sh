#!/usr/bin/env bash
# Builds the native library for one .NET runtime identifier (what the NuGet package's runtimes/<rid>/native/ carries):
#   native/build-rid.sh linux-x64   -> build-linux-x64/native/libnnpack.so   (the host's C compiler)
#   native/build-rid.sh win-x64     -> build-win-x64/native/nnpack.dll      (mingw-w64: gcc-mingw-w64-x86-64)
# A second argument overrides the build folder. Prints the library's path last. Exit status as native/build.sh's
# (0 built, 1 CMake failed, 3 cmake or the RID's compiler missing), 2 for a RID this script does not know.
set -uo pipefail
native="$(cd "$(dirname "$0")" && pwd)"
rid="${1:?usage: native/build-rid.sh <rid> [build folder]}"
build="${2:-$native/../build-$rid}"
case "$rid" in
  linux-x64) toolchain="" compiler="${CC:-cc}" library=libnnpack.so ;;
  win-x64) toolchain="$native/cmake/mingw-w64-x86_64.cmake" compiler=x86_64-w64-mingw32-gcc library=nnpack.dll ;;
  *) echo "native/build-rid.sh: no build for RID '$rid' (known: linux-x64, win-x64)" >&2; exit 2 ;;
esac
CC="$compiler" "$native/build.sh" "$build" ${toolchain:+"$toolchain"} || exit $?
echo "$(cd "$build/native" && pwd)/$library"
