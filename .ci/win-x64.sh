#!/usr/bin/env bash
# CI leg win-x64: cross-builds nnpack.dll and its C tests with mingw-w64 (native/build-rid.sh's build folder,
# build-win-x64/) and runs them under wine with ctest: every ISA level, the ukernel tester, the layering check and
# the DLL's imports (system DLLs only). Installs gcc-mingw-w64-x86-64 and wine64 from Debian when missing. Wine runs
# quiet in a throwaway prefix, removed at the end. Writes ctest's JUnit report to the path given (first argument);
# exits non-zero when the build or a test fails. About 1.5 min on the dev VM, plus ~1 min of apt on a fresh machine.
set -uo pipefail
cd "$(dirname "$0")/.."
junit="$(realpath -m "${1:-artifacts/test-results/ctest-win-x64.xml}")"

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
command -v wine64 >/dev/null || [ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } || exit 1
fi

build=build-win-x64
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=native/cmake/mingw-w64-x86_64.cmake || exit 1
cmake --build "$build" -j 2 || exit 1

export WINEDEBUG=-all WINEPREFIX="$(mktemp -d /tmp/nnpacksharp-wine.XXXXXX)"
ctest --test-dir "$build" --output-on-failure --output-junit "$junit"
status=$?
wineserver="$(command -v wineserver || echo /usr/lib/wine/wineserver)"
"$wineserver" -k 2>/dev/null
rm -rf "$WINEPREFIX"
exit "$status"
