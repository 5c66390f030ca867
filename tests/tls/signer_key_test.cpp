// The taplink-signer provider with a software DigestSigner: EVP signatures, the key's
// parameters, certificate matching, failures, and a real in-process TLS 1.3 handshake with
// client authentication (two SSL objects over a BIO pair).
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "software_signer.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/crypto/signer_key.hpp"
#include "test_certificates.hpp"

namespace taplink::crypto {
namespace {

using testing::SoftwareSigner;

using SslCtxPtr = OpenSslPtr<SSL_CTX, &SSL_CTX_free>;
using SslPtr = OpenSslPtr<SSL, &SSL_free>;

Bytes sha256(std::string_view text) {
    Bytes digest(SHA256_DIGEST_LENGTH);
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

bool verifiesDigest(EVP_PKEY* publicKey, const Bytes& digest, const Bytes& signature) {
    return crypto::verifyDigestSignature(publicKey, digest, signature);
}

// EVP_DigestSign with digestName over message; nullopt when OpenSSL fails (queue kept).
std::optional<Bytes> digestSign(EVP_PKEY* key, const char* digestName, std::string_view message) {
    const MdCtxPtr context(EVP_MD_CTX_new());
    if (EVP_DigestSignInit_ex(context.get(), nullptr, digestName, nullptr, nullptr, key, nullptr) !=
        1) {
        return std::nullopt;
    }
    const auto* data = reinterpret_cast<const unsigned char*>(message.data());
    std::size_t size = 0;
    if (EVP_DigestSign(context.get(), nullptr, &size, data, message.size()) != 1) {
        return std::nullopt;
    }
    Bytes signature(size);
    if (EVP_DigestSign(context.get(), signature.data(), &size, data, message.size()) != 1) {
        return std::nullopt;
    }
    signature.resize(size);
    return signature;
}

// The data strings of the errors on this thread's queue, emptying it.
std::string drainErrorData() {
    std::string text;
    const char* data = nullptr;
    int flags = 0;
    while (ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags) != 0) {
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0) {
            text += data;
            text += "\n";
        }
    }
    return text;
}

class SignerKeyTest : public ::testing::Test {
  protected:
    void SetUp() override { ERR_clear_error(); }
    void TearDown() override { EXPECT_EQ(ERR_peek_error(), 0UL) << drainErrorData(); }

