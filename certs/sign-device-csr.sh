#!/usr/bin/env bash
# Signs a device CSR with the device CA of PKIDIR (made by certs/make-pki.sh), after checking
# that it is a TapLink device CSR as taplink-enroll makes it (docs/pki.md):
#   - its signature verifies (the chip's key signed it);
#   - subject exactly O=TapLink, CN=TapLink device <CHIPSERIAL>, serialNumber=<CHIPSERIAL>
#     (upper-case hex, 6 to 32 bytes), a P-256 key, ecdsa-with-SHA256;
#   - no extension but the TapLink load SAM key extension, exactly once, not critical,
#     holding a valid P-256 SubjectPublicKeyInfo.
# The certificate gets the device_cert profile of openssl.cnf, plus the SAM key extension
# copied from the CSR (-copy_extensions copy).
#
#   certs/sign-device-csr.sh PKIDIR CSR OUT
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
config="$here/openssl.cnf"
readonly sam_oid="2.25.84704649656041830364308240670639428389"
readonly days=825

usage="usage: sign-device-csr.sh PKIDIR CSR OUT"
pki="${1:?$usage}"
csr="${2:?$usage}"
out="${3:?$usage}"

fail() {
    echo "sign-device-csr: $*" >&2
    exit 1
}

[[ -f "$pki/device-ca.crt" && -f "$pki/device-ca.key" ]] ||
    fail "$pki has no device CA (run certs/make-pki.sh $pki)"
[[ -r "$csr" ]] || fail "cannot read $csr"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The chip's key signed it. (OpenSSL 3.0's `req -verify` exits 0 on a bad signature too:
# its verdict is in what it prints.)
verdict="$(openssl req -in "$csr" -noout -verify 2>&1)" || fail "$csr: not a PEM CSR"
[[ "$verdict" == *"verify OK"* ]] || fail "$csr: the CSR's signature does not verify"

# Every OBJECT IDENTIFIER of the CSR with its depth (asn1parse's d=): this pins the subject's
# attribute types, the key type, the one attribute and the one extension.
dump="$(openssl asn1parse -in "$csr")"
objects="$(awk -F'prim: OBJECT *:' '/prim: OBJECT/ {
    match($1, /d=[0-9]+/); print substr($1, RSTART + 2, RLENGTH - 2) " " $2 }' <<<"$dump")"
expected="5 organizationName
5 commonName
5 serialNumber
4 id-ecPublicKey
4 prime256v1
4 Extension Request
7 $sam_oid
2 ecdsa-with-SHA256"
if [[ "$objects" != "$expected" ]]; then
    # Extensions sit at depth 7 (CSR, info, attributes, attribute, values, extensions, extension).
    others="$(awk -v sam="$sam_oid" '$1 == 7 && substr($0, 3) != sam { print substr($0, 3) }' \
        <<<"$objects" | paste -sd, -)"
    if [[ -n "$others" ]]; then
        fail "$csr carries extension(s) $others: only the TapLink load SAM key extension" \
            "($sam_oid) is allowed"
    fi
    fail "$csr is not a TapLink device CSR (expected subject O, CN, serialNumber, a P-256" \
        "key, one TapLink load SAM key extension, ecdsa-with-SHA256); it has:" \
        "$(paste -sd, - <<<"$objects")"
fi
if grep -q 'prim: BOOLEAN' <<<"$dump"; then
    fail "$csr: the TapLink load SAM key extension must not be critical"
fi

# The subject names the chip twice, the same way.
subject="$(openssl req -in "$csr" -noout -subject -nameopt RFC2253)"
if [[ ! "$subject" =~ ^subject=serialNumber=([0-9A-F]+),CN=TapLink\ device\ ([0-9A-F]+),O=TapLink$ ]] ||
    [[ "${BASH_REMATCH[1]}" != "${BASH_REMATCH[2]}" ]]; then
    fail "$csr: subject must be O=TapLink, CN=TapLink device <CHIPSERIAL>," \
        "serialNumber=<CHIPSERIAL> (upper-case hex); it is ${subject#subject=}"
fi
serial="${BASH_REMATCH[1]}"
if ((${#serial} % 2 != 0 || ${#serial} < 12 || ${#serial} > 64)); then
    fail "$csr: chip serial $serial is not 6 to 32 bytes of hex"
fi

# The extension holds exactly a valid P-256 SubjectPublicKeyInfo.
offset="$(awk -v sam="$sam_oid" 'found { split($1, f, ":"); print f[1]; exit }
    /prim: OBJECT/ && $0 ~ (":" sam "$") { found = 1 }' <<<"$dump")"
openssl asn1parse -in "$csr" -strparse "$offset" -noout -out "$work/sam.der" >/dev/null 2>&1 ||
    fail "$csr: the TapLink load SAM key extension is not DER"
if ! openssl pkey -pubin -inform DER -in "$work/sam.der" -pubcheck -noout >/dev/null 2>&1 ||
    ! openssl pkey -pubin -inform DER -in "$work/sam.der" -text -noout 2>/dev/null |
    grep -q 'ASN1 OID: prime256v1' ||
    ! openssl pkey -pubin -inform DER -in "$work/sam.der" -pubout -outform DER |
    cmp -s - "$work/sam.der"; then
    fail "$csr: the TapLink load SAM key extension is not a P-256 SubjectPublicKeyInfo"
fi

openssl x509 -req -in "$csr" -CA "$pki/device-ca.crt" -CAkey "$pki/device-ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$days" -sha256 \
    -extfile "$config" -extensions device_cert -copy_extensions copy \
    -out "$work/device.crt" 2>/dev/null || fail "the device CA could not sign $csr"
openssl verify -CAfile "$pki/root-ca.crt" -untrusted "$pki/device-ca.crt" -purpose sslclient \
    "$work/device.crt" >/dev/null || fail "the new certificate does not verify"
mv "$work/device.crt" "$out"
echo "device certificate for chip $serial: $out"
