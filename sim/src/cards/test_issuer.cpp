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

}  // namespace taplink::sim
