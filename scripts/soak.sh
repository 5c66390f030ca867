#!/usr/bin/env bash
# The chaos soak (docs/reliability.md): N top-ups (default 1000) on the whole product on the
# test bed, each with a fault drawn at random (the card pulled, taplinkd SIGKILLed, the
# server answering 5xx, timing out or dropped, the chip reset), the money checked after
# every one. Not part of the test suite or CI. Needs root (the test bed's mount namespace).
# usage: scripts/soak.sh [N] [more taplink-soak options, e.g. --seed S --fault-rate 0.5]
# The JSON report goes to build/dev/soak-report.json (or the --report given).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

topups=1000
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  topups=$1
  shift
fi

prepare_build dev quiet
cmake --build --preset dev --target taplink-soak >/dev/null
report=build/dev/soak-report.json
status=0
build/dev/tests/testbed/taplink-soak --topups "$topups" --report "$report" "$@" || status=$?
if [[ -f $report ]]; then
  echo "JSON report: $report"
fi
exit "$status"
