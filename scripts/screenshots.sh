#!/usr/bin/env bash
# Makes the README's screenshots of taplink-gui (docs/images/*.png): the main window, the
# top-up wizard (the demo shop's amounts, the receipt) and the trusted confirmation dialog,
# in English (NAME.png) and Simplified Chinese (NAME-zh_CN.png). Each is grabbed from its real
# X window under Xvfb while the app runs against the whole product on the test bed (pcscd,
# taplink-sim, taplink-server with its demo shop, taplinkd). Needs root (the test bed's mount
# namespace), xvfb-run and a configured build:
#
#   bash scripts/screenshots.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/dev}

cmake --build "$build_dir" --target taplink-gui-screenshots
mkdir -p docs/images
for language in en zh_CN; do
  # One 96 dpi screen: the pictures show the app at its natural size.
  xvfb-run --auto-servernum --server-args="-screen 0 1280x900x24 -dpi 96" \
    env QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 \
    "$build_dir/tests/gui/taplink-gui-screenshots" docs/images --language "$language"
done
