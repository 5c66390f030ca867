#!/usr/bin/env bash
# Builds the optimised tree and runs the benchmarks on the test bed (not part of the test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

prepare_build release quiet
cmake --build --preset release --target taplink-bench-pcsc >/dev/null
exec build/release/tests/bench/taplink-bench-pcsc "$@"
