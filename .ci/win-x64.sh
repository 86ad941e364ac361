#!/usr/bin/env bash
# CI leg win-x64, writing into the results folder given (default artifacts/test-results):
# 1. cross-builds nnpack.dll and its C tests with mingw-w64 (native/build-rid.sh's folder, build-win-x64/) and runs
#    them under wine with ctest: every ISA level, the ukernel tester, the layering check, the DLL's imports
#    -> ctest-win-x64.xml (JUnit);
# 2. publishes tests/NNPackSharp.WineTests (the main suite's numeric tests) self-contained for win-x64 and runs it
#    under wine on that nnpack.dll -> win-x64-tests.log (Microsoft.Testing.Platform's summary).
# Installs gcc-mingw-w64-x86-64 and wine64 from Debian when missing; wine runs quiet in a throwaway prefix, removed at
# the end. Exits non-zero when a build or a test fails. About 5 min on the dev VM (2 cores), 1 min more for apt and
# NuGet on a fresh machine.
set -uo pipefail
cd "$(dirname "$0")/.."
results="$(realpath -m "${1:-artifacts/test-results}")"
mkdir -p "$results"

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || missing+=(wine64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } || exit 1
fi
# Debian's wine64 package installs the loader outside PATH.
wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
wineserver="$(command -v wineserver || echo /usr/lib/wine/wineserver)"

build=build-win-x64
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=native/cmake/mingw-w64-x86_64.cmake || exit 1
cmake --build "$build" -j 2 || exit 1

export WINEDEBUG=-all WINEPREFIX="$(mktemp -d /tmp/nnpacksharp-wine.XXXXXX)"
trap '"$wineserver" -k 2>/dev/null; rm -rf "$WINEPREFIX"' EXIT
ctest --test-dir "$build" --output-on-failure --output-junit "$results/ctest-win-x64.xml"
status=$?

# The managed suite under wine is opt-in (NNPS_WINE_MANAGED=1): wine 8.0 hosts .NET 10 and runs the numeric suite
# (970 tests passed there), but some sequences of a refused call followed by a multi-threaded one deadlock it (idle,
# no CPU; every test passes alone and every class passes on Linux and under qemu), and which sequence does moved as
# the suite grew, so CI cannot rely on it finishing.
if [ "${NNPS_WINE_MANAGED:-0}" != 1 ]; then
  exit "$status"
fi
publish=artifacts/win-x64-tests
rm -rf "$publish"
# Its own artifacts path: the Linux legs' bin/ and obj/ stay as their build left them.
dotnet publish tests/NNPackSharp.WineTests -c Release -r win-x64 --self-contained -p:NNPackSharpSkipNative=true \
  --artifacts-path artifacts/win-x64-build -o "$publish" || exit 1
cp "$build/native/nnpack.dll" "$publish/"
library="$(realpath "$publish/nnpack.dll")"
# A hang fails the run after 15 minutes. W^X off: with it on, .NET 10 under wine 8.0 dies in its first finalizer run
# ("Internal CLR error 0x80131506" in DynamicResolver.DestroyScout.Finalize). The library by explicit path (Z: is
# wine's drive for /), so this run does not depend on the loader's probing.
DOTNET_EnableWriteXorExecute=0 NNPACKSHARP_NATIVE_LIBRARY="Z:${library//\//\\}" \
  timeout 900 "$wine" "$publish/NNPackSharp.Tests.exe" --no-ansi --progress off | tee "$results/win-x64-tests.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit "$status"
