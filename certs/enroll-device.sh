#!/usr/bin/env bash
# Enrolls the secure chip in a reader with the device CA of PKIDIR (docs/pki.md):
#   1. taplink-enroll csr      a new key generated inside the chip, a CSR signed by it
#   2. sign-device-csr.sh      checked and signed by the device CA
#   3. taplink-enroll install  the certificate written back into the chip
# The certificate is kept as PKIDIR/devices/<CHIPSERIAL>.crt (written before the install, so
# a failed install can be retried with `taplink-enroll install --cert` that file).
#
#   certs/enroll-device.sh PKIDIR --reader NAME --pin PIN [--enroll PATH-TO-taplink-enroll]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage="usage: enroll-device.sh PKIDIR --reader NAME --pin PIN [--enroll PATH-TO-taplink-enroll]"

fail() {
    echo "enroll-device: $*" >&2
    exit 1
}

pki="${1:?$usage}"
shift
reader=""
pin=""
enroll=""
while (($# > 0)); do
    (($# >= 2)) || fail "$1 needs a value; $usage"
    case "$1" in
    --reader) reader="$2" ;;
    --pin) pin="$2" ;;
    --enroll) enroll="$2" ;;
    *) fail "unknown option $1; $usage" ;;
    esac
    shift 2
done
[[ -n "$reader" && -n "$pin" ]] || fail "$usage"

if [[ -z "$enroll" ]]; then
    enroll="$(command -v taplink-enroll || true)"
    [[ -n "$enroll" ]] || enroll="$here/../build/dev/daemon/enroll/taplink-enroll"
fi
[[ -x "$enroll" ]] || fail "taplink-enroll not found (build it, or pass --enroll PATH)"
[[ -f "$pki/device-ca.key" ]] || fail "$pki has no device CA (run certs/make-pki.sh $pki)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$enroll" csr --reader "$reader" --pin "$pin" --out "$work/device.csr"
"$here/sign-device-csr.sh" "$pki" "$work/device.csr" "$work/device.crt" >/dev/null

serial="$(openssl x509 -in "$work/device.crt" -noout -subject -nameopt RFC2253 |
    sed -n 's/^subject=serialNumber=\([0-9A-F]*\),.*$/\1/p')"
[[ -n "$serial" ]] || fail "the signed certificate names no chip serial"
mkdir -p "$pki/devices"
chmod 700 "$pki/devices"
cp "$work/device.crt" "$pki/devices/$serial.crt"

"$enroll" install --reader "$reader" --pin "$pin" --cert "$pki/devices/$serial.crt"
echo "chip $serial enrolled: $pki/devices/$serial.crt"