    std::shared_ptr<SoftwareSigner> signer = std::make_shared<SoftwareSigner>();
    PkeyPtr key = makeSignerKey(signer, signer->publicKeyInfo());
};

TEST_F(SignerKeyTest, DigestSignWithSha256VerifiesWithThePublicKey) {
    const auto signature = digestSign(key.get(), "SHA256", "certificate verify");
    ASSERT_TRUE(signature) << drainErrorData();
    EXPECT_EQ(signer->signatures(), 1);
    EXPECT_TRUE(verifiesDigest(signer->key(), sha256("certificate verify"), *signature));
    EXPECT_FALSE(verifiesDigest(signer->key(), sha256("something else"), *signature));
}

TEST_F(SignerKeyTest, DigestSignUpdateAndFinalWork) {
    const MdCtxPtr context(EVP_MD_CTX_new());
    ASSERT_EQ(EVP_DigestSignInit_ex(context.get(), nullptr, "SHA2-256", nullptr, nullptr, key.get(),
                                    nullptr),
              1);
    ASSERT_EQ(EVP_DigestSignUpdate(context.get(), "two ", 4), 1);
    ASSERT_EQ(EVP_DigestSignUpdate(context.get(), "parts", 5), 1);
    std::size_t size = 0;
    ASSERT_EQ(EVP_DigestSignFinal(context.get(), nullptr, &size), 1);
    EXPECT_EQ(size, 72U);
    Bytes signature(size);
    ASSERT_EQ(EVP_DigestSignFinal(context.get(), signature.data(), &size), 1) << drainErrorData();
    signature.resize(size);
    EXPECT_TRUE(verifiesDigest(signer->key(), sha256("two parts"), signature));
}

TEST_F(SignerKeyTest, PkeySignSignsA32ByteDigestOnly) {
    const PkeyCtxPtr context(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
    ASSERT_EQ(EVP_PKEY_sign_init(context.get()), 1);
    const Bytes digest = sha256("digest");
    Bytes signature(72);
    std::size_t size = signature.size();
    ASSERT_EQ(EVP_PKEY_sign(context.get(), signature.data(), &size, digest.data(), digest.size()),
              1);
    signature.resize(size);
    EXPECT_TRUE(verifiesDigest(signer->key(), digest, signature));

    size = 72;
    EXPECT_NE(EVP_PKEY_sign(context.get(), signature.data(), &size, digest.data(), 20), 1);
    EXPECT_NE(drainErrorData().find("not 20 bytes"), std::string::npos);
}

TEST_F(SignerKeyTest, AnswersWhatLibsslAsksOfAnEcKey) {
    EXPECT_EQ(EVP_PKEY_is_a(key.get(), "EC"), 1);
    EXPECT_EQ(EVP_PKEY_get_id(key.get()), EVP_PKEY_EC);
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
    EXPECT_EQ(EVP_PKEY_get_security_bits(key.get()), 128);
    EXPECT_EQ(EVP_PKEY_get_size(key.get()), 72);
    EXPECT_TRUE(isP256(key.get()));
    char digest[32] = {};
    EXPECT_EQ(EVP_PKEY_get_default_digest_name(key.get(), digest, sizeof digest), 2)
        << "SHA-256 is mandatory";
    EXPECT_STREQ(digest, "SHA256");
    EXPECT_EQ(uncompressedPoint(key.get()), uncompressedPoint(signer->key()));
    EXPECT_EQ(testing::spkiDer(key.get()), signer->publicKeyInfo()) << "i2d_PUBKEY";
    EXPECT_EQ(std::string(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(key.get()))),
              kSignerProviderName);
}

TEST_F(SignerKeyTest, MatchesTheCertificateOfItsPublicKeyOnly) {
    const testing::TestCa ca = testing::makeCa("Test CA");
    testing::CertificateSpec spec;
    spec.subject = {{"CN", "device"}};
    spec.publicKey = signer->key();
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    const X509Ptr own = testing::makeCertificate(spec);
    EXPECT_EQ(X509_check_private_key(own.get(), key.get()), 1) << drainErrorData();

    const PkeyPtr otherKey = testing::newP256Key();
    spec.publicKey = otherKey.get();
    const X509Ptr other = testing::makeCertificate(spec);
    EXPECT_NE(X509_check_private_key(other.get(), key.get()), 1);
    ERR_clear_error();
    EXPECT_EQ(signer->signatures(), 0) << "matching never signs";
}

TEST_F(SignerKeyTest, RefusesOtherDigests) {
    EXPECT_FALSE(digestSign(key.get(), "SHA384", "x"));
    EXPECT_NE(drainErrorData().find("only SHA-256"), std::string::npos);
    EXPECT_EQ(signer->signatures(), 0);
}

TEST_F(SignerKeyTest, AThrowingSignerFailsTheOperationWithItsMessage) {
    signer->failWith("PIN blocked (SW 6983)");
    EXPECT_FALSE(digestSign(key.get(), "SHA256", "x"));
    const std::string errors = drainErrorData();
    EXPECT_NE(errors.find("PIN blocked (SW 6983)"), std::string::npos) << errors;
}

TEST_F(SignerKeyTest, ASignatureByAnotherKeyIsRefused) {
    signer->switchKey();
    EXPECT_FALSE(digestSign(key.get(), "SHA256", "x"));
    EXPECT_NE(drainErrorData().find("does not verify"), std::string::npos);
}

TEST_F(SignerKeyTest, OrdinaryEcKeysStayWithTheDefaultProvider) {
    const PkeyPtr generated = generateKey("EC", kP256Group);
    EXPECT_EQ(std::string(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(generated.get()))),
              "default");
    const PkeyPtr peer = generateKey("EC", kP256Group);
    EXPECT_TRUE(ecdhSharedSecret(generated.get(), peer.get()));
    const PkeyPtr fromPoint =
        publicKeyFromPoint("EC", kP256Group, uncompressedPoint(signer->key()));
    ASSERT_TRUE(fromPoint);
    EXPECT_EQ(std::string(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(fromPoint.get()))),
              "default");
}

