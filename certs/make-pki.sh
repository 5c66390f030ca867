#!/usr/bin/env bash
# Generates TapLink's PKI into OUTDIR (created owner-only): root CA, server CA and a server
# certificate for localhost, device CA, the script-signing key and certificate, the allowance
# key that signs the server's money answers, and the
# issuer master keys of the test city and bank (the server's HSM stand-in), and the TSM's
# master key for the secure chips' management channels (tsm-keys.json). Device
# certificates are not made here: each secure chip generates its key and a CSR
# (taplink-enroll), and certs/sign-device-csr.sh signs it with the device CA. See
# docs/pki.md.
#
#   certs/make-pki.sh OUTDIR [--force]
#
# Existing material is kept unless --force is given, so setup can call this every time.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="$here/openssl.cnf"
out="${1:?usage: make-pki.sh OUTDIR [--force]}"
force="${2:-}"

# The TSM's master key for the secure chips' management channels (docs/chip.md, "Chip
# management"): each chip's SCP03 keys derive from it. Random for this machine, never
# committed.
write_tsm_keys() {
    (
        umask 077
        cat >"$out/tsm-keys.json" <<JSON
{"format":"taplink-tsm-keys/1","keyVersion":"30","master":"$(openssl rand -hex 32 | tr 'a-f' 'A-F')"}
JSON
    )
}

# The allowance key: the server signs its money answers (load authorizations, receipts) with
# it; the daemon pins its public key (allowance-signing.pub.pem; docs/server.md, "Signed
# answers"). A bare key: no certificate, as the daemon pins the key itself.
write_allowance_key() {
    (
        umask 077
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
            -out "$out/allowance-signing.key" 2>/dev/null
        openssl pkey -in "$out/allowance-signing.key" -pubout -out "$out/allowance-signing.pub.pem"
    )
}

if [[ -f "$out/.complete" && "$force" != "--force" ]]; then
    # A PKI made before the TSM or the allowance key existed gains them; the rest is kept.
    [[ -f "$out/tsm-keys.json" ]] || write_tsm_keys
    [[ -f "$out/allowance-signing.pub.pem" ]] || write_allowance_key
    exit 0
fi

umask 077
mkdir -p "$out"
chmod 700 "$out"
rm -f "$out/.complete"

new_key() {  # new_key FILE: a P-256 private key, PKCS#8 PEM, owner-only
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# sign CN PROFILE KEY ISSUER_CERT ISSUER_KEY OUT DAYS [SUBJECT]: a certificate for KEY.
sign() {
    local cn="$1" profile="$2" key="$3" issuer_cert="$4" issuer_key="$5" cert="$6" days="$7"
    local subject="${8:-/O=TapLink/CN=$cn}"
    local csr
    csr="$(mktemp "$out/.csr.XXXXXX")"
    openssl req -new -config "$config" -key "$key" -subj "$subject" -out "$csr"
    openssl x509 -req -in "$csr" -CA "$issuer_cert" -CAkey "$issuer_key" -CAcreateserial \
        -days "$days" -sha256 -extfile "$config" -extensions "$profile" -out "$cert" 2>/dev/null
    rm -f "$csr"
}

# Root CA, self-signed.
new_key "$out/root-ca.key"
openssl req -new -x509 -config "$config" -key "$out/root-ca.key" \
    -subj "/O=TapLink/CN=TapLink Root CA" -days 3650 -sha256 \
    -extensions root_ca -out "$out/root-ca.crt"

# Issuing CAs.
new_key "$out/server-ca.key"
sign "TapLink Server CA" issuing_ca "$out/server-ca.key" "$out/root-ca.crt" "$out/root-ca.key" \
    "$out/server-ca.crt" 1825
new_key "$out/device-ca.key"
sign "TapLink Device CA" issuing_ca "$out/device-ca.key" "$out/root-ca.crt" "$out/root-ca.key" \
    "$out/device-ca.crt" 1825

# The server's certificate, and its chain as a TLS server sends it.
new_key "$out/server.key"
sign "localhost" server_cert "$out/server.key" "$out/server-ca.crt" "$out/server-ca.key" \
    "$out/server.crt" 825
cat "$out/server.crt" "$out/server-ca.crt" >"$out/server-chain.crt"

# What the daemon pins: base64 SHA-256 of the server key's SubjectPublicKeyInfo (the form
# libcurl's CURLOPT_PINNEDPUBLICKEY takes after "sha256//").
openssl pkey -in "$out/server.key" -pubout -outform DER | openssl dgst -sha256 -binary |
    openssl base64 -A >"$out/server-spki.sha256"

# Script signing: the server signs recharge scripts with this key; the daemon trusts its
# public key (script-signing.pub.pem).
new_key "$out/script-signing.key"
sign "TapLink Script Signing" script_signing_cert "$out/script-signing.key" \
    "$out/root-ca.crt" "$out/root-ca.key" "$out/script-signing.crt" 825
openssl pkey -in "$out/script-signing.key" -pubout -out "$out/script-signing.pub.pem"
write_allowance_key

# Issuer master keys of the test city and the test bank (format in docs/pki.md and
# docs/server.md), random for this machine.
hex16() { openssl rand -hex 16 | tr 'a-f' 'A-F'; }
cat >"$out/issuers.json" <<JSON
{
  "format": "taplink-issuers/1",
  "issuers": [
    {
      "name": "TapLink Test City",
      "scheme": "city-epurse",
      "issuerId": "5441504C494E4B31",
      "keyIndex": 1,
      "keyVersion": 1,
      "suites": {
        "3des": {"load": "$(hex16)", "purchase": "$(hex16)", "tac": "$(hex16)"},
        "sm4": {"load": "$(hex16)", "purchase": "$(hex16)", "tac": "$(hex16)"}
      }
    },
    {
      "name": "TapLink Test Bank",
      "scheme": "bank-pboc",
      "panPrefix": "6288880",
      "suites": {
        "3des": {"ac": "$(hex16)", "smi": "$(hex16)", "smc": "$(hex16)"},
        "sm4": {"ac": "$(hex16)", "smi": "$(hex16)", "smc": "$(hex16)"}
      }
    }
  ]
}
JSON

write_tsm_keys

rm -f "$out"/*.srl
chmod 600 "$out"/*
touch "$out/.complete"
