// The chip's PIV key as an OpenSSL key, in process against taplink-sim's secure chip (no
// pcscd): PivDigestSigner's selection and PIN handling, and the device CSR from
// makeDeviceCsr, read back the way the device CA and the server read it.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "software_signer.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/device_key.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/crypto/signer_key.hpp"
#include "test_certificates.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip {
namespace {

using crypto::PkeyPtr;
using crypto::X509Ptr;
using testing::VirtualCardChannel;
using RequestPtr = crypto::OpenSslPtr<X509_REQ, &X509_REQ_free>;

constexpr const char* kPin = "123456";

Bytes sha256(std::string_view text) {
    Bytes digest(SHA256_DIGEST_LENGTH);
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

bool verifies(EVP_PKEY* publicKey, const Bytes& digest, const Bytes& signature) {
    return crypto::verifyDigestSignature(publicKey, digest, signature);
}

RequestPtr parseRequest(const Bytes& der) {
    const unsigned char* cursor = der.data();
    return RequestPtr(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
}

std::string subjectText(const X509_NAME* name) {
    char text[512] = {};
    X509_NAME_oneline(name, text, sizeof text);
    return text;
}

// What the device CA does with a CSR (certs/sign-device-csr.sh, device_cert profile with
// -copy_extensions copy), with the OpenSSL API.
X509Ptr issueFromRequest(X509_REQ* request, const testing::TestCa& ca) {
    PkeyPtr publicKey(X509_REQ_get_pubkey(request));
    testing::CertificateSpec spec;
    spec.publicKey = publicKey.get();
    spec.extendedKeyUsage = "clientAuth";
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request);
    for (int i = 0; i < sk_X509_EXTENSION_num(extensions); ++i) {
        X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, i);
        char oid[128] = {};
        OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(extension), 1);
        const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(extension);
        spec.extensions.push_back(
            {oid, Bytes(ASN1_STRING_get0_data(value),
                        ASN1_STRING_get0_data(value) + ASN1_STRING_length(value))});
    }
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
    X509Ptr certificate = testing::makeCertificate(spec);
    X509_set_subject_name(certificate.get(), X509_REQ_get_subject_name(request));
    X509_sign(certificate.get(), ca.key.get(), EVP_sha256());
    return certificate;
}

class ChipKeyTest : public ::testing::Test {
  protected:
    void SetUp() override { ERR_clear_error(); }

    std::shared_ptr<sim::VirtualCard> card = sim::makeCard("secure-chip");
    VirtualCardChannel channel{card};
    PivChip piv{channel};

    // The public key of the chip's current certificate.
    PkeyPtr certificateKey() {
        EXPECT_TRUE(piv.select());
        const X509Ptr certificate = testing::certificateFromDer(piv.readCertificate());
        return PkeyPtr(X509_get_pubkey(certificate.get()));
    }

    sam::ChipInfo chipInfo() {
        LoadSam loadSam(channel);
        EXPECT_TRUE(loadSam.select());
        return loadSam.info();
    }
};

TEST_F(ChipKeyTest, SelectsPivAndVerifiesThePinWhenNeeded) {
    const PkeyPtr publicKey = certificateKey();
    card->reset();  // nothing selected, no PIN
    PivDigestSigner signer(channel, kPin);
    const Bytes digest = sha256("tls transcript");
    EXPECT_TRUE(verifies(publicKey.get(), digest, signer.signDigest(digest)));
    EXPECT_TRUE(verifies(publicKey.get(), digest, signer.signDigest(digest))) << "again";
    EXPECT_EQ(piv.pinTriesLeft(), std::nullopt) << "verified once, for the session";
}

TEST_F(ChipKeyTest, SelectsPivAgainAfterAnotherApplicationOrAReset) {
    const PkeyPtr publicKey = certificateKey();
    PivDigestSigner signer(channel, kPin);
    const Bytes digest = sha256("x");
    ASSERT_TRUE(verifies(publicKey.get(), digest, signer.signDigest(digest)));
    chipInfo();  // the load SAM is selected now, the PIV PIN status is gone
    EXPECT_TRUE(verifies(publicKey.get(), digest, signer.signDigest(digest)));
    card->reset();
    EXPECT_TRUE(verifies(publicKey.get(), digest, signer.signDigest(digest)));
}

TEST_F(ChipKeyTest, AWrongPinIsTriedOnceAndReportedTyped) {
    PivDigestSigner signer(channel, "654321");
    try {
        signer.signDigest(sha256("x"));
        FAIL() << "signed with a wrong PIN";
    } catch (const WrongPinError& error) {
        EXPECT_EQ(error.triesLeft(), 2);
    }
    ASSERT_TRUE(piv.select());
    EXPECT_EQ(piv.pinTriesLeft(), 2) << "one try used, not more";
    EXPECT_THROW(signer.signDigest(sha256("x")), WrongPinError);
    EXPECT_THROW(signer.signDigest(sha256("x")), PinBlockedError);
    EXPECT_THROW(signer.signDigest(sha256("x")), PinBlockedError);
}

