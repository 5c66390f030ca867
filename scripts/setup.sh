#!/usr/bin/env bash
# Installs every Debian package TapLink needs to build, test and run its demo.
# Idempotent and non-interactive; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-format clang-tidy jq
  # the fuzz preset: clang 14 and its libFuzzer and sanitizer runtimes (libclang_rt.fuzzer)
  clang-14 libclang-rt-14-dev
  # libraries
  libpcsclite-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libcurl4-openssl-dev curl
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  # the Public Suffix List: web pages' shares are counted per registrable domain
  libpsl-dev publicsuffix
  # PC/SC test bed: the real daemon, the vpcd reader driver, the reference tools
  pcscd vsmartcard-vpcd pcsc-tools
  # cardpeek: a third-party EMV reader that reads the simulated bank card in the tests
  cardpeek
  # OpenSC: the PIV interop tests of the secure chip (pkcs15-tool, pkcs11-tool), openssl CLI
  opensc opensc-pkcs11 openssl
  # namespaces and process tools used by the test bed
  util-linux procps
  # an HTTP CONNECT proxy for the test that taplinkd honours proxy settings
  tinyproxy-bin
  # taplinkd's WebSocket transport
  libwebsockets-dev
  # the browser tests: Debian's Chromium, NSS tools to trust the test PKI in its profile
  chromium libnss3-tools
  # taplink-gui: Qt 6 Widgets, Linguist tools, Xvfb for screenshots, CJK fonts for zh_CN
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
  xvfb xauth fonts-noto-cjk
  # the EMV vector script (tests/unit/vectors/make_emv_vectors.py): DES and triple DES
  python3-pycryptodome
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Node.js runs the browser tests (playwright-core drives Debian's Chromium) and checks the
# page SDK's TypeScript types; the machine's own Node.js is used when there is one.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends nodejs npm
fi
if [[ -f tests/browser/package-lock.json ]]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# The test bed runs its own private pcscd; a system one started by the package
# would be harmless (other mount namespace) but is not needed.
echo "setup: all packages present"
