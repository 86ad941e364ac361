#!/usr/bin/env bash
# Builds libnnpack, CMake target `nnpack`, into <build>/native/libnnpack.so, <build> being the first argument (default:
# build/ at the repository root). managed/NNPackSharp.csproj's BuildNativeLibrary target runs it on every Linux build,
# so `dotnet build` produces the library wherever CMake and a C compiler are installed. A CMake toolchain file as the
# second argument cross-builds (native/build-rid.sh passes the RID's, with CC naming its compiler for the check below).
#
# Exit status: 0 built (or up to date); 3 skipped because cmake or a C compiler is missing (the managed build then
# warns and goes on with the managed engine only); 1 CMake failed: its output, kept in <build>/native-build.log, is
# printed, and the managed build fails.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
toolchain=()
[ -n "${2:-}" ] && toolchain=("-DCMAKE_TOOLCHAIN_FILE=$2")
compiler="${CC:-cc}"

missing=()
command -v cmake >/dev/null 2>&1 || missing+=("cmake")
command -v "${compiler%% *}" >/dev/null 2>&1 || missing+=("a C compiler (${compiler})")
if [ ${#missing[@]} -gt 0 ]; then
  echo "native/build.sh: not building libnnpack: ${missing[0]}${missing[1]:+ and ${missing[1]}} not found."
  exit 3
fi

mkdir -p "$build"
log="$build/native-build.log"
if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${toolchain[@]}" && cmake --build "$build" --target nnpack -j 2; } >"$log" 2>&1; then
  echo "native/build.sh: building libnnpack failed. CMake's output ($log):"
  cat "$log"
  exit 1
fi