TEST_F(ChipKeyTest, TheChipKeySignsThroughOpenSsl) {
    const PkeyPtr publicKey = certificateKey();
    const PkeyPtr chipKey = crypto::makeSignerKey(std::make_shared<PivDigestSigner>(channel, kPin),
                                                  testing::spkiDer(publicKey.get()));
    const crypto::MdCtxPtr context(EVP_MD_CTX_new());
    ASSERT_EQ(EVP_DigestSignInit_ex(context.get(), nullptr, "SHA256", nullptr, nullptr,
                                    chipKey.get(), nullptr),
              1);
    std::size_t size = 72;
    Bytes signature(size);
    const std::string message = "result: card 0042, +50.00";
    ASSERT_EQ(
        EVP_DigestSign(context.get(), signature.data(), &size,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()),
        1);
    signature.resize(size);
    EXPECT_TRUE(verifies(publicKey.get(), sha256(message), signature));
}

TEST_F(ChipKeyTest, TheCsrOfAGeneratedKeyVerifiesAndNamesTheChip) {
    const sam::ChipInfo info = chipInfo();
    ASSERT_TRUE(piv.select());
    piv.verifyPin(kPin);
    const Bytes point = piv.generateKey();
    const PkeyPtr generated = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    const PkeyPtr chipKey = crypto::makeSignerKey(std::make_shared<PivDigestSigner>(channel, kPin),
                                                  testing::spkiDer(generated.get()));

    const Bytes der = makeDeviceCsr(chipKey.get(), info.chipSerial, info.samPublicKey);
    const RequestPtr request = parseRequest(der);
    ASSERT_TRUE(request);
    const PkeyPtr requestKey(X509_REQ_get_pubkey(request.get()));
    EXPECT_EQ(EVP_PKEY_eq(requestKey.get(), generated.get()), 1);
    EXPECT_EQ(X509_REQ_verify(request.get(), requestKey.get()), 1) << "signed by the chip";
    EXPECT_EQ(subjectText(X509_REQ_get_subject_name(request.get())),
              "/O=TapLink/CN=TapLink device 544C434800000001/serialNumber=544C434800000001");

    STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request.get());
    ASSERT_EQ(sk_X509_EXTENSION_num(extensions), 1);
    X509_EXTENSION* extension = sk_X509_EXTENSION_value(extensions, 0);
    char oid[128] = {};
    OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(extension), 1);
    EXPECT_EQ(std::string(oid), kSamKeyExtensionOid);
    EXPECT_EQ(X509_EXTENSION_get_critical(extension), 0);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);

    // Issued by a CA, installed, and read back as the server reads it.
    const testing::TestCa ca = testing::makeCa("Test Device CA");
    const X509Ptr issued = issueFromRequest(request.get(), ca);
    EXPECT_EQ(chipSerialOf(issued.get()), info.chipSerial);
    EXPECT_EQ(samPublicKeyOf(issued.get()), info.samPublicKey);
    EXPECT_EQ(X509_check_private_key(issued.get(), chipKey.get()), 1);
    piv.writeCertificate(testing::certificateDer(issued.get()));
    EXPECT_EQ(piv.readCertificate(), testing::certificateDer(issued.get()));
}

TEST(DeviceCsrTest, ASoftwareSignedCsrCarriesTheSamKeyExtension) {
    const auto signer = std::make_shared<testing::SoftwareSigner>();
    const PkeyPtr key = crypto::makeSignerKey(signer, signer->publicKeyInfo());
    const PkeyPtr samKey = testing::newP256Key();
    const Bytes der = makeDeviceCsr(key.get(), fromHex("0102030405060708"),
                                    crypto::uncompressedPoint(samKey.get()));
    EXPECT_EQ(signer->signatures(), 1);
    const RequestPtr request = parseRequest(der);
    ASSERT_TRUE(request);
    EXPECT_EQ(X509_REQ_verify(request.get(), signer->key()), 1);
    const testing::TestCa ca = testing::makeCa("Test Device CA");
    const X509Ptr issued = issueFromRequest(request.get(), ca);
    EXPECT_EQ(toHex(chipSerialOf(issued.get())), "0102030405060708");
    EXPECT_EQ(samPublicKeyOf(issued.get()), crypto::uncompressedPoint(samKey.get()));
}

TEST(DeviceCsrTest, RefusesAnEmptySerialAndASamKeyThatIsNoPoint) {
    const auto signer = std::make_shared<testing::SoftwareSigner>();
    const PkeyPtr key = crypto::makeSignerKey(signer, signer->publicKeyInfo());
    const Bytes samPoint = crypto::uncompressedPoint(testing::newP256Key().get());
    EXPECT_THROW(makeDeviceCsr(key.get(), {}, samPoint), std::invalid_argument);
    Bytes notOnTheCurve = samPoint;
    notOnTheCurve.back() ^= 0x01;
    EXPECT_THROW(makeDeviceCsr(key.get(), fromHex("01020304"), notOnTheCurve),
                 std::invalid_argument);
    EXPECT_THROW(makeDeviceCsr(key.get(), fromHex("01020304"), Bytes(65, 0x04)),
                 std::invalid_argument);
    EXPECT_EQ(signer->signatures(), 0);
}

TEST(DeviceCsrTest, AFailingSignerFailsTheCsr) {
    const auto signer = std::make_shared<testing::SoftwareSigner>();
    const PkeyPtr key = crypto::makeSignerKey(signer, signer->publicKeyInfo());
    signer->failWith("chip gone");
    EXPECT_THROW(makeDeviceCsr(key.get(), fromHex("01020304"),
                               crypto::uncompressedPoint(testing::newP256Key().get())),
                 crypto::CryptoError);
    EXPECT_EQ(ERR_peek_error(), 0UL) << "the error queue was drained into the exception";
}

}  // namespace
}  // namespace taplink::chip
