#!/usr/bin/env bash
# The consumer leg: NNPackSharp as a user gets it. Packs the library with its three RIDs' libnnpack (linux-x64 from
# the CMake build; linux-arm64 and win-x64 from native/build-rid.sh's folders, which the arm64 and win-x64 legs built
# before this one), creates a fresh console app in a temp folder, adds NNPackSharp from a local feed, and runs
# .ci/consumer/Program.cs (NNPackAuto, Im2ColGemm and Fastest against a direct convolution) under `dotnet run`, as a
# single-file app and as a NativeAOT app; then the single-file app again without its libnnpack, pointed at a library
# that lacks our nnpsharp_* functions (issue 11, defect 9); then the app for linux-arm64 under qemu and for win-x64
# under wine (.ci/consumer-cross.sh). Each step is one check; the counts go to artifacts/consumer/summary.txt
# ("N passed, N failed, N skipped") for the Test task, the times to artifacts/consumer/times.md. Needs the CMake build
# (build/native/libnnpack.so); installs unzip, clang and zlib1g-dev for NativeAOT, and the cross toolchains, qemu and
# wine when missing (as root, like .ci/run). NuGet packages go to a private folder (the user's cache is only read),
# so a repacked 0.2.0 is never shadowed by an old copy.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/artifacts/consumer"
work="$(mktemp -d /tmp/nnpacksharp-consumer.XXXXXX)"
source "$root/.ci/consumer-cross.sh"
trap 'WINEPREFIX="$work/wine" "$wineserver" -k 2>/dev/null; rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
version=0.2.0
rid=linux-x64
passed=0 failed=0 skipped=0
echo "| check | result | seconds |" >"$out/times.md"
echo "|---|---|---:|" >>"$out/times.md"

# check NAME COMMAND...: runs COMMAND with its output in $out/NAME.log; counts and times it.
check() {
  local name="$1" start=$SECONDS result
  shift
  if "$@" >"$out/$name.log" 2>&1; then
    passed=$((passed + 1)) result=passed
  else
    failed=$((failed + 1)) result=FAILED
    echo "---- $name failed; its log ($out/$name.log) ends:"
    tail -n 40 "$out/$name.log"
  fi
  echo "== consumer: $name $result ($((SECONDS - start)) s)"
  echo "| $name | $result | $((SECONDS - start)) |" >>"$out/times.md"
}

skip() {
  skipped=$((skipped + 1))
  echo "== consumer: $1 skipped: $2"
  echo "| $1 | skipped: $2 | 0 |" >>"$out/times.md"
}

finish() {
  echo "$passed passed, $failed failed, $skipped skipped" | tee "$out/summary.txt"
  exit $((failed > 0))
}

pack() {
  dotnet pack "$root/managed/NNPackSharp.csproj" -c Release -o "$work/feed" &&
    unzip -l "$work/feed/NNPackSharp.$version.nupkg" | tee "$out/package-contents.txt" &&
    grep -q "runtimes/linux-x64/native/libnnpack.so" "$out/package-contents.txt" &&
    grep -q "runtimes/linux-arm64/native/libnnpack.so" "$out/package-contents.txt" &&
    grep -q "runtimes/win-x64/native/nnpack.dll" "$out/package-contents.txt" &&
    grep -q " README.md" "$out/package-contents.txt" &&
    unzip -p "$work/feed/NNPackSharp.$version.nupkg" NNPackSharp.nuspec >"$out/NNPackSharp.nuspec" &&
    grep -q '<license type="expression">MIT</license>' "$out/NNPackSharp.nuspec" && grep -q '<repository type="git" url="https://' "$out/NNPackSharp.nuspec" &&
    unzip -p "$work/feed/NNPackSharp.$version.snupkg" lib/net10.0/NNPackSharp.pdb | grep -aq "raw.githubusercontent.com" &&
    echo "package: $(grep -o 'runtimes/[^/]*/native/[^ ]*' "$out/package-contents.txt" | tr '\n' ' '); symbols with SourceLink"
}

