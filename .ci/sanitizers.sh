#!/usr/bin/env bash
# The sanitizer leg of the Test task: libnnpack built with clang under ASan+UBSan (-fno-sanitize-recover=all) in its
# own directory, build-asan, then ctest there, two tests at a time (the fuzzing run beside the C tests): the C tests
# at each ISA level, the limits test, the micro-kernel tester, the fuzzer over every committed input (seed corpus and
# regressions) and a bounded fuzzing run (NNPS_FUZZ_SECONDS, default 60). Writes
# artifacts/test-results/ctest-sanitizers.xml (counted into the summary line) and
# artifacts/test-results/fuzz-executions.txt. No valgrind here: the valgrind legs run on the plain build.
# Installs clang-14 and libclang-rt-14-dev (the sanitizer and libFuzzer runtimes) when missing (needs root).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${NNPS_FUZZ_SECONDS:-60}"
results=artifacts/test-results

clang=$(command -v clang-14 || command -v clang)
if [ -z "$clang" ] || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "installing: clang-14 libclang-rt-14-dev"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev || exit 1
  clang=$(command -v clang-14)
fi

start=$SECONDS
CC="$clang" cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNNPS_SANITIZE=ON -DNNPS_FUZZ=ON -DNNPS_FUZZ_SECONDS="$seconds" >/dev/null &&
  cmake --build build-asan -j 2 >/dev/null || { echo "sanitizer build failed"; cmake --build build-asan -j 1 2>&1 | tail -40; exit 1; }
echo "sanitizer build: $((SECONDS - start)) s"

rm -f build-asan/native/fuzz/executions.txt
ctest --test-dir build-asan -j 2 --output-on-failure --output-junit "../$results/ctest-sanitizers.xml"
status=$?
executions=$(cat build-asan/native/fuzz/executions.txt 2>/dev/null || echo 0)
echo "$executions" > "$results/fuzz-executions.txt"
echo "sanitizer leg: $((SECONDS - start)) s, fuzzer executions: $executions in ${seconds} s"
exit $status
