# Cross-builds nnpack.dll for win-x64 with mingw-w64 (Debian: gcc-mingw-w64-x86-64), and runs its C tests under wine
# (Debian: wine64) when ctest runs them:
#   cmake -S . -B build-win-x64 -DCMAKE_TOOLCHAIN_FILE=native/cmake/mingw-w64-x86_64.cmake   (or native/build-rid.sh win-x64)
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# msvcrt's printf lacks %zu: mingw-w64's own stdio (linked statically, no extra DLL) formats the tests' messages.
set(CMAKE_C_FLAGS_INIT "-D__USE_MINGW_ANSI_STDIO=1")

# ctest runs the Windows executables under wine: quiet, in a throwaway prefix inside the build folder (created on
# first use, ~10 s) unless WINEPREFIX names one. Debian's wine64 package installs the loader outside PATH.
find_program(NNPS_WINE NAMES wine64 wine PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(NNPS_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh;${NNPS_WINE};${CMAKE_BINARY_DIR}/wineprefix")
endif()
