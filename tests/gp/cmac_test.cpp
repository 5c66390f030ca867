// AES-CMAC against the published examples: RFC 4493 section 4 (AES-128, the four message
// lengths) and NIST SP 800-38B appendix D.2 / D.3 (AES-192 and AES-256, empty message).

#include "taplink/crypto/cmac.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace taplink::crypto {
namespace {

Bytes rfcKey() {
    return fromHex("2B7E151628AED2A6ABF7158809CF4F3C");
}

Bytes rfcMessage() {
    return fromHex(
        "6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51"
        "30C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710");
}

std::string cmacOfPrefix(std::size_t length) {
    return toHex(aesCmac(rfcKey(), ByteView(rfcMessage()).first(length)));
}

TEST(AesCmac, Rfc4493Examples) {
    EXPECT_EQ(cmacOfPrefix(0), "BB1D6929E95937287FA37D129B756746");
    EXPECT_EQ(cmacOfPrefix(16), "070A16B46B4D4144F79BDD9DD04A287C");
    EXPECT_EQ(cmacOfPrefix(40), "DFA66747DE9AE63030CA32611497C827");
    EXPECT_EQ(cmacOfPrefix(64), "51F0BEBF7E3B9D92FC49741779363CFE");
}

TEST(AesCmac, Sp800_38bLongerKeys) {
    EXPECT_EQ(toHex(aesCmac(fromHex("8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B"), {})),
              "D17DDF46ADAACDE531CAC483DE7A9367");
    EXPECT_EQ(toHex(aesCmac(
                  fromHex("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4"), {})),
              "028962F61B7BF89EFC6B551F4667D983");
}

TEST(AesCmac, RefusesKeysThatAreNotAesKeys) {
    for (const std::size_t size : {0U, 8U, 15U, 17U, 33U}) {
        EXPECT_THROW(aesCmac(Bytes(size, 0x11), rfcMessage()), CryptoError) << size;
    }
}

}  // namespace
}  // namespace taplink::crypto
