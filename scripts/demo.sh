#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the main job: starts the
# test bed (a private pcscd with the vpcd reader and taplink-sim's virtual cards) and lists
# the readers and cards through TapLink's own PC/SC layer.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

prepare_build release quiet
cmake --build --preset release --target taplink-testbed taplink-sim >/dev/null
exec build/release/tests/testbed/taplink-testbed demo "$@"
