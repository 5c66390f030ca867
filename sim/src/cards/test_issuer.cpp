#include "cards/test_issuer.hpp"

namespace taplink::sim {

IssuerMasterKeys testIssuerKeys(crypto::epurse::Suite suite) {
    if (suite == crypto::epurse::Suite::Sm4) {
        return {fromHex("4D4C4B2D534D342D54415054455354A1"),
                fromHex("4D504B2D534D342D54415054455354A2"),
                fromHex("4D544B2D534D342D54415054455354A3")};
    }
    return {fromHex("00112233445566778899AABBCCDDEEFF"),
            fromHex("0123456789ABCDEFFEDCBA9876543210"),
            fromHex("F0E1D2C3B4A5968778695A4B3C2D1E0F")};
}

Bytes testIssuerId() {
    return fromHex("5441504C494E4B31");
}  // "TAPLINK1"

Issuer testIssuer() {
    Issuer issuer;
    issuer.name = "TapLink Test City";
    issuer.scheme = "city-epurse";
    issuer.issuerId = testIssuerId();
    for (const auto suite : {crypto::epurse::Suite::TripleDes, crypto::epurse::Suite::Sm4}) {
        issuer.suites.emplace(suite, testIssuerKeys(suite));
    }
    return issuer;
}

// Triple DES: IMK-AC, IMK-MAC and IMK-ENC of the published PBOC worked example
// (cnblogs.com/1024Planet/p/6256545.html) that tests/unit/vectors/emv_vectors.json uses. SM4:
// the key of the SM4 standard's example (GB/T 32907-2016 appendix A), the same with its
// halves swapped (as in those vectors), and the triple-DES IMK-ENC.
BankMasterKeys testBankIssuerKeys(crypto::emv::Suite suite) {
    if (suite == crypto::emv::Suite::Sm4) {
        return {fromHex("0123456789ABCDEFFEDCBA9876543210"),
                fromHex("FEDCBA98765432100123456789ABCDEF"),
                fromHex("D30F45EABC12AC3EF56B0C0D7F8654DE")};
    }
    return {fromHex("F0C34A8124CEE0A91A0B034AA97D6EAC"),
            fromHex("12B1AC4AF070CC35612BFE2D30AB600D"),
            fromHex("D30F45EABC12AC3EF56B0C0D7F8654DE")};
}

BankIssuer testBankIssuer() {
    BankIssuer issuer;
    issuer.name = "TapLink Test Bank";
    issuer.panPrefix = "6288880";
    for (const auto suite : {crypto::emv::Suite::TripleDes, crypto::emv::Suite::Sm4}) {
        issuer.suites.emplace(suite, testBankIssuerKeys(suite));
    }
    return issuer;
}

}  // namespace taplink::sim
