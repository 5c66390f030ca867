// Known-answer tests for crypto/block_cipher and crypto/epurse_keys; round trips for
// crypto/aes_gcm and crypto/ec_keys; crypto/constant_time's equality.
//
// Every expected value below was computed independently of the code under test, with the
// openssl 3.0 command-line tool doing every cipher call, e.g.
//   single DES:  echo -n <data> | xxd -r -p | openssl enc -des-ede -K <K><K> -nopad | xxd -p
//   triple DES:  ... | openssl enc -des-ede -K <K1K2> -nopad
//   SM4:         ... | openssl enc -sm4-ecb -K <K> -nopad
//   CBC:         ... | openssl enc -des-ede-cbc / -sm4-cbc -K <K> -iv <IV> -nopad
//   decryption:  the same with -d
// Padding, XOR, bit inversion and CBC chaining for the MACs were done by hand (a few lines of
// python3 with no crypto in it: H = E(K, H XOR block) per block, starting from H = 0).
// Two published vectors (FIPS 46 worked example, GB/T 32907 appendix A) anchor the ciphers.

#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/block_cipher.hpp"
#include "taplink/crypto/constant_time.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace taplink::crypto {
namespace {

Bytes h(std::string_view hex) {
    return fromHex(hex);
}

// Runs f and returns the CryptoError message, or fails the test if it does not throw one.
std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const CryptoError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no CryptoError thrown";
    return {};
}

// Keys and data shared by the block cipher tests (functions, not globals: cert-err58-cpp).
Bytes desKey() {
    return h("0123456789ABCDEF");
}
Bytes key16() {
    return h("0123456789ABCDEF FEDCBA9876543210");
}
Bytes data16() {
    return h("1122334455667788 99AABBCCDDEEFF00");
}
Bytes data32() {
    return h("00112233445566778899AABBCCDDEEFF 0123456789ABCDEFFEDCBA9876543210");
}
Bytes iv8() {
    return h("1234567890ABCDEF");
}
Bytes iv16() {
    return h("000102030405060708090A0B0C0D0E0F");
}

// ---------------------------------------------------------------------------------------
// Block ciphers

