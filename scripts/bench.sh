#!/usr/bin/env bash
# Builds the optimised tree and runs the benchmarks on the test bed (not part of the test suite).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >/dev/null
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/taplink-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
cmake --preset release >/dev/null
cmake --build --preset release --target taplink-bench-pcsc >/dev/null
exec build/release/tests/bench/taplink-bench-pcsc "$@"
