#!/usr/bin/env bash
# Builds the optimised tree and runs the benchmarks on the test bed (not part of the test
# suite): the PC/SC layer against raw SCardTransmit, then the full top-up split into card,
# chip, server and daemon time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

prepare_build release quiet
cmake --build --preset release --target taplink-bench-pcsc taplink-bench-topup >/dev/null
build/release/tests/bench/taplink-bench-pcsc "$@"
build/release/tests/bench/taplink-bench-topup