// FIPS 180-2 appendix B.1 and B.2 (the published one- and two-block messages), and the
// empty message (NIST's SHA-256 example values).
TEST(DigestCryptoTest, Sha256PublishedVectors) {
    const auto digestOf = [](std::string_view text) {
        return toHex(sha256(Bytes(text.begin(), text.end())));
    };
    EXPECT_EQ(digestOf("abc"), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    EXPECT_EQ(digestOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248D6A61D20638B8E5C026930C3E6039A33CE45964FF2167F6ECEDD419DB06C1");
    EXPECT_EQ(digestOf(""), "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}

TEST(BlockCipherCryptoTest, SizesPerCipher) {
    EXPECT_EQ(blockSize(Cipher::Des), 8U);
    EXPECT_EQ(blockSize(Cipher::TripleDes), 8U);
    EXPECT_EQ(blockSize(Cipher::Sm4), 16U);
    EXPECT_EQ(keySize(Cipher::Des), 8U);
    EXPECT_EQ(keySize(Cipher::TripleDes), 16U);
    EXPECT_EQ(keySize(Cipher::Sm4), 16U);
}

TEST(BlockCipherCryptoTest, DesPublishedVector) {
    // Standard DES example (key 133457799BBCDFF1, plaintext 0123456789ABCDEF).
    const Bytes key = h("133457799BBCDFF1");
    EXPECT_EQ(toHex(encryptEcb(Cipher::Des, key, h("0123456789ABCDEF"))), "85E813540F0AB405");
    EXPECT_EQ(toHex(decryptEcb(Cipher::Des, key, h("85E813540F0AB405"))), "0123456789ABCDEF");
}

TEST(BlockCipherCryptoTest, Sm4PublishedVector) {
    // GB/T 32907-2016 appendix A example 1: key = plaintext.
    const Bytes key = h("0123456789ABCDEFFEDCBA9876543210");
    EXPECT_EQ(toHex(encryptEcb(Cipher::Sm4, key, key)), "681EDF34D206965E86B3E94F536E4246");
    EXPECT_EQ(toHex(decryptEcb(Cipher::Sm4, key, h("681EDF34D206965E86B3E94F536E4246"))),
              "0123456789ABCDEFFEDCBA9876543210");
}

TEST(BlockCipherCryptoTest, DesEcb) {
    // openssl enc -des-ede -K 0123456789ABCDEF0123456789ABCDEF -nopad [-d]
    EXPECT_EQ(toHex(encryptEcb(Cipher::Des, desKey(), data16())),
              "B4CC3FD9D8D952141579657C43263E1E");
    EXPECT_EQ(toHex(decryptEcb(Cipher::Des, desKey(), data16())),
              "FF5DEED6EA0C9EC8EE4B2B6B24920121");
}

TEST(BlockCipherCryptoTest, TripleDesEcb) {
    // openssl enc -des-ede -K 0123456789ABCDEFFEDCBA9876543210 -nopad [-d]
    EXPECT_EQ(toHex(encryptEcb(Cipher::TripleDes, key16(), data16())),
              "3EB3B72576BBBE835601104F2DF94405");
    EXPECT_EQ(toHex(decryptEcb(Cipher::TripleDes, key16(), data16())),
              "DB261B7B15BEF834F0E8C95E10895A03");
}

TEST(BlockCipherCryptoTest, Sm4Ecb) {
    // openssl enc -sm4-ecb -K 0123456789ABCDEFFEDCBA9876543210 -nopad [-d]; the second
    // block is the published vector again.
    EXPECT_EQ(toHex(encryptEcb(Cipher::Sm4, key16(), data32())),
              "09325C4853832DCB9337A5984F671B9A681EDF34D206965E86B3E94F536E4246");
    EXPECT_EQ(toHex(decryptEcb(Cipher::Sm4, key16(), data32())),
              "436424576B5AA840B6AD65345E0458A19338375E82EEC1CBBEF65EDF8757A631");
}

TEST(BlockCipherCryptoTest, TripleDesWithEqualHalvesIsSingleDes) {
    const Bytes doubled = concat(desKey(), desKey());
    EXPECT_EQ(encryptEcb(Cipher::TripleDes, doubled, data16()),
              encryptEcb(Cipher::Des, desKey(), data16()));
}

TEST(BlockCipherCryptoTest, DesCbc) {
    // openssl enc -des-ede-cbc -K 0123456789ABCDEF0123456789ABCDEF -iv 1234567890ABCDEF -nopad
    // (also chained by hand over -des-ede ECB: same result)
    EXPECT_EQ(toHex(encryptCbc(Cipher::Des, desKey(), iv8(), data16())),
              "C95952F83A195CF1464B1716E9A39E08");
}

TEST(BlockCipherCryptoTest, TripleDesCbc) {
    // openssl enc -des-ede-cbc -K 0123456789ABCDEFFEDCBA9876543210 -iv 1234567890ABCDEF -nopad
    EXPECT_EQ(toHex(encryptCbc(Cipher::TripleDes, key16(), iv8(), data16())),
              "5FFC05F20353263B7DAB5D5DDB9A94BC");
}

TEST(BlockCipherCryptoTest, Sm4Cbc) {
    // openssl enc -sm4-cbc -K 0123456789ABCDEFFEDCBA9876543210
    //   -iv 000102030405060708090A0B0C0D0E0F -nopad
    EXPECT_EQ(toHex(encryptCbc(Cipher::Sm4, key16(), iv16(), data32())),
              "4691E99A3261B6144F6AA68BEA48DBBD360DABF14F5F290C4EAD7E4DFBB4B437");
}

TEST(BlockCipherCryptoTest, EmptyDataGivesEmptyOutput) {
    EXPECT_TRUE(encryptEcb(Cipher::TripleDes, key16(), {}).empty());
    EXPECT_TRUE(decryptEcb(Cipher::Sm4, key16(), {}).empty());
    EXPECT_TRUE(encryptCbc(Cipher::Des, desKey(), iv8(), {}).empty());
}

TEST(BlockCipherCryptoTest, WrongKeySizeThrows) {
    EXPECT_NE(errorOf([] { encryptEcb(Cipher::Des, key16(), data16()); }).find("key must be 8"),
              std::string::npos);
    EXPECT_NE(
        errorOf([] { encryptEcb(Cipher::TripleDes, desKey(), data16()); }).find("key must be 16"),
        std::string::npos);
    EXPECT_NE(errorOf([] { decryptEcb(Cipher::Sm4, desKey(), data32()); }).find("key must be 16"),
              std::string::npos);
    EXPECT_NE(errorOf([] { encryptCbc(Cipher::Sm4, h("00"), iv16(), data32()); }).find("got 1"),
              std::string::npos);
    EXPECT_NE(errorOf([] { encryptEcb(Cipher::TripleDes, Bytes{}, data16()); }).find("3DES"),
              std::string::npos);
}

TEST(BlockCipherCryptoTest, DataNotWholeBlocksThrows) {
    EXPECT_NE(errorOf([] {
                  encryptEcb(Cipher::Des, desKey(), h("112233445566778899"));
              }).find("not a multiple of the 8-byte block"),
              std::string::npos);
    EXPECT_NE(
        errorOf([] { decryptEcb(Cipher::TripleDes, key16(), h("1122")); }).find("not a multiple"),
        std::string::npos);
    // 8 bytes are a DES block but not an SM4 block.
    EXPECT_NE(errorOf([] {
                  encryptEcb(Cipher::Sm4, key16(), h("1122334455667788"));
              }).find("16-byte block"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  encryptCbc(Cipher::Sm4, key16(), iv16(), h("00112233445566778899AABBCCDDEEFF00"));
              }).find("SM4-CBC"),
              std::string::npos);
}

TEST(BlockCipherCryptoTest, WrongIvSizeThrows) {
    EXPECT_NE(
        errorOf([] { encryptCbc(Cipher::Des, desKey(), iv16(), data16()); }).find("IV must be 8"),
        std::string::npos);
    EXPECT_NE(
        errorOf([] { encryptCbc(Cipher::Sm4, key16(), iv8(), data32()); }).find("IV must be 16"),
        std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Padding and MACs

TEST(MacCryptoTest, PadMethod2AddsMarkerAndZeros) {
    EXPECT_EQ(toHex(padMethod2(h("1122334455"), 8)), "1122334455800000");
    EXPECT_EQ(toHex(padMethod2(h("11223344556677"), 8)), "1122334455667780");
    EXPECT_EQ(toHex(padMethod2(h("1122334455"), 16)), "11223344558000000000000000000000");
    EXPECT_EQ(toHex(padMethod2({}, 8)), "8000000000000000");
}

TEST(MacCryptoTest, PadMethod2AddsFullBlockToAlignedData) {
    EXPECT_EQ(toHex(padMethod2(h("1122334455667788"), 8)), "11223344556677888000000000000000");
    EXPECT_EQ(toHex(padMethod2(key16(), 16)),
              "0123456789ABCDEFFEDCBA987654321080000000000000000000000000000000");
}

TEST(MacCryptoTest, PadMethod2ZeroBlockThrows) {
    EXPECT_NE(errorOf([] { padMethod2(h("11"), 0); }).find("padMethod2"), std::string::npos);
}

// CBC-MACs: padded by hand, then H = E(K, H XOR block) with openssl ECB per block.
TEST(MacCryptoTest, CbcMacDes) {
    // 1122334455800000 -> one block
    EXPECT_EQ(toHex(cbcMac(Cipher::Des, desKey(), h("1122334455"))), "ABFD220046BC82BC");
    // 1122334455667788 8000000000000000 -> two blocks
    EXPECT_EQ(toHex(cbcMac(Cipher::Des, desKey(), h("1122334455667788"))), "5345E8659EDA4D77");
    // 1122334455667788 99AABBCCDD800000
    EXPECT_EQ(toHex(cbcMac(Cipher::Des, desKey(), h("112233445566778899AABBCCDD"))),
              "334BB090E9D6192B");
    // 8000000000000000
    EXPECT_EQ(toHex(cbcMac(Cipher::Des, desKey(), {})), "CAEE534C523E1E79");
}

TEST(MacCryptoTest, CbcMacTripleDes) {
    EXPECT_EQ(toHex(cbcMac(Cipher::TripleDes, key16(), h("1122334455"))), "37C4183E9EC81F40");
    EXPECT_EQ(toHex(cbcMac(Cipher::TripleDes, key16(), h("1122334455667788"))), "B141C72A01FE2677");
    EXPECT_EQ(toHex(cbcMac(Cipher::TripleDes, key16(), h("112233445566778899AABBCCDD"))),
              "DB3045242960B6D3");
    EXPECT_EQ(toHex(cbcMac(Cipher::TripleDes, key16(), {})), "F1FBCF2A56D19BA7");
}

TEST(MacCryptoTest, CbcMacSm4) {
    // 11223344558000000000000000000000
    EXPECT_EQ(toHex(cbcMac(Cipher::Sm4, key16(), h("1122334455"))),
              "7820905ED4D043F8A04203B7AE394DB6");
    EXPECT_EQ(toHex(cbcMac(Cipher::Sm4, key16(), h("112233445566778899AABBCCDD"))),
              "050C138D6B15FB9F7F6D369A9A548ABB");
    // 16 aligned bytes + a full 80 00.. block: two SM4 blocks
    EXPECT_EQ(toHex(cbcMac(Cipher::Sm4, key16(), key16())), "780D0374AF7C0B35625605638319CF2C");
    EXPECT_EQ(toHex(cbcMac(Cipher::Sm4, key16(), {})), "8C338E5A27E349BEAE39214FEDA97099");
}

TEST(MacCryptoTest, CbcMacWrongKeySizeThrows) {
    EXPECT_NE(errorOf([] { cbcMac(Cipher::Des, key16(), h("11")); }).find("key must be 8"),
              std::string::npos);
    EXPECT_NE(errorOf([] { cbcMac(Cipher::Sm4, desKey(), h("11")); }).find("key must be 16"),
              std::string::npos);
}

TEST(MacCryptoTest, RetailMac) {
    // K1 = 0123456789ABCDEF, K2 = FEDCBA9876543210, data 112233445566778899AA:
    //   padded 1122334455667788 99AA800000000000; DES-CBC under K1 (by hand) -> H 139E7D3AEA5FA00D
    //   DES-decrypt(K2, H) = C8BAE64CF5666350; DES-encrypt(K1, that) = 02CE3FCFF7315068
    EXPECT_EQ(toHex(retailMac(key16(), h("112233445566778899AA"))), "02CE3FCFF7315068");
    // 1122334455667788: H 5345E8659EDA4D77 -> D(K2) 91BD41A2FE31EEE5 -> E(K1) 7E2AEA5CF35FDC0E
    EXPECT_EQ(toHex(retailMac(key16(), h("1122334455667788"))), "7E2AEA5CF35FDC0E");
}

TEST(MacCryptoTest, RetailMacOfOneBlockIsTripleDes) {
    // A single padded block: E(K1, D(K2, E(K1, x))) is 3DES-EDE, so it equals the 3DES CBC-MAC.
    EXPECT_EQ(toHex(retailMac(key16(), {})), "F1FBCF2A56D19BA7");
    EXPECT_EQ(retailMac(key16(), h("1122334455")),
              cbcMac(Cipher::TripleDes, key16(), h("1122334455")));
}

TEST(MacCryptoTest, RetailMacWrongKeySizeThrows) {
    EXPECT_NE(errorOf([] { retailMac(desKey(), h("11")); }).find("retailMac"), std::string::npos);
    EXPECT_NE(errorOf([] { retailMac(concat(key16(), desKey()), h("11")); }).find("got 24"),
              std::string::npos);
}

// --- crypto/aes_gcm and crypto/ec_keys: round trips and refusals (no fixed vectors: the
// ephemeral keys are random; the AES-256-GCM known answer is the load SAM envelope test's).

Bytes gcmKey() {
    return h("000102030405060708090A0B0C0D0E0F 101112131415161718191A1B1C1D1E1F");
}
Bytes gcmIv() {
    return h("CAFEBABEFACEDBADDECAF888");
}

TEST(AesGcmTest, SealThenOpenRoundTrips) {
    const Bytes aad = h("FEEDFACEDEADBEEF");
    const Bytes plaintext = h("D9313225F88406E5A55909C5AFF5269A 86A7A9531534F7DA2E4C303D8A318A72");
    const GcmSealed sealed = aes256GcmSeal(gcmKey(), gcmIv(), aad, plaintext);
    EXPECT_EQ(sealed.ciphertext.size(), plaintext.size());
    EXPECT_NE(sealed.ciphertext, plaintext);
    EXPECT_EQ(sealed.tag.size(), kGcmTagSize);
    EXPECT_EQ(aes256GcmOpen(gcmKey(), gcmIv(), aad, sealed.ciphertext, sealed.tag), plaintext);
}

TEST(AesGcmTest, TamperedTagCiphertextOrAadDoesNotOpen) {
    const Bytes aad = h("FEEDFACEDEADBEEF");
    const Bytes plaintext = h("00112233445566778899AABBCCDDEEFF");
    const GcmSealed sealed = aes256GcmSeal(gcmKey(), gcmIv(), aad, plaintext);

    Bytes tag = sealed.tag;
    tag[0] ^= 0x01U;
    EXPECT_EQ(aes256GcmOpen(gcmKey(), gcmIv(), aad, sealed.ciphertext, tag), std::nullopt);
    Bytes ciphertext = sealed.ciphertext;
    ciphertext.back() ^= 0x80U;
    EXPECT_EQ(aes256GcmOpen(gcmKey(), gcmIv(), aad, ciphertext, sealed.tag), std::nullopt);
    EXPECT_EQ(
        aes256GcmOpen(gcmKey(), gcmIv(), h("FEEDFACEDEADBEEE"), sealed.ciphertext, sealed.tag),
        std::nullopt);
    Bytes otherKey = gcmKey();
    otherKey[31] ^= 0x01U;
    EXPECT_EQ(aes256GcmOpen(otherKey, gcmIv(), aad, sealed.ciphertext, sealed.tag), std::nullopt);
}

TEST(AesGcmTest, WrongSizesThrow) {
    const Bytes tag(kGcmTagSize);
    EXPECT_EQ(errorOf([] { aes256GcmSeal(h("0011"), gcmIv(), {}, h("00")); }),
              "AES-256-GCM: key must be 32 bytes, got 2");
    EXPECT_EQ(errorOf([] { aes256GcmSeal(gcmKey(), h("00"), {}, h("00")); }),
              "AES-256-GCM: IV must be 12 bytes, got 1");
    EXPECT_EQ(errorOf([] { aes256GcmOpen(gcmKey(), gcmIv(), {}, h("00"), h("0011")); }),
              "AES-256-GCM: tag must be 16 bytes, got 2");
    EXPECT_EQ(errorOf([&] { aes256GcmOpen(gcmKey(), h("00"), {}, h("00"), tag); }),
              "AES-256-GCM: IV must be 12 bytes, got 1");
}

TEST(EcKeysTest, PointRoundTripsThroughPublicKeyFromPoint) {
    const PkeyPtr key = generateKey("EC", kP256Group);
    ASSERT_TRUE(key);
    EXPECT_TRUE(isP256(key.get()));
    const Bytes point = uncompressedPoint(key.get());
    ASSERT_EQ(point.size(), 65U);
    EXPECT_EQ(point[0], 0x04);
    const PkeyPtr publicKey = publicKeyFromPoint("EC", kP256Group, point);
    ASSERT_TRUE(publicKey);
    EXPECT_TRUE(isP256(publicKey.get()));
    EXPECT_EQ(uncompressedPoint(publicKey.get()), point);
}

TEST(EcKeysTest, SmTwoKeyIsNotP256) {
    const PkeyPtr key = generateKey("SM2", {});
    ASSERT_TRUE(key);
    EXPECT_FALSE(isP256(key.get()));
    EXPECT_EQ(uncompressedPoint(key.get()).size(), 65U);
}

TEST(EcKeysTest, InvalidPointGivesNullptr) {
    Bytes notOnCurve(65, 0x00);
    notOnCurve[0] = 0x04;
    notOnCurve[64] = 0x01;
    EXPECT_EQ(publicKeyFromPoint("EC", kP256Group, notOnCurve), nullptr);
    EXPECT_EQ(publicKeyFromPoint("EC", kP256Group, h("04 0102")), nullptr);
    EXPECT_EQ(publicKeyFromPoint("EC", kP256Group, {}), nullptr);
    EXPECT_EQ(ERR_peek_error(), 0U);  // the error queue is left empty
}

TEST(EcKeysTest, EcdhAgreesBothWays) {
    const PkeyPtr alice = generateKey("EC", kP256Group);
    const PkeyPtr bob = generateKey("EC", kP256Group);
    const PkeyPtr alicePublic =
        publicKeyFromPoint("EC", kP256Group, uncompressedPoint(alice.get()));
    const PkeyPtr bobPublic = publicKeyFromPoint("EC", kP256Group, uncompressedPoint(bob.get()));
    ASSERT_TRUE(alicePublic);
    ASSERT_TRUE(bobPublic);
    const std::optional<Bytes> fromAlice = ecdhSharedSecret(alice.get(), bobPublic.get());
    const std::optional<Bytes> fromBob = ecdhSharedSecret(bob.get(), alicePublic.get());
    ASSERT_TRUE(fromAlice.has_value());
    ASSERT_TRUE(fromBob.has_value());
    EXPECT_EQ(fromAlice->size(), 32U);
    EXPECT_EQ(*fromAlice, *fromBob);
}

TEST(EcKeysTest, EcdhWithAKeyOfAnotherGroupGivesNullopt) {
    const PkeyPtr own = generateKey("EC", kP256Group);
    const PkeyPtr other = generateKey("EC", "secp384r1");
    EXPECT_EQ(ecdhSharedSecret(own.get(), other.get()), std::nullopt);
    EXPECT_EQ(ERR_peek_error(), 0U);
}

}  // namespace
}  // namespace taplink::crypto

// -----------------------------------------------------------------------------------------
// E-purse key derivation and MACs

// h() and errorOf() come from the enclosing namespace's anonymous namespace above.
namespace taplink::crypto::epurse {
namespace {

Bytes masterKey() {
    return h("404142434445464748494A4B4C4D4E4F");
}
Bytes dlk() {
    return h("57B0A3F1C2D4E6F8192A3B4C5D6E7F80");
}
Bytes dpk() {
    return h("89ABCDEF0123456776543210FEDCBA98");
}
Bytes dtk() {
    return h("3C5A7E91B2D4F60817293B4D5F617389");
}
Bytes random4() {
    return h("11223344");
}

TEST(EpurseKeysTest, AlgorithmIds) {
    EXPECT_EQ(suiteFromAlgorithmId(0x00), Suite::TripleDes);
    EXPECT_EQ(suiteFromAlgorithmId(0x01), Suite::TripleDes);
    EXPECT_EQ(suiteFromAlgorithmId(0x04), Suite::Sm4);
    EXPECT_EQ(algorithmIdOf(Suite::TripleDes), 0x01);
    EXPECT_EQ(algorithmIdOf(Suite::Sm4), 0x04);
}

TEST(EpurseKeysTest, UnknownAlgorithmIdThrows) {
    for (const int id : {0x02, 0x03, 0x05, 0x80, 0xFF}) {
        EXPECT_THROW(suiteFromAlgorithmId(static_cast<std::uint8_t>(id)), CryptoError) << id;
    }
    EXPECT_NE(errorOf([] { suiteFromAlgorithmId(0x02); }).find("02"), std::string::npos);
}

TEST(EpurseKeysTest, DiversifyTripleDes) {
    // D = 1122334455667788, ~D = EEDDCCBBAA998877;
    // openssl enc -des-ede -K 404142434445464748494A4B4C4D4E4F -nopad over D, then over ~D
    EXPECT_EQ(toHex(diversify(Suite::TripleDes, masterKey(), h("1122334455667788"))),
              "A0F180047E2A33575DC54F91F21439B5");
}

TEST(EpurseKeysTest, DiversifySm4) {
    // openssl enc -sm4-ecb -K 404142434445464748494A4B4C4D4E4F -nopad
    //   over 1122334455667788 EEDDCCBBAA998877
    EXPECT_EQ(toHex(diversify(Suite::Sm4, masterKey(), h("1122334455667788"))),
              "53C3863AF9B5C418581CFE4DAE20F29D");
}

TEST(EpurseKeysTest, DiversifyUsesRightmostEightBytesOfLongSerial) {
    // 10-byte serial AABB 1122334455667788: only the rightmost 8 bytes count.
    EXPECT_EQ(toHex(diversify(Suite::TripleDes, masterKey(), h("AABB1122334455667788"))),
              "A0F180047E2A33575DC54F91F21439B5");
    EXPECT_EQ(toHex(diversify(Suite::Sm4, masterKey(), h("AABB1122334455667788"))),
              "53C3863AF9B5C418581CFE4DAE20F29D");
}

TEST(EpurseKeysTest, DiversifyBadSizesThrow) {
    EXPECT_NE(errorOf([] {
                  diversify(Suite::TripleDes, masterKey(), h("11223344556677"));
              }).find("at least 8"),
              std::string::npos);
    EXPECT_NE(errorOf([] { diversify(Suite::Sm4, masterKey(), {}); }).find("got 0"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  diversify(Suite::Sm4, h("0011223344556677"), h("1122334455667788"));
              }).find("master key must be 16"),
              std::string::npos);
}

TEST(EpurseKeysTest, LoadSessionKeyTripleDes) {
    // openssl enc -des-ede -K 57B0A3F1C2D4E6F8192A3B4C5D6E7F80 -nopad over 1122334400058000
    EXPECT_EQ(toHex(loadSessionKey(Suite::TripleDes, dlk(), random4(), 0x0005)),
              "6630207794CE7C68");
}

TEST(EpurseKeysTest, LoadSessionKeySm4) {
    // openssl enc -sm4-ecb -K 57B0A3F1C2D4E6F8192A3B4C5D6E7F80 -nopad
    //   over 11223344 0005 80 000000000000000000
    EXPECT_EQ(toHex(loadSessionKey(Suite::Sm4, dlk(), random4(), 0x0005)),
              "54C3559E317C787337BC260DAAA343A8");
}

TEST(EpurseKeysTest, PurchaseSessionKeyTripleDes) {
    // openssl enc -des-ede -K 89ABCDEF0123456776543210FEDCBA98 -nopad over AABBCCDD 0102 0007
    EXPECT_EQ(
        toHex(purchaseSessionKey(Suite::TripleDes, dpk(), h("AABBCCDD"), 0x0102, h("00000007"))),
        "B79148C22E19C23B");
    // Only the rightmost 2 bytes of the sequence number: over AABBCCDD 0102 5678
    EXPECT_EQ(
        toHex(purchaseSessionKey(Suite::TripleDes, dpk(), h("AABBCCDD"), 0x0102, h("12345678"))),
        "71A5283DF5F6DB18");
}

TEST(EpurseKeysTest, PurchaseSessionKeySm4) {
    // openssl enc -sm4-ecb -K 89ABCDEF0123456776543210FEDCBA98 -nopad
    //   over AABBCCDD 0102 0007 80 00000000000000
    EXPECT_EQ(toHex(purchaseSessionKey(Suite::Sm4, dpk(), h("AABBCCDD"), 0x0102, h("00000007"))),
              "471CC7997C87B1216D500E0CB81CCEC5");
}

TEST(EpurseKeysTest, SessionKeyBadSizesThrow) {
    EXPECT_NE(errorOf([] {
                  loadSessionKey(Suite::TripleDes, dlk(), h("112233"), 1);
              }).find("random must be 4"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  loadSessionKey(Suite::Sm4, dlk(), h("1122334455"), 1);
              }).find("random must be 4"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  loadSessionKey(Suite::TripleDes, h("0011223344556677"), random4(), 1);
              }).find("card key must be 16"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  purchaseSessionKey(Suite::TripleDes, dpk(), h("11"), 1, h("00000001"));
              }).find("random must be 4"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  purchaseSessionKey(Suite::Sm4, dpk(), random4(), 1, h("0001"));
              }).find("terminal sequence number must be 4"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  purchaseSessionKey(Suite::Sm4, dpk(), random4(), 1, h("0000000001"));
              }).find("got 5"),
              std::string::npos);
    EXPECT_NE(errorOf([] {
                  purchaseSessionKey(Suite::Sm4, Bytes{}, random4(), 1, h("00000001"));
              }).find("card key"),
              std::string::npos);
}

