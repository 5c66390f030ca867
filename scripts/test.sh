#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the whole test suite:
# clang-format, the debug build and its tests, clang-tidy, the AddressSanitizer+UBSan build
# and its tests, and the ThreadSanitizer build of the thread-heavy tests (api, web, service,
# daemon).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
jobs=$(nproc)

echo "== setup, configure (dev), clang-format"
prepare_build dev
bash scripts/lint.sh build/dev format

echo "== build (dev)"
cmake --build --preset dev -j "$jobs"

echo "== every test has a label"
unlabelled=$(ctest --preset dev -N -LE . | sed -n 's/^ *Test *#[0-9]*: //p')
if [[ -n $unlabelled ]]; then
    printf 'tests without a ctest label:\n%s\n' "$unlabelled" >&2
    exit 1
fi

# clang-tidy and the sanitizer builds are CPU-bound while the tests mostly wait on pcscd,
# sockets and timeouts, so they run beside the dev tests at the lowest CPU priority.
echo "== tests (dev), with clang-tidy and the asan and tsan builds beside them (build/background.log)"
background() {
    nice -n 19 bash scripts/lint.sh build/dev tidy
    cmake --preset asan >/dev/null
    nice -n 19 cmake --build --preset asan -j "$jobs"
    cmake --preset tsan >/dev/null
    nice -n 19 cmake --build --preset tsan -j "$jobs"
}
background >build/background.log 2>&1 &
background_pid=$!
dev_status=0
ctest --preset dev -j "$jobs" || dev_status=$?
background_status=0
wait "$background_pid" || background_status=$?
if ((background_status != 0)); then
    echo "== clang-tidy or a sanitizer build failed:" >&2
    tail -n 60 build/background.log >&2
    exit "$background_status"
fi
grep '^lint:' build/background.log
((dev_status == 0)) || exit "$dev_status"

echo "== tests (asan: AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs"

echo "== tests (tsan: ThreadSanitizer, labels api, web, service and daemon)"
ctest --preset tsan -j "$jobs"  # TSAN_OPTIONS (tests/tsan.supp) come from the preset