TEST(SignerKeyArguments, RefusesANullSignerAndKeysThatAreNotP256) {
    const auto signer = std::make_shared<SoftwareSigner>();
    EXPECT_THROW(makeSignerKey(nullptr, signer->publicKeyInfo()), std::invalid_argument);
    const PkeyPtr p384 = generateKey("EC", "secp384r1");
    EXPECT_THROW(makeSignerKey(signer, testing::spkiDer(p384.get())), CryptoError);
    Bytes trailing = signer->publicKeyInfo();
    trailing.push_back(0);
    EXPECT_THROW(makeSignerKey(signer, trailing), CryptoError);
    EXPECT_THROW(makeSignerKey(signer, {}), CryptoError);
}

// ---- TLS 1.3 with client authentication, in process ----

struct Party {
    PkeyPtr key;
    X509Ptr certificate;
};

Party issue(const testing::TestCa& ca, EVP_PKEY* publicKey, PkeyPtr privateKey,
            const std::string& commonName, const std::string& usage) {
    testing::CertificateSpec spec;
    spec.subject = {{"O", "TapLink"}, {"CN", commonName}};
    spec.publicKey = publicKey;
    spec.extendedKeyUsage = usage;
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    return Party{std::move(privateKey), testing::makeCertificate(spec)};
}

SslCtxPtr tls13Context(const SSL_METHOD* method, const Party& own, X509* trusted) {
    SslCtxPtr context(SSL_CTX_new(method));
    checkOpenSsl(context != nullptr, "SSL_CTX_new");
    checkOpenSsl(SSL_CTX_set_min_proto_version(context.get(), TLS1_3_VERSION) == 1, "min version");
    checkOpenSsl(SSL_CTX_use_certificate(context.get(), own.certificate.get()), "use cert");
    checkOpenSsl(SSL_CTX_use_PrivateKey(context.get(), own.key.get()), "use key");
    checkOpenSsl(X509_STORE_add_cert(SSL_CTX_get_cert_store(context.get()), trusted), "trust");
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    return context;
}

bool progressing(SSL* ssl, int result) {
    if (result == 1) {
        return true;
    }
    const int error = SSL_get_error(ssl, result);
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

// Runs both ends over a BIO pair until both finish or one fails; true when the server
// accepted the client.
bool handshake(SSL_CTX* clientContext, SSL_CTX* serverContext, X509Ptr* clientSeen,
               std::string* errors) {
    const SslPtr client(SSL_new(clientContext));
    const SslPtr server(SSL_new(serverContext));
    BIO* clientEnd = nullptr;
    BIO* serverEnd = nullptr;
    checkOpenSsl(BIO_new_bio_pair(&clientEnd, 0, &serverEnd, 0), "BIO_new_bio_pair");
    SSL_set_bio(client.get(), clientEnd, clientEnd);
    SSL_set_bio(server.get(), serverEnd, serverEnd);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());
    bool clientDone = false;
    bool serverDone = false;
    for (int round = 0; round < 20 && !(clientDone && serverDone); ++round) {
        if (!clientDone) {
            const int result = SSL_do_handshake(client.get());
            clientDone = result == 1;
            if (!progressing(client.get(), result)) {
                break;
            }
        }
        if (!serverDone) {
            const int result = SSL_do_handshake(server.get());
            serverDone = result == 1;
            if (!progressing(server.get(), result)) {
                break;
            }
        }
    }
    *errors = drainErrorData();
    ERR_clear_error();
    if (serverDone && clientSeen != nullptr) {
        *clientSeen = X509Ptr(SSL_get1_peer_certificate(server.get()));
        int digest = NID_undef;
        int type = NID_undef;
        SSL_get_peer_signature_nid(server.get(), &digest);
        SSL_get_peer_signature_type_nid(server.get(), &type);
        EXPECT_EQ(digest, NID_sha256);
        EXPECT_EQ(type, EVP_PKEY_EC) << "ecdsa_secp256r1_sha256";
    }
    return clientDone && serverDone;
}

