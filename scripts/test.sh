#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the whole test suite:
# clang-format, the debug build and its tests, clang-tidy, the AddressSanitizer+UBSan build
# and its tests, the ThreadSanitizer build of the thread-heavy tests (api, web, service,
# daemon), and a short run of every libFuzzer target (scripts/fuzz.sh, docs/fuzzing.md).
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
# sockets and timeouts, so they run beside the tests at a low CPU priority: the sanitizer
# builds first (nice 10; the fuzz targets' last), so that their tests start as soon as each
# is built, and clang-tidy at the lowest priority, on what CPU the others leave, until the end.
echo "== tests (dev), with the asan, tsan and fuzz builds and clang-tidy beside them (build/*.log)"
rm -f build/asan-built build/tsan-built build/fuzz-built
set -m  # each background job in a process group of its own, so that it can be stopped whole
stop_background() {
    local pid
    for pid in $(jobs -p); do
        kill -- "-$pid" 2>/dev/null || true
    done
}
trap stop_background EXIT  # a failed stage ends the run: no build or lint left behind
sanitizer_builds() {
    cmake --preset asan >/dev/null
    nice -n 10 cmake --build --preset asan -j "$jobs"
    touch build/asan-built
    cmake --preset tsan >/dev/null
    nice -n 10 cmake --build --preset tsan -j "$jobs"
    touch build/tsan-built
    cmake --preset fuzz >/dev/null
    nice -n 10 cmake --build --preset fuzz -j "$jobs"
    touch build/fuzz-built
}
sanitizer_builds >build/sanitizers.log 2>&1 &
builds_pid=$!
nice -n 19 bash scripts/lint.sh build/dev tidy >build/tidy.log 2>&1 &
tidy_pid=$!

# Waits until the build marked by $1 is done; fails with the build's log if it failed.
await_build() {
    while [[ ! -e $1 ]]; do
        if ! kill -0 "$builds_pid" 2>/dev/null; then
            wait "$builds_pid" && [[ -e $1 ]] && return 0
            echo "== a sanitizer build failed:" >&2
            tail -n 60 build/sanitizers.log >&2
            exit 1
        fi
        sleep 5
    done
}

ctest --preset dev -j "$jobs"

echo "== tests (asan: AddressSanitizer + UndefinedBehaviorSanitizer)"
await_build build/asan-built
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs"

echo "== tests (tsan: ThreadSanitizer, labels api, web, service and daemon)"
await_build build/tsan-built
ctest --preset tsan -j "$jobs"  # TSAN_OPTIONS (tests/tsan.supp) come from the preset

# A short, fixed time: the committed corpus already ran as the fuzz.* tests above.
echo "== fuzzing (every target 15 s, two at a time; logs in build/fuzz/logs)"
await_build build/fuzz-built
bash scripts/fuzz.sh --no-build 15

echo "== clang-tidy"
if ! wait "$tidy_pid"; then
    tail -n 60 build/tidy.log >&2
    exit 1
fi
grep '^lint:' build/tidy.log
