#!/usr/bin/env bash
# Builds the optimised tree and runs the benchmarks on the test bed (not part of the test
# suite): the PC/SC layer against raw SCardTransmit, the full top-up and the bank card's EC
# load split into card, chip, server and daemon time (and the EC load's card APDUs), the
# Tap & Pay purchase's round trip,
# taplink-nm's cold start against keepassxc-proxy, and the WebSocket's latency under 200
# concurrent clients.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

prepare_build release quiet
cmake --build --preset release --target taplink-bench-pcsc taplink-bench-topup \
  taplink-bench-ecload taplink-bench-pay >/dev/null
build/release/tests/bench/taplink-bench-pcsc "$@"
build/release/tests/bench/taplink-bench-topup
build/release/tests/bench/taplink-bench-ecload
build/release/tests/bench/taplink-bench-pay

# taplink-nm's cold start, compared with Debian's keepassxc-proxy started the same way
# (installed here when missing; the comparison is skipped if that fails).
if ! command -v keepassxc-proxy >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends keepassxc >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends keepassxc >/dev/null; } ||
    echo "bench: could not install keepassxc"
fi
cmake --build --preset release --target taplink-bench-nm >/dev/null
build/release/tests/bench/nm/taplink-bench-nm

# taplinkd's WebSocket: request latency p50/p99 with 200 concurrent clients.
cmake --build --preset release --target taplink-bench-ws >/dev/null
build/release/tests/bench/ws/taplink-bench-ws --clients 200 --requests 100