class ChipKeyTlsTest : public ::testing::Test {
  protected:
    void SetUp() override { ERR_clear_error(); }

    testing::TestCa serverCa = testing::makeCa("Test Server CA");
    testing::TestCa deviceCa = testing::makeCa("Test Device CA");
    std::shared_ptr<SoftwareSigner> signer = std::make_shared<SoftwareSigner>();
    Party server = [this] {
        PkeyPtr key = testing::newP256Key();
        EVP_PKEY* publicKey = key.get();
        return issue(serverCa, publicKey, std::move(key), "localhost", "serverAuth");
    }();
    Party device = issue(deviceCa, signer->key(), makeSignerKey(signer, signer->publicKeyInfo()),
                         "TapLink device 544C434800000001", "clientAuth");
    SslCtxPtr serverContext = tls13Context(TLS_server_method(), server, deviceCa.certificate.get());
};

TEST_F(ChipKeyTlsTest, TheServerSeesTheClientCertificateSignedThroughTheSigner) {
    const SslCtxPtr clientContext =
        tls13Context(TLS_client_method(), device, serverCa.certificate.get());
    X509Ptr seen;
    std::string errors;
    ASSERT_TRUE(handshake(clientContext.get(), serverContext.get(), &seen, &errors)) << errors;
    ASSERT_TRUE(seen);
    EXPECT_EQ(X509_cmp(seen.get(), device.certificate.get()), 0);
    EXPECT_EQ(signer->signatures(), 1) << "one CertificateVerify";
}

TEST_F(ChipKeyTlsTest, KeyBeforeCertificateWorksToo) {
    SslCtxPtr clientContext(SSL_CTX_new(TLS_client_method()));
    ASSERT_EQ(SSL_CTX_set_min_proto_version(clientContext.get(), TLS1_3_VERSION), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(clientContext.get(), device.key.get()), 1);
    ASSERT_EQ(SSL_CTX_use_certificate(clientContext.get(), device.certificate.get()), 1)
        << drainErrorData();
    ASSERT_EQ(SSL_CTX_check_private_key(clientContext.get()), 1);
    X509Ptr seen;
    std::string errors;
    EXPECT_TRUE(handshake(clientContext.get(), serverContext.get(), &seen, &errors)) << errors;
}

TEST_F(ChipKeyTlsTest, TheSignerKeyDoesNotGoWithAnotherCertificate) {
    const PkeyPtr otherKey = testing::newP256Key();
    const Party other = issue(deviceCa, otherKey.get(), nullptr, "other", "clientAuth");
    SslCtxPtr clientContext(SSL_CTX_new(TLS_client_method()));
    ASSERT_EQ(SSL_CTX_use_certificate(clientContext.get(), other.certificate.get()), 1);
    EXPECT_NE(SSL_CTX_use_PrivateKey(clientContext.get(), device.key.get()), 1);
    ERR_clear_error();
}

TEST_F(ChipKeyTlsTest, AThrowingSignerFailsTheHandshakeCleanly) {
    const SslCtxPtr clientContext =
        tls13Context(TLS_client_method(), device, serverCa.certificate.get());
    signer->failWith("chip removed");
    std::string errors;
    EXPECT_FALSE(handshake(clientContext.get(), serverContext.get(), nullptr, &errors));
    EXPECT_NE(errors.find("chip removed"), std::string::npos) << errors;
    EXPECT_EQ(signer->signatures(), 1);
}

TEST_F(ChipKeyTlsTest, AServerThatDoesNotTrustTheDeviceCaRefusesTheClient) {
    const SslCtxPtr clientContext =
        tls13Context(TLS_client_method(), device, serverCa.certificate.get());
    const testing::TestCa strangerCa = testing::makeCa("Stranger CA");
    const SslCtxPtr strictServer =
        tls13Context(TLS_server_method(), server, strangerCa.certificate.get());
    std::string errors;
    EXPECT_FALSE(handshake(clientContext.get(), strictServer.get(), nullptr, &errors));
}

}  // namespace
}  // namespace taplink::crypto