TEST(EpurseKeysTest, SessionMacTripleDes) {
    // Single DES key A1B2C3D4E5F60718; data 0000271002000000000001 padded to
    // 0000271002000000 0000018000000000; CBC by hand over -des-ede with K||K; left 4 bytes.
    EXPECT_EQ(
        toHex(sessionMac(Suite::TripleDes, h("A1B2C3D4E5F60718"), h("0000271002000000000001"))),
        "AA4752F1");
}

TEST(EpurseKeysTest, SessionMacSm4) {
    // SM4 key A1B2C3D4E5F60718293A4B5C6D7E8F90; one padded block
    // 00002710020000000000018000000000 under -sm4-ecb; left 4 bytes.
    EXPECT_EQ(toHex(sessionMac(Suite::Sm4, h("A1B2C3D4E5F60718293A4B5C6D7E8F90"),
                               h("0000271002000000000001"))),
              "2DD98081");
}

TEST(EpurseKeysTest, SessionMacWrongKeySizeThrows) {
    // The triple-DES suite's session keys are 8 bytes; SM4's are 16.
    EXPECT_NE(
        errorOf([] { sessionMac(Suite::TripleDes, dlk(), h("11")); }).find("session key must be 8"),
        std::string::npos);
    EXPECT_NE(errorOf([] {
                  sessionMac(Suite::Sm4, h("A1B2C3D4E5F60718"), h("11"));
              }).find("session key must be 16"),
              std::string::npos);
}

