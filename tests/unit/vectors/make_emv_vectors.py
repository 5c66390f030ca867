#!/usr/bin/python3
"""Known-answer vectors for libs/crypto emv_keys (tests/unit/emv_keys_test.cpp).

Computes every value in emv_vectors.json independently of TapLink's code: DES and triple DES
by pycryptodome (Debian's python3-pycryptodome, module Cryptodome), SM4 by the openssl
command line (`openssl enc -sm4-ecb -nopad`, one call per block). Padding, XOR and CBC
chaining are written out here. Run it with Debian's interpreter (the package installs into
its dist-packages, which a pyenv or venv python3 does not see):

    /usr/bin/python3 tests/unit/vectors/make_emv_vectors.py > tests/unit/vectors/emv_vectors.json

Its output must be the committed file byte for byte; the ctest emv.vectors_reproduce checks
that. The formulas are those of taplink/crypto/emv_keys.hpp (docs/cards.md gives sources).
Keys are published test values: the IMK-AC and IMK-MAC of the worked PBOC example
(cnblogs.com/1024Planet/p/6256545.html) for triple DES, the GB/T 32907-2016 appendix A key
and a variant of it for SM4. PANs are Luhn-valid 62... test numbers.
"""

import json
import subprocess
import sys

from Cryptodome.Cipher import DES, DES3

TRIPLE_DES_IMK_AC = "F0C34A8124CEE0A91A0B034AA97D6EAC"
TRIPLE_DES_IMK_MAC = "12B1AC4AF070CC35612BFE2D30AB600D"
SM4_IMK_AC = "0123456789ABCDEFFEDCBA9876543210"  # GB/T 32907-2016 appendix A
SM4_IMK_MAC = "FEDCBA98765432100123456789ABCDEF"  # its halves swapped

# (PAN, PSN): 16, 17 and 19 digits, so Y keeps or drops leading digits of PAN || PSN.
MASTER_KEY_CASES = [("6228480012345671", 0x00), ("62122600123456782", 0x01),
                    ("6217000012345678907", 0x02)]
SESSION_KEY_ATCS = [0x0000, 0x0001, 0x1234, 0xFFFF]

# CDOL1 data of a PBOC purchase (EMV Book 3 annex A tags, JR/T 0025 CDOL1): amount
# authorised 9F02, amount other 9F03, terminal country 9F1A, TVR 95, currency 5F2A,
# date 9A, type 9C, unpredictable number 9F37.
CDOL1_DATA = ("000000010000" "000000000000" "0156" "0000000000" "0156" "261206" "00"
              "12345678")
AIP = "7C00"  # 82
CVR = "03A00000"  # 9F10 bytes 4-7
# PUT DATA 9F79 (electronic cash balance): CLA INS P1 P2 Lc, Lc counting the 4-byte MAC.
SCRIPT_HEADER = "04DA9F790A"
SCRIPT_BALANCE = "000000020000"  # 6-byte BCD, 200.00 yuan in fen

TRANSACTIONS = [  # (PAN, PSN, ATC, ARC as in 8A)
    ("6222021000112230", 0x01, 0x0001, "3030"),  # "00" approved
    ("6230580000000043211", 0x00, 0x0240, "3531"),  # "51" declined
]


def h(text):
    return bytes.fromhex(text)


def hexof(data):
    return data.hex().upper()


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def luhn_valid(pan):
    total = 0
    for i, digit in enumerate(reversed(pan)):
        n = int(digit) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def sm4_ecb(key, data):
    run = subprocess.run(["openssl", "enc", "-sm4-ecb", "-K", hexof(key), "-nopad"],
                         input=data, capture_output=True, check=True)
    return run.stdout


def triple_des_ecb(key, data):
    return DES3.new(key, DES3.MODE_ECB).encrypt(data)


def ecb(suite, key, data):
    return sm4_ecb(key, data) if suite == "sm4" else triple_des_ecb(key, data)


def block_size(suite):
    return 16 if suite == "sm4" else 8


def pad_method2(data, block):  # ISO/IEC 9797-1 padding method 2
    data += b"\x80"
    return data + b"\x00" * (-len(data) % block)


def cbc_chain(encrypt, block, data):  # H = E(H XOR block), H starting at 0
    state = bytes(block)
    padded = pad_method2(data, block)
    for i in range(0, len(padded), block):
        state = encrypt(xor(state, padded[i:i + block]))
    return state


def retail_mac(key, data):  # ISO/IEC 9797-1 MAC algorithm 3, single DES K1, K2
    k1 = DES.new(key[:8], DES.MODE_ECB)
    k2 = DES.new(key[8:], DES.MODE_ECB)
    return k1.encrypt(k2.decrypt(cbc_chain(k1.encrypt, 8, data)))


def full_mac(suite, key, data):  # SM4: ISO/IEC 9797-1 MAC algorithm 1
    if suite == "sm4":
        return cbc_chain(lambda block: sm4_ecb(key, block), 16, data)
    return retail_mac(key, data)


