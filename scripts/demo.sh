#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the main job: starts the
# test bed (a private pcscd with the vpcd reader and taplink-sim's virtual cards) and lists
# the readers and cards through TapLink's own PC/SC layer.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh >/dev/null
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/taplink-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
cmake --preset release >/dev/null
cmake --build --preset release --target taplink-testbed taplink-sim >/dev/null
exec build/release/tests/testbed/taplink-testbed demo "$@"
