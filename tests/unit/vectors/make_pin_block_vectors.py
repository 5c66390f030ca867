#!/usr/bin/python3
"""Known-answer vectors for libs/crypto pin_block (tests/unit/pin_block_test.cpp).

Computes every value in pin_block_vectors.json independently of TapLink's code: AES by
pycryptodome (Debian's python3-pycryptodome, module Cryptodome); the fields are written out
here from ISO 9564-1:2017: 9.3.2 (format 0: plain PIN field 0 N PIN F..F, PAN field 0000 and
the 12 rightmost PAN digits without the check digit) and 9.4.2 (format 4: plain PIN field
4 N PIN A..A and 8 random bytes, PAN field M and the PAN left-justified, zeros after;
enciphered as E(K, E(K, PIN field) XOR PAN field)). Run it with Debian's interpreter:

    /usr/bin/python3 tests/unit/vectors/make_pin_block_vectors.py > tests/unit/vectors/pin_block_vectors.json

Its output must be the committed file byte for byte; the ctest crypto.pin_block_vectors_reproduce
checks that. Keys, PINs, PANs and random parts are derived from SHA-256 of a label, so they
are fixed and carry no meaning.

Before printing, the script checks its own formulas against published values:
- ANSI X9.24-3:2017 Supplement Test Vectors for AES-128 BDK, "Calculation of AES PIN Block
  Format 4" (the first eight PIN keys and enciphered PIN blocks; as quoted by openemv/dukpt,
  test/dukpt_aes128_test.c);
- ep2 (eft/pos 2000) Security Specification 8.0.0, 8.4 PIN Encryption (as quoted by
  knovichikhin/psec, tests/test_pinblock.py);
- psec's deterministic format 4 example and format 0 examples (same file).
"""

import hashlib
import json
import sys

from Cryptodome.Cipher import AES


def h(text):
    return bytes.fromhex(text)


def hexof(data):
    return data.hex().upper()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


# ISO 9564-1:2017 9.4.2.2.2: control 4, length N, the PIN, fill A to 16 nibbles, 8 random bytes.
def format4_pin_field(pin, random):
    return h("4" + "%X" % len(pin) + pin + "A" * (14 - len(pin))) + random


# 9.4.2.2.3: M = PAN digits beyond 12, the PAN (check digit included), zeros to 32 nibbles.
def format4_pan_field(pan):
    return h(("%X" % (len(pan) - 12) + pan).ljust(32, "0"))


# 9.4.2.3: E(K, E(K, PIN field) XOR PAN field).
def encipher4(key, pin_field, pan_field):
    aes = AES.new(key, AES.MODE_ECB)
    return aes.encrypt(xor(aes.encrypt(pin_field), pan_field))


def decipher4(key, block, pan_field):
    aes = AES.new(key, AES.MODE_ECB)
    return aes.decrypt(xor(aes.decrypt(block), pan_field))


# 9.3.2.2 and 9.3.2.3.
def format0_pin_field(pin):
    return h("0" + "%X" % len(pin) + pin + "F" * (14 - len(pin)))


def format0_pan_field(pan):
    return h("0000" + pan[:-1][-12:].rjust(12, "0"))


X9_24_3_PIN_FIELD = "441234AAAAAAAAAA2F69ADDE2E9E7ACE"
X9_24_3_PAN = "4111111111111111"
X9_24_3 = [  # (PIN key, enciphered PIN block) for the first eight KSNs
    ("AF8CB133A78F8DC2D1359F18527593FB", "A912150391AB65A67E52883D81CE2D15"),
    ("D30BDC73EC9714B000BEC66BDB7B6D09", "52A00503BD34BA1383F6A7EE9FE2547F"),
    ("7D69F01F3B45449F62C7816ECE723268", "A5A27E82B43A9A866A93D7ABE89CEF93"),
    ("91A0588318EC2673214271F70137896E", "71B3D0528669498777555A8BE6698E44"),
    ("35A43BC9EFEB09C756204B57E3FB7D4D", "881A7F77A2E04E5BEA985E342FD0B628"),
    ("02DCC6CD1201A3A2CA7099559C862123", "BDC1C3871AFB0B340AA5B5CEFD08695E"),
    ("6ECF912F3B18CA11A7A27BB60705FD09", "4A8E6B8C7DBEE6CBA6DC774F0CB83396"),
    ("4D9DF3FBEE3448FC3E676D04320A90F5", "8308BB857C17F390369F761F8EB358FA"),
]