TEST(EpurseKeysTest, TacTripleDes) {
    // key = 3C5A7E91B2D4F608 XOR 17293B4D5F617389 = 2B7345DCEDB58581; DES CBC-MAC (by hand)
    // over 000003E80200000000000001112233445566202401011200 0000 + 80 000000000000; left 4.
    EXPECT_EQ(toHex(tac(Suite::TripleDes, dtk(),
                        h("000003E802000000000000011122334455662024010112000000"))),
              "9A1D599C");
}

TEST(EpurseKeysTest, TacSm4) {
    // key = DTK; SM4 CBC-MAC (by hand) over the same 26 bytes + 80 00 00 00 00 00; left 4.
    EXPECT_EQ(
        toHex(tac(Suite::Sm4, dtk(), h("000003E802000000000000011122334455662024010112000000"))),
        "7BDADC04");
}

TEST(EpurseKeysTest, TacWrongKeySizeThrows) {
    EXPECT_NE(errorOf([] {
                  tac(Suite::TripleDes, h("3C5A7E91B2D4F608"), h("11"));
              }).find("DTK must be 16"),
              std::string::npos);
    EXPECT_NE(errorOf([] { tac(Suite::Sm4, h("3C5A7E91B2D4F608"), h("11")); }).find("DTK"),
              std::string::npos);
}

