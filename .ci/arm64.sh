#!/usr/bin/env bash
# The linux-arm64 leg: cross-builds libnnpack with the NEON kernel (native/build-rid.sh linux-arm64), runs its C tests
# (micro-kernel tester included) under qemu-aarch64 through ctest's CROSSCOMPILING_EMULATOR, then publishes the NUnit
# suite self-contained for linux-arm64 (tests/NNPackSharp.TestRunner) and runs it under qemu with the arm64 library.
# Installs Debian's cross compiler, arm64 C/C++ runtime and qemu-user when missing (needs root, as CI has).
# Writes artifacts/test-results/ctest-linux-arm64.xml (JUnit) and managed-linux-arm64.log (the runner's summary).
# qemu emulates: these runs prove results, never speed.
set -uo pipefail
cd "$(dirname "$0")/.."
sysroot=/usr/aarch64-linux-gnu
results=artifacts/test-results
qemu=(qemu-aarch64 -L "$sysroot")

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu)
[ -e "$sysroot/lib/libc.so" ] || missing+=(libc6-dev-arm64-cross)
[ -e "$sysroot/lib/libstdc++.so.6" ] || missing+=(libstdc++6-arm64-cross)
command -v qemu-aarch64 >/dev/null || missing+=(qemu-user)
if [ ${#missing[@]} -gt 0 ]; then
  echo "arm64 leg: installing ${missing[*]}"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || exit 1
fi

mkdir -p "$results"
native/build-rid.sh linux-arm64 all || exit 1
ctest --test-dir build-linux-arm64 -j 2 --output-on-failure --output-junit "$PWD/$results/ctest-linux-arm64.xml"
ctest_status=$?

dotnet publish tests/NNPackSharp.TestRunner -c Release -r linux-arm64 --self-contained -p:NNPackNativeRid=linux-arm64 \
  -p:NNPackNativeBuildDir="$PWD/build-linux-arm64" -o artifacts/linux-arm64-tests || exit 1
# W^X makes the JIT remap pages qemu handles slowly; ICU is not in the arm64 sysroot.
DOTNET_EnableWriteXorExecute=0 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 "${qemu[@]}" artifacts/linux-arm64-tests/NNPackSharp.Tests \
  --no-ansi --progress off "$@" 2>&1 | tee "$results/managed-linux-arm64.log"
managed_status=${PIPESTATUS[0]}

[ "$ctest_status" -eq 0 ] && [ "$managed_status" -eq 0 ]
