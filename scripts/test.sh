#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the whole test suite:
# lint, the debug build and its tests, then the AddressSanitizer+UBSan build and its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
jobs=$(nproc)

echo "== setup, configure (dev) and lint"
prepare_build dev
bash scripts/lint.sh build/dev

echo "== build (dev)"
cmake --build --preset dev -j "$jobs"

echo "== tests (dev)"
ctest --preset dev -j "$jobs"

echo "== configure and build (asan: AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

echo "== tests (asan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs"