// End-to-end load: MK_load -> DLK -> SESLK -> MAC1, each step with the openssl CLI:
//   serial 00000000000000000042 -> D = 0000000000000042, ~D = FFFFFFFFFFFFFFBD
//   MAC1 data: balance 000003E8 || amount 00001388 || type 02 || terminal 112233445566
TEST(EpurseKeysTest, LoadChainTripleDes) {
    const Bytes mkLoad = h("3A4B5C6D7E8F90A1B2C3D4E5F6071829");
    const Bytes serial = h("00000000000000000042");
    // DLK = -des-ede -K MK_load over D || over ~D
    const Bytes dlkCard = diversify(Suite::TripleDes, mkLoad, serial);
    EXPECT_EQ(toHex(dlkCard), "5B88B1F9FFE79D2AEFC59D56E63A1650");
    // SESLK = -des-ede -K DLK over 11223344 0005 8000
    const Bytes seslk = loadSessionKey(Suite::TripleDes, dlkCard, h("11223344"), 0x0005);
    EXPECT_EQ(toHex(seslk), "49CFF9C097F7015E");
    // MAC1: padded 000003E800001388 0211223344556680; DES-CBC by hand under SESLK; left 4
    const Bytes mac1 = sessionMac(Suite::TripleDes, seslk, h("000003E8 00001388 02 112233445566"));
    EXPECT_EQ(toHex(mac1), "962990BF");
}

