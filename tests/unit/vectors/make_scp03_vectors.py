#!/usr/bin/python3
"""Known-answer vectors for libs/gp, GlobalPlatform SCP03 (tests/gp/scp03_vectors_test.cpp).

Computes every value in scp03_vectors.json independently of TapLink's code: AES and AES-CMAC
by pycryptodome (Debian's python3-pycryptodome, module Cryptodome). The KDF input, padding,
counters and MAC chaining are written out here from GlobalPlatform Card Specification v2.3
Amendment D (SCP03) v1.1.2: 4.1.5 (data derivation), 6.2.2 (cryptograms), 6.2.4 (C-MAC),
6.2.5 (R-MAC), 6.2.6 (C-DECRYPTION), 6.2.7 (R-ENCRYPTION), 7.1 (INITIALIZE UPDATE), 7.2
(EXTERNAL AUTHENTICATE). Run it with Debian's interpreter:

    /usr/bin/python3 tests/unit/vectors/make_scp03_vectors.py > tests/unit/vectors/scp03_vectors.json

Its output must be the committed file byte for byte; the ctest gp.vectors_reproduce checks
that. Keys are the GlobalPlatform default test keys 40 41 ... 4F (and their 24- and 32-byte
extensions), published and used by every GP test card.

Before printing, the script checks its own formulas against published values: RFC 4493
section 4 (AES-CMAC) and a real card's SCP03 exchange (osmocom pySim,
tests/unit/test_globalplatform.py, class SCP03_Test_AES128_33).
"""

import json
import sys

from Cryptodome.Cipher import AES
from Cryptodome.Hash import CMAC

# Amendment D 4.1.5: data derivation constants.
CARD_CRYPTOGRAM, HOST_CRYPTOGRAM, CARD_CHALLENGE = 0x00, 0x01, 0x02
S_ENC, S_MAC, S_RMAC = 0x04, 0x06, 0x07
# Amendment D 7.2.2.1: security level bits.
C_MAC, C_DECRYPTION, R_MAC, R_ENCRYPTION = 0x01, 0x02, 0x10, 0x20

GP_TEST_KEY = bytes(range(0x40, 0x50))  # 40 41 ... 4F
ISD_AID = bytes.fromhex("A000000151000000")  # GP 2.3 card manager AID


def h(text):
    return bytes.fromhex(text)


def hexof(data):
    return data.hex().upper()


def cmac(key, data):
    return CMAC.new(key, msg=data, ciphermod=AES).digest()


def kdf(key, constant, bits, context):
    """Amendment D 4.1.5: NIST SP 800-108 counter mode, PRF AES-CMAC, counter after L."""
    out = b""
    i = 1
    while len(out) * 8 < bits:
        data = bytes(11) + bytes([constant]) + b"\x00" + bits.to_bytes(2, "big") + bytes([i])
        out += cmac(key, data + context)
        i += 1
    return out[: bits // 8]


def session_keys(enc, mac, host_challenge, card_challenge):
    context = host_challenge + card_challenge
    bits = len(enc) * 8
    return {"sEnc": kdf(enc, S_ENC, bits, context), "sMac": kdf(mac, S_MAC, bits, context),
            "sRmac": kdf(mac, S_RMAC, bits, context)}


def cryptogram(s_mac, constant, host_challenge, card_challenge):
    return kdf(s_mac, constant, 64, host_challenge + card_challenge)  # S8 mode, 64 bits


def pad80(data):
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % 16)


def unpad80(data):
    stripped = data.rstrip(b"\x00")
    assert stripped.endswith(b"\x80")
    return stripped[:-1]


