#!/usr/bin/env bash
# ctest's emulator for Windows executables (mingw-w64-x86_64.cmake): wine-run.sh <wine> <prefix> <program.exe> [args].
# Quiet (WINEDEBUG=-all) and in the throwaway <prefix> (created on first use) unless the caller sets WINEPREFIX.
# The exit status is the program's.
wine="$1"
export WINEPREFIX="${WINEPREFIX:-$2}"
shift 2
export WINEDEBUG="${WINEDEBUG:--all}"
exec "$wine" "$@"
