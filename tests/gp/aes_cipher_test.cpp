// AES in crypto/block_cipher (what SCP03 encrypts with) against the published examples:
// FIPS 197 appendix C.1-C.3 (one block, 128/192/256-bit keys) and NIST SP 800-38A F.2.1 /
// F.2.2 (CBC, the first two blocks).

#include <gtest/gtest.h>

#include <string_view>

#include "taplink/crypto/block_cipher.hpp"

namespace taplink::crypto {
namespace {

Bytes fipsPlain() {
    return fromHex("00112233445566778899AABBCCDDEEFF");
}

TEST(AesBlockCipher, Fips197Examples) {
    const Bytes key = fromHex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    EXPECT_EQ(toHex(encryptEcb(Cipher::Aes128, ByteView(key).first(16), fipsPlain())),
              "69C4E0D86A7B0430D8CDB78070B4C55A");
    EXPECT_EQ(toHex(encryptEcb(Cipher::Aes192, ByteView(key).first(24), fipsPlain())),
              "DDA97CA4864CDFE06EAF70A0EC0D7191");
    EXPECT_EQ(toHex(encryptEcb(Cipher::Aes256, key, fipsPlain())),
              "8EA2B7CA516745BFEAFC49904B496089");
    EXPECT_EQ(decryptEcb(Cipher::Aes256, key, fromHex("8EA2B7CA516745BFEAFC49904B496089")),
              fipsPlain());
}

TEST(AesBlockCipher, Sp800_38aCbc) {
    const Bytes key = fromHex("2B7E151628AED2A6ABF7158809CF4F3C");
    const Bytes iv = fromHex("000102030405060708090A0B0C0D0E0F");
    const Bytes plain = fromHex("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E51");
    const Bytes cipher =
        fromHex("7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B2");
    EXPECT_EQ(encryptCbc(Cipher::Aes128, key, iv, plain), cipher);
    EXPECT_EQ(decryptCbc(Cipher::Aes128, key, iv, cipher), plain);
}

TEST(AesBlockCipher, SizesAndRefusals) {
    EXPECT_EQ(blockSize(Cipher::Aes192), 16U);
    EXPECT_EQ(keySize(Cipher::Aes128), 16U);
    EXPECT_EQ(keySize(Cipher::Aes192), 24U);
    EXPECT_EQ(keySize(Cipher::Aes256), 32U);
    EXPECT_THROW(encryptEcb(Cipher::Aes192, Bytes(16, 0), fipsPlain()), CryptoError);
    EXPECT_THROW(decryptCbc(Cipher::Aes128, Bytes(16, 0), Bytes(16, 0), Bytes(15, 0)), CryptoError);
}

}  // namespace
}  // namespace taplink::crypto