class Channel:
    """The host's state after EXTERNAL AUTHENTICATE: keys, MAC chaining value, counter."""

    def __init__(self, keys, level):
        self.keys, self.level = keys, level
        self.chaining = bytes(16)  # Amendment D 6.2.4: 16 zero bytes before EXTERNAL AUTHENTICATE
        self.counter = 0  # Amendment D 6.2.6: set to zero, incremented before each command

    def mac_command(self, header, data):
        lc = len(data) + 8
        full = cmac(self.keys["sMac"], self.chaining + header + bytes([lc]) + data)
        self.chaining = full
        return header[:4] + bytes([lc]) + data + full[:8]

    def external_authenticate(self, host_cryptogram):
        return self.mac_command(bytes([0x84, 0x82, self.level, 0x00]), host_cryptogram)

    def encryption_iv(self, first_byte):
        block = bytes([first_byte]) + self.counter.to_bytes(16, "big")[1:]
        return AES.new(self.keys["sEnc"], AES.MODE_ECB).encrypt(block)

    def wrap(self, plain):
        cla, ins, p1, p2 = plain[:4]
        data = plain[5:] if len(plain) > 4 else b""
        self.counter += 1  # every command, with or without data (6.2.6)
        if self.level & C_DECRYPTION and data:
            iv = self.encryption_iv(0x00)
            data = AES.new(self.keys["sEnc"], AES.MODE_CBC, iv).encrypt(pad80(data))
        return self.mac_command(bytes([cla | 0x04, ins, p1, p2]), data)

    def protect_response(self, data, sw):
        """The card's side of 6.2.5 and 6.2.7, to produce the wrapped answer."""
        if self.level & R_ENCRYPTION and data:
            iv = self.encryption_iv(0x80)
            data = AES.new(self.keys["sEnc"], AES.MODE_CBC, iv).encrypt(pad80(data))
        if self.level & R_MAC:
            data += cmac(self.keys["sRmac"], self.chaining + data + sw)[:8]
        return data + sw

    def unwrap_response(self, wrapped):
        data, sw = wrapped[:-2], wrapped[-2:]
        if self.level & R_MAC:
            data, rmac = data[:-8], data[-8:]
            assert cmac(self.keys["sRmac"], self.chaining + data + sw)[:8] == rmac
        if self.level & R_ENCRYPTION and data:
            iv = self.encryption_iv(0x80)
            data = unpad80(AES.new(self.keys["sEnc"], AES.MODE_CBC, iv).decrypt(data))
        return data + sw


