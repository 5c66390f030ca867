#!/usr/bin/env bash
# Installs every Debian package TapLink needs to build, test and run its demo.
# Idempotent and non-interactive; run as root on Debian 12.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  clang-format clang-tidy
  # libraries
  libpcsclite-dev libssl-dev nlohmann-json3-dev libsqlite3-dev libcurl4-openssl-dev curl
  libgtest-dev libgmock-dev libbenchmark-dev
  # PC/SC test bed: the real daemon, the vpcd reader driver, the reference tools
  pcscd vsmartcard-vpcd pcsc-tools
  # OpenSC: the PIV interop tests of the secure chip (pkcs15-tool, pkcs11-tool), openssl CLI
  opensc opensc-pkcs11 openssl
  # namespaces and process tools used by the test bed
  util-linux procps
  # an HTTP CONNECT proxy for the test that taplinkd honours proxy settings
  tinyproxy-bin
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

# The test bed runs its own private pcscd; a system one started by the package
# would be harmless (other mount namespace) but is not needed.
echo "setup: all packages present"