def check_published():
    pan_field = format4_pan_field(X9_24_3_PAN)
    assert hexof(pan_field) == "44111111111111111000000000000000"
    pin_field = h(X9_24_3_PIN_FIELD)
    assert format4_pin_field("1234", pin_field[8:]) == pin_field
    for key, block in X9_24_3:
        assert hexof(encipher4(h(key), pin_field, pan_field)) == block
    ep2 = decipher4(h("C1D0F8FB4958670DBA40AB1F3752EF0D"), h("CC17F65586BFD0953010226C4FC5B3CA"),
                    format4_pan_field("432198765432109870"))
    assert hexof(ep2[:8]) == "441234AAAAAAAAAA"
    psec = encipher4(h("00112233445566778899AABBCCDDEEFF"),
                     format4_pin_field("1234", b"\xff" * 8), format4_pan_field("1234567890123456789"))
    assert hexof(psec) == "28B41FDDD29B743E93124BD8E32D921E"
    pan = "5555555551234567"
    assert hexof(xor(format0_pin_field("1234"), format0_pan_field(pan))) == "041261AAAAEDCBA9"
    assert hexof(xor(format0_pin_field("123456789012"), format0_pan_field(pan))) == "0C1261032D8226A9"


def derived(label, size):
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(("%s/%d" % (label, counter)).encode()).digest()
        counter += 1
    return out[:size]


def digits(label, count):
    return "".join(str(b % 10) for b in derived(label, count))


def format4_vectors():
    out = []
    for i in range(12):
        key = derived("format4 key %d" % i, (16, 24, 32)[i % 3])
        pin, pan = digits("format4 pin %d" % i, 4 + i % 9), digits("format4 pan %d" % i, 12 + i % 8)
        random = derived("format4 random %d" % i, 8)
        pin_field, pan_field = format4_pin_field(pin, random), format4_pan_field(pan)
        out.append({"key": hexof(key), "pin": pin, "pan": pan, "random": hexof(random),
                    "pinField": hexof(pin_field), "panField": hexof(pan_field),
                    "block": hexof(encipher4(key, pin_field, pan_field))})
    return out


def format0_vectors():
    out = []
    for i in range(9):
        pin, pan = digits("format0 pin %d" % i, 4 + i), digits("format0 pan %d" % i, 12 + i % 8)
        out.append({"pin": pin, "pan": pan,
                    "block": hexof(xor(format0_pin_field(pin), format0_pan_field(pan)))})
    return out


# Plain PIN fields that break one rule each, and the error code the decoder must give.
MALFORMED_FORMAT4 = [
    ("541234AAAAAAAAAA", "WrongFormat"), ("431234AAAAAAAAAA", "BadPinLength"),
    ("4D1234567890123A", "BadPinLength"), ("4412C4AAAAAAAAAA", "BadPinDigit"),
    ("441234AAAAAAAAAB", "BadFill"), ("4412340AAAAAAAAA", "BadFill"),
]
MALFORMED_FORMAT0 = [
    ("141234FFFFFFFFFF", "WrongFormat"), ("031234FFFFFFFFFF", "BadPinLength"),
    ("0D1234567890123F", "BadPinLength"), ("04123AFFFFFFFFFF", "BadPinDigit"),
    ("041234FFFFFFFFFE", "BadFill"), ("041234AAAAAAAAAA", "BadFill"),
]


def malformed_vectors():
    key, pan = derived("malformed key", 16), digits("malformed pan", 16)
    random = derived("malformed random", 8)
    format4 = [{"key": hexof(key), "pan": pan, "plainPinField": field + hexof(random),
                "block": hexof(encipher4(key, h(field) + random, format4_pan_field(pan))),
                "error": error} for field, error in MALFORMED_FORMAT4]
    format0 = [{"pan": pan, "plainPinField": field,
                "block": hexof(xor(h(field), format0_pan_field(pan))), "error": error}
               for field, error in MALFORMED_FORMAT0]
    return format4, format0


def main():
    check_published()
    malformed4, malformed0 = malformed_vectors()
    vectors = {
        "generatedBy": "tests/unit/vectors/make_pin_block_vectors.py (do not edit by hand)",
        "format4": format4_vectors(),
        "format0": format0_vectors(),
        "malformedFormat4": malformed4,
        "malformedFormat0": malformed0,
    }
    json.dump(vectors, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