def check_rfc4493():
    key = h("2b7e151628aed2a6abf7158809cf4f3c")
    message = h("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    assert hexof(cmac(key, b"")) == "BB1D6929E95937287FA37D129B756746"
    assert hexof(cmac(key, message[:16])) == "070A16B46B4D4144F79BDD9DD04A287C"
    assert hexof(cmac(key, message[:40])) == "DFA66747DE9AE63030CA32611497C827"
    assert hexof(cmac(key, message)) == "51F0BEBF7E3B9D92FC49741779363CFE"


# A real card's SCP03 session at security level 33, AES-128 (osmocom pySim,
# tests/unit/test_globalplatform.py, SCP03_Test_AES128_33).
PYSIM_AES128_33 = {
    "enc": "000102030405060708090A0B0C0D0E0F", "mac": "101112131415161718191A1B1C1D1E1F",
    "initializeUpdate": "8050300008FDF38259A1E0DE44",
    "initializeUpdateResponse":
        "000000000000000000003003703B1ACA81E821F219081CDC01C26B372D000003",
    "externalAuthenticate": "84823300108C36F96BCC00724A4E13AD591D7DA3F0",
    "command": "80E2910006BF3E035C015A",
    "wrappedCommand": "84E2910018267A85DFE4A98FCA6FB0527E0DFECCE4914E40401433C87F",
    "wrappedResponse": "F3BA2B1013AA6224F5E1C138D71805C569E5439B47576260B75FC021B25097CB"
                       "2E68F8A0144975B99000",
    "response": "BF3E125A10898821199000000000000000000000059000",
}


def check_pysim_trace():
    t = {k: h(v) for k, v in PYSIM_AES128_33.items()}
    host_challenge = t["initializeUpdate"][5:]
    card_challenge, card_crypto = t["initializeUpdateResponse"][13:21], \
        t["initializeUpdateResponse"][21:29]
    keys = session_keys(t["enc"], t["mac"], host_challenge, card_challenge)
    assert cryptogram(keys["sMac"], CARD_CRYPTOGRAM, host_challenge, card_challenge) == card_crypto
    channel = Channel(keys, 0x33)
    host_crypto = cryptogram(keys["sMac"], HOST_CRYPTOGRAM, host_challenge, card_challenge)
    assert channel.external_authenticate(host_crypto) == t["externalAuthenticate"]
    assert channel.wrap(t["command"]) == t["wrappedCommand"]
    assert channel.unwrap_response(t["wrappedResponse"]) == t["response"]


def pseudo_random_challenge(enc, counter, aid):
    """Amendment D 6.2.2.1: card challenge from the sequence counter and the AID."""
    return kdf(enc, CARD_CHALLENGE, 64, counter.to_bytes(3, "big") + aid)


def extended_key(size):
    return bytes(GP_TEST_KEY[i % 16] for i in range(size))


# (security level, [(plain command, plain response data, SW)]): a few commands per level,
# with and without data, and an error status word (never protected, 6.2.5).
SESSIONS = [
    (0x01, [("80F21000024F00", "E3104F07A0000001510000", "9000"),
            ("80CA0066", "", "6A88"), ("80E60C00", "", "9000")]),
    (0x03, [("80E2900008BF25055C034F9F70", "", "9000"),
            ("80F22002", "", "9000"),
            ("80E80000" + "10" + "00112233445566778899AABBCCDDEEFF", "", "9000")]),
    (0x13, [("80CA00E0", "E012C00401018010C00402018010", "9000"),
            ("80F24000024F00", "", "6A88")]),
    (0x33, [("80F24002024F00", "E3104F07A0000001510000C5020000", "9000"),
            ("80F08007074F05A000000003", "", "9000"),
            ("80CA0066", "6620731E06072A864886FC6B01600B06092A864886FC6B020203", "6310"),
            ("80E40080", "", "6985")]),
]


def session_vector(key_size, level, commands, counter):
    enc, mac = extended_key(key_size), extended_key(key_size)
    host_challenge = h("0011223344556677") if key_size == 16 else h("F0E1D2C3B4A59687")
    card_challenge = pseudo_random_challenge(enc, counter, ISD_AID)
    keys = session_keys(enc, mac, host_challenge, card_challenge)
    i_parameter = 0x70  # pseudo-random challenge, R-MAC and R-ENCRYPTION supported
    kvn = 0x30
    answer = (bytes(10) + bytes([kvn, 0x03, i_parameter]) + card_challenge +
              cryptogram(keys["sMac"], CARD_CRYPTOGRAM, host_challenge, card_challenge) +
              counter.to_bytes(3, "big"))
    channel = Channel(keys, level)
    host_crypto = cryptogram(keys["sMac"], HOST_CRYPTOGRAM, host_challenge, card_challenge)
    steps = []
    external = channel.external_authenticate(host_crypto)
    for command, data, sw in commands:
        wrapped = channel.wrap(h(command))
        steps.append({"command": command, "wrappedCommand": hexof(wrapped),
                      "responseData": data, "sw": sw,
                      "wrappedResponse": hexof(channel.protect_response(h(data), h(sw))
                                               if sw in ("9000", "6310") else h(sw))})
    return {"keySize": key_size, "staticKey": hexof(enc), "kvn": "%02X" % kvn,
            "iParameter": "%02X" % i_parameter, "securityLevel": "%02X" % level,
            "aid": hexof(ISD_AID), "sequenceCounter": counter,
            "hostChallenge": hexof(host_challenge),
            "initializeUpdate": hexof(bytes([0x80, 0x50, kvn, 0x00, 0x08]) + host_challenge + b"\x00"),
            "initializeUpdateResponse": hexof(answer),
            "sEnc": hexof(keys["sEnc"]), "sMac": hexof(keys["sMac"]),
            "sRmac": hexof(keys["sRmac"]), "hostCryptogram": hexof(host_crypto),
            "externalAuthenticate": hexof(external), "steps": steps}


def kdf_vectors():
    out = []
    for constant, bits in ((CARD_CRYPTOGRAM, 64), (HOST_CRYPTOGRAM, 128), (S_ENC, 128),
                           (S_MAC, 192), (S_RMAC, 256)):
        key = extended_key(bits // 8 if bits > 64 else 16)
        context = h("0011223344556677") + h("8899AABBCCDDEEFF")
        out.append({"key": hexof(key), "constant": "%02X" % constant, "bits": bits,
                    "context": hexof(context), "output": hexof(kdf(key, constant, bits, context))})
    return out


def main():
    check_rfc4493()
    check_pysim_trace()
    sessions = []
    counter = 1
    for key_size in (16, 24, 32):
        for level, commands in SESSIONS:
            sessions.append(session_vector(key_size, level, commands, counter))
            counter += 1
    vectors = {
        "generatedBy": "tests/unit/vectors/make_scp03_vectors.py (do not edit by hand)",
        "kdf": kdf_vectors(),
        "cardChallenges": [{"key": hexof(GP_TEST_KEY), "sequenceCounter": n,
                            "aid": hexof(ISD_AID),
                            "cardChallenge": hexof(pseudo_random_challenge(GP_TEST_KEY, n,
                                                                           ISD_AID))}
                           for n in (1, 0x000102, 0xFFFFFF)],
        "sessions": sessions,
    }
    json.dump(vectors, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
