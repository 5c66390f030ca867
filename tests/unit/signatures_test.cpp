// One signature verification for every layer (libs/crypto/signatures).
#include "taplink/crypto/signatures.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {
namespace {

Bytes signSha256(EVP_PKEY* key, ByteView message) {
    const MdCtxPtr context(EVP_MD_CTX_new());
    std::size_t size = 0;
    EXPECT_EQ(
        EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr), 1);
    EXPECT_EQ(EVP_DigestSign(context.get(), nullptr, &size, message.data(), message.size()), 1);
    Bytes signature(size);
    EXPECT_EQ(
        EVP_DigestSign(context.get(), signature.data(), &size, message.data(), message.size()), 1);
    signature.resize(size);
    return signature;
}

// The reference signer above is the test's own; the library's signs what verifies, a fresh
// signature each time (ECDSA's random k), and names its caller when OpenSSL refuses.
TEST(Signatures, TheLibrarySignerSignsWhatVerifies) {
    const PkeyPtr key = generateKey("EC", kP256Group);
    const Bytes message = fromHex("0102030405");
    const Bytes first = ::taplink::crypto::signSha256(key.get(), message, "test");
    EXPECT_TRUE(verifySha256Signature(key.get(), message, first));
    EXPECT_NE(::taplink::crypto::signSha256(key.get(), message, "test"), first);
    try {
        ::taplink::crypto::signSha256(nullptr, message, "the allowance");
        ADD_FAILURE() << "signed without a key";
    } catch (const CryptoError& error) {
        EXPECT_NE(std::string(error.what()).find("the allowance"), std::string::npos);
    }
}

TEST(Signatures, AGoodEcdsaSignatureVerifiesAndAnythingElseDoesNot) {
    const PkeyPtr key = generateKey("EC", kP256Group);
    const PkeyPtr other = generateKey("EC", kP256Group);
    const Bytes message = fromHex("0102030405");
    const Bytes signature = signSha256(key.get(), message);

    EXPECT_TRUE(verifySha256Signature(key.get(), message, signature));
    EXPECT_FALSE(verifySha256Signature(other.get(), message, signature));
    EXPECT_FALSE(verifySha256Signature(key.get(), fromHex("0102030406"), signature));
    EXPECT_FALSE(verifySha256Signature(key.get(), message, fromHex("3000")));
    EXPECT_FALSE(verifySha256Signature(nullptr, message, signature));

    Bytes digest(SHA256_DIGEST_LENGTH);
    SHA256(message.data(), message.size(), digest.data());
    EXPECT_TRUE(verifyDigestSignature(key.get(), digest, signature));
    EXPECT_FALSE(verifyDigestSignature(other.get(), digest, signature));
    EXPECT_FALSE(verifyDigestSignature(nullptr, digest, signature));
}

TEST(Signatures, AFailureLeavesOpenSslsErrorQueueAsItWas) {
    ERR_clear_error();
    const PkeyPtr key = generateKey("EC", kP256Group);
    EXPECT_FALSE(verifySha256Signature(key.get(), fromHex("00"), fromHex("30060201010201")));
    EXPECT_EQ(ERR_peek_error(), 0UL);
}

}  // namespace
}  // namespace taplink::crypto
