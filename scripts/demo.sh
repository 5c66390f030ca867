#!/usr/bin/env bash
# Sets up everything on a fresh Debian 12 machine (as root) and runs the main job: a real
# top-up of a virtual city card. It generates the PKI (certs/make-pki.sh), starts a private
# pcscd with the vpcd reader, taplink-sim (a city card and the secure chip), enrolls the
# chip, starts taplink-server and taplinkd, creates an order, runs `taplink topup`, and
# prints the balance before and after and the settled order. Then the bank card's e-cash
# (圈存): a simulated bank card, a cardholder account, a bank-ec order paid from it, `taplink
# ecload`, and the card's EC balance and the account before and after. Last, Tap & Pay: the
# TSM personalises the chip's payment applet, the bank card pays the demo shop with `taplink
# pay`, and the approved receipt, the settled order and the account are shown.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

prepare_build release quiet
cmake --build --preset release --target taplink-demo >/dev/null
# The demo's PKI and issuer keys live in the build folder (never committed).
exec build/release/tests/testbed/taplink-demo "$PWD/build/release/demo-pki" "$@"