TEST(EpurseKeysTest, LoadChainSm4) {
    const Bytes mkLoad = h("3A4B5C6D7E8F90A1B2C3D4E5F6071829");
    const Bytes serial = h("00000000000000000042");
    // DLK = -sm4-ecb -K MK_load over 0000000000000042 FFFFFFFFFFFFFFBD
    const Bytes dlkCard = diversify(Suite::Sm4, mkLoad, serial);
    EXPECT_EQ(toHex(dlkCard), "33CD2252075F7B296B92B5EF5FBBC57D");
    // SESLK = -sm4-ecb -K DLK over 11223344 0005 80 000000000000000000
    const Bytes seslk = loadSessionKey(Suite::Sm4, dlkCard, h("11223344"), 0x0005);
    EXPECT_EQ(toHex(seslk), "78228F028BFF46E3647FE558FFF036AF");
    // MAC1: one block 000003E8000013880211223344556680 under -sm4-ecb -K SESLK; left 4
    const Bytes mac1 = sessionMac(Suite::Sm4, seslk, h("000003E8 00001388 02 112233445566"));
    EXPECT_EQ(toHex(mac1), "69DACA81");
}

}  // namespace
}  // namespace taplink::crypto::epurse

namespace taplink::crypto {
namespace {

TEST(ConstantTimeEqualTest, SameBytesAreEqual) {
    EXPECT_TRUE(constantTimeEqual(fromHex("1122334455667788"), fromHex("1122334455667788")));
    EXPECT_TRUE(constantTimeEqual(Bytes{}, Bytes{}));
}

TEST(ConstantTimeEqualTest, AnyDifferingByteIsUnequal) {
    EXPECT_FALSE(constantTimeEqual(fromHex("1122334455667788"), fromHex("0122334455667788")));
    EXPECT_FALSE(constantTimeEqual(fromHex("1122334455667788"), fromHex("1122334455667789")));
    EXPECT_FALSE(constantTimeEqual(fromHex("1122334455667788"), fromHex("1122334400667788")));
}

// A MAC's prefix must not match it: a truncated value is a different value.
TEST(ConstantTimeEqualTest, DifferentSizesAreUnequal) {
    EXPECT_FALSE(constantTimeEqual(fromHex("11223344"), fromHex("1122334455667788")));
    EXPECT_FALSE(constantTimeEqual(fromHex("1122334455667788"), fromHex("11223344")));
    EXPECT_FALSE(constantTimeEqual(Bytes{}, fromHex("00")));
}

}  // namespace
}  // namespace taplink::crypto
