# The consumer leg's other RIDs (sourced by .ci/consumer-test.sh, which defines check, skip, publish and $work):
# the same app published for linux-arm64 and run under qemu-aarch64 (self-contained, single-file, NativeAOT), and
# for win-x64 and run under wine (self-contained, single-file), each with the libnnpack the package carries for its RID.
sysroot=/usr/aarch64-linux-gnu
wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
wineserver="$(command -v wineserver || echo /usr/lib/wine/wineserver)"

# What the cross RIDs need and CI may lack; the arm64 and win-x64 legs install the same (and run before this one).
cross_packages() {
  command -v aarch64-linux-gnu-gcc >/dev/null || echo gcc-aarch64-linux-gnu
  [ -e "$sysroot/lib/libc.so" ] || echo libc6-dev-arm64-cross
  [ -e "$sysroot/lib/libstdc++.so.6" ] || echo libstdc++6-arm64-cross
  command -v qemu-aarch64 >/dev/null || echo qemu-user
  command -v x86_64-w64-mingw32-gcc >/dev/null || echo gcc-mingw-w64-x86-64
  [ -x "$wine" ] || echo wine64
}

# The RIDs' libraries for the package: build-rid.sh's folders, which the arm64 and win-x64 legs have built already
# (then CMake finds nothing to do); built here when this leg runs alone.
build_rid_libraries() {
  "$root/native/build-rid.sh" linux-arm64 && "$root/native/build-rid.sh" win-x64
}

# arm64_app FOLDER PUBLISH-ARGS...: the app for linux-arm64 under qemu (W^X off: the JIT's page remapping is slow under
# qemu; no ICU in the arm64 sysroot). It must load the arm64 libnnpack and compute with NEON.
arm64_app() {
  local folder="$1"
  shift
  publish "$folder" linux-arm64 "$@" && file "$work/$folder/ConsumerApp" | grep -q "ARM aarch64" &&
    DOTNET_EnableWriteXorExecute=0 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 timeout 300 \
      qemu-aarch64 -L "$sysroot" "$work/$folder/ConsumerApp" isa=neon
}

# win_app FOLDER PUBLISH-ARGS...: the app for win-x64 under wine, in a throwaway prefix. .NET 10 under wine 8.0 needs
# W^X off (DEVELOPERS.md); wine has hung .NET on multi-threaded sequences, so a run past 120 s fails with its log.
# A self-extracting app unpacks (nnpack.dll included) into %TEMP%\.net inside the prefix, where the loader must find it.
win_app() {
  local folder="$1"
  shift
  publish "$folder" win-x64 "$@" &&
    WINEPREFIX="$work/wine" WINEDEBUG=-all DOTNET_EnableWriteXorExecute=0 timeout -k 10 120 \
      "$wine" "$work/$folder/ConsumerApp.exe"
  local status=$?
  [ "$status" -eq 124 ] && echo "FAILED: the app did not finish within 120 s under wine"
  return "$status"
}

# A wine prefix is created on first use (30-60 s); made once, outside the apps' 120 s.
wine_prefix() {
  WINEPREFIX="$work/wine" WINEDEBUG=-all timeout 300 "$wine" wineboot --init
}

cross_rid_checks() {
  check linux-arm64-self-contained arm64_app arm64 --self-contained
  check linux-arm64-single-file arm64_app arm64-single --self-contained -p:PublishSingleFile=true
  # NativeAOT cross-links with clang --target=aarch64-linux-gnu, which finds Debian's cross gcc and libc by itself.
  check linux-arm64-native-aot arm64_app arm64-aot -p:PublishAot=true
  check wine-prefix wine_prefix
  check win-x64-self-contained win_app win --self-contained
  # Wine 8.0 cannot run a bundle that maps its assemblies in place: "Failed to load System.Private.CoreLib.dll (error
  # code 0x80070057)" even for `dotnet new console`; the same app self-extracting runs, so that is the shape tried here.
  check win-x64-single-file win_app win-single --self-contained -p:PublishSingleFile=true -p:IncludeAllContentForSelfExtract=true
  skip win-x64-single-file-in-place "wine 8.0 fails to map System.Private.CoreLib.dll from inside a bundle (E_INVALIDARG), for any .NET 10 app"
  # Microsoft.NETCore.Native.Publish.targets (ILCompiler 10.0.12) on a non-Windows host, for a win RID: "error :
  # Cross-OS native compilation is not supported."
  skip win-x64-native-aot "NativeAOT cannot target Windows from Linux: the ILCompiler's 'Cross-OS native compilation is not supported.'"
  WINEPREFIX="$work/wine" "$wineserver" -k 2>/dev/null
}
