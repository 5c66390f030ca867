#!/usr/bin/env bash
# Refreshes the translations after strings changed in gui/src: lupdate collects them into
# taplink_zh_CN.ts (every string) and taplink_en.ts (English plural forms only), then
# fill_translations.py writes the Chinese from zh_CN.py and fails on any string still
# untranslated. The build compiles the .ts files with lrelease.
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
"$lupdate" -no-obsolete -locations none src -ts translations/taplink_zh_CN.ts
"$lupdate" -no-obsolete -locations none -pluralonly src -ts translations/taplink_en.ts
python3 translations/fill_translations.py