# A release pack must refuse a missing RID instead of shipping it managed-only.
release_pack_refuses_missing_rid() {
  ! dotnet pack "$root/managed/NNPackSharp.csproj" -c Release --no-build -p:NNPackNativeAsset_linux_arm64=/nonexistent/libnnpack.so -o "$work/refused" >"$work/refused.log" 2>&1 &&
    cat "$work/refused.log" && grep -q "NNPS003.*linux-arm64 (/nonexistent/libnnpack.so)" "$work/refused.log"
}

new_app() {
  mkdir -p "$work/packages" && cd "$work" && dotnet new console -o app -n ConsumerApp --framework net10.0 &&
    cat >app/nuget.config <<CONFIG &&
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources><add key="nnpacksharp-local" value="$work/feed" /></packageSources>
  $fallback
</configuration>
CONFIG
    cp "$root/.ci/consumer/Program.cs" app/Program.cs && cd app && dotnet add package NNPackSharp --version "$version"
}

# publish FOLDER RID PUBLISH-ARGS...: publishing must raise no trim, single-file or AOT warning (IL....) from NNPackSharp.
publish() {
  local folder="$1" target="$2"
  shift 2
  cd "$work/app" && dotnet publish -c Release -r "$target" -o "$work/$folder" "$@" | tee "$work/$folder.log" &&
    ! grep -E "warning IL[0-9]+" "$work/$folder.log" && ls -l "$work/$folder"
}

publish_and_run() {
  publish "$1" "$rid" "${@:2}" && "$work/$1/ConsumerApp"
}

upstream_like_library_refused() {
  mkdir -p "$work/stripped" && cp "$work/single/ConsumerApp" "$work/stripped/" &&
    printf '#include <stddef.h>\nint nnp_initialize(void) { return 0; }\nvoid *pthreadpool_create(size_t n) { (void)n; return NULL; }\nvoid pthreadpool_destroy(void *p) { (void)p; }\n' >"$work/upstream_like.c" &&
    cc -shared -fPIC -o "$work/libnnpack-upstream-like.so" "$work/upstream_like.c" &&
    NNPACKSHARP_NATIVE_LIBRARY="$work/libnnpack-upstream-like.so" "$work/stripped/ConsumerApp" missing-exports
}

# unzip reads the package; clang and zlib1g-dev are NativeAOT's linker and its libz.
missing=()
command -v unzip >/dev/null || missing+=(unzip)
command -v file >/dev/null || missing+=(file)
missing+=($(cross_packages))
command -v clang >/dev/null || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== consumer: installing ${missing[*]}"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; } >"$out/apt.log" 2>&1 || tail -n 20 "$out/apt.log"
fi

fallback=""
if [ -d "$HOME/.nuget/packages" ] && [ ! -d "$HOME/.nuget/packages/nnpacksharp" ]; then
  fallback="<fallbackPackageFolders><add key=\"user-cache\" value=\"$HOME/.nuget/packages\" /></fallbackPackageFolders>"
fi

check rid-libraries build_rid_libraries
check pack pack
[ -f "$work/feed/NNPackSharp.$version.nupkg" ] || finish
check release-pack-refuses-missing-rid release_pack_refuses_missing_rid
check new-app new_app
[ -f "$work/app/ConsumerApp.csproj" ] || finish
check dotnet-run bash -c "cd '$work/app' && dotnet run -c Release"
if [ "$(uname -m)" != x86_64 ]; then
  skip single-file "single-file and NativeAOT apps are published for $rid, and this machine is $(uname -m)"
  skip native-aot "as above"
  skip missing-exports "needs the single-file app"
  finish
fi
check single-file publish_and_run single --self-contained false -p:PublishSingleFile=true
check native-aot publish_and_run aot -p:PublishAot=true
check missing-exports upstream_like_library_refused
cross_rid_checks
finish