def master_key(suite, imk, pan, psn):  # EMV Book 2 A1.4.1 option A
    assert luhn_valid(pan) and 16 <= len(pan) <= 19, pan
    y = h((pan + "%02X" % psn)[-16:].rjust(16, "0"))
    return ecb(suite, imk, y + xor(y, b"\xff" * 8))


def session_key(suite, mk, atc):
    r = bytes(6) + atc.to_bytes(2, "big") + bytes(6) + (atc ^ 0xFFFF).to_bytes(2, "big")
    return ecb(suite, mk, r)


def arpc(suite, sk, arqc, arc):  # EMV Book 2 8.2.1 method 1
    x = xor(arqc, arc + bytes(6)).ljust(block_size(suite), b"\x00")
    return ecb(suite, sk, x)[:8]


def master_key_vectors(suite, imk):
    return [{"imk": hexof(imk), "pan": pan, "psn": "%02X" % psn,
             "mk": hexof(master_key(suite, imk, pan, psn))} for pan, psn in MASTER_KEY_CASES]


def session_key_vectors(suite, imk):
    mk = master_key(suite, imk, *MASTER_KEY_CASES[0])
    return [{"mk": hexof(mk), "atc": "%04X" % atc, "sk": hexof(session_key(suite, mk, atc))}
            for atc in SESSION_KEY_ATCS]


def transaction_vector(suite, imk_ac, imk_mac, case):
    pan, psn, atc, arc = case
    atc_bytes = atc.to_bytes(2, "big")
    mk_ac, mk_mac = master_key(suite, imk_ac, pan, psn), master_key(suite, imk_mac, pan, psn)
    sk_ac, sk_mac = session_key(suite, mk_ac, atc), session_key(suite, mk_mac, atc)
    data = h(CDOL1_DATA + AIP) + atc_bytes + h(CVR)  # CVN 01
    arqc = full_mac(suite, sk_ac, data)[:8]
    script_input = h(SCRIPT_HEADER) + atc_bytes + arqc + h(SCRIPT_BALANCE)  # EMV Book 2 9.2.1
    return {"imkAc": hexof(imk_ac), "imkMac": hexof(imk_mac), "pan": pan, "psn": "%02X" % psn,
            "atc": "%04X" % atc, "mkAc": hexof(mk_ac), "mkMac": hexof(mk_mac),
            "skAc": hexof(sk_ac), "skMac": hexof(sk_mac), "cryptogramData": hexof(data),
            "arqc": hexof(arqc), "arc": arc, "arpc": hexof(arpc(suite, sk_ac, arqc, h(arc))),
            "scriptHeader": SCRIPT_HEADER, "scriptData": SCRIPT_BALANCE,
            "scriptMacInput": hexof(script_input),
            "scriptMac": hexof(full_mac(suite, sk_mac, script_input)[:4])}


def suite_vectors(suite, imk_ac, imk_mac):
    return {"masterKeys": master_key_vectors(suite, imk_ac),
            "sessionKeys": session_key_vectors(suite, imk_ac),
            "transactions": [transaction_vector(suite, imk_ac, imk_mac, case)
                             for case in TRANSACTIONS]}


def check_against_published_examples():
    """The script's own formulas must give the published values before it prints anything."""
    assert hexof(sm4_ecb(h(SM4_IMK_AC), h(SM4_IMK_AC))) == "681EDF34D206965E86B3E94F536E4246"
    # Example 1, shuzhiduo.com/A/l1dyep1Vde: card MK, ATC 000E.
    sk = session_key("tripleDes", h("0D2E3CB0BC1F9E03AED58F663A2F9679"), 0x000E)
    data = h("0000000012340000000000340156D86004A80001561205160101010101" "7C00000E03A4B904")
    assert hexof(full_mac("tripleDes", sk, data)) == "F294D7022FA9B058"
    # Example 2, cnblogs.com/1024Planet/p/6256545.html: 13-digit PAN as printed, PSN 01.
    y = h("0622800010000101")
    mk = triple_des_ecb(h(TRIPLE_DES_IMK_AC), y + xor(y, b"\xff" * 8))
    sk = session_key("tripleDes", mk, 0x0240)
    data = h("000000000001000000000000015600800460000156140701001E78EEBC7D00024003A04002")
    arqc = full_mac("tripleDes", sk, data)
    assert hexof(arqc) == "5D016C91005E7CC2"
    assert hexof(arpc("tripleDes", sk, arqc, h("3031"))) == "21415243527CE78F"


def main():
    check_against_published_examples()
    vectors = {
        "generatedBy": "tests/unit/vectors/make_emv_vectors.py (do not edit by hand)",
        "tripleDes": suite_vectors("tripleDes", h(TRIPLE_DES_IMK_AC), h(TRIPLE_DES_IMK_MAC)),
        "sm4": suite_vectors("sm4", h(SM4_IMK_AC), h(SM4_IMK_MAC)),
    }
    json.dump(vectors, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
