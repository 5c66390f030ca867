// The daemon's PIV driver against taplink-sim's secure chip, in process (no pcscd): the
// device certificate, signatures that its public key verifies (checked by OpenSSL), the PIN
// counter, and where the chip's key lives.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "../tls/test_certificates.hpp"
#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/signatures.hpp"
#include "temp_dir.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::chip {
namespace {

using crypto::PkeyCtxPtr;
using crypto::PkeyPtr;
using crypto::X509Ptr;
using testing::VirtualCardChannel;

X509Ptr parseCertificate(const Bytes& der) {
    const unsigned char* cursor = der.data();
    return X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

PkeyPtr publicKeyOf(const Bytes& certificateDer) {
    const X509Ptr certificate = parseCertificate(certificateDer);
    return certificate ? PkeyPtr(X509_get_pubkey(certificate.get())) : nullptr;
}

// The public key as SubjectPublicKeyInfo DER, to compare keys.
Bytes publicKeyBytes(const Bytes& certificateDer) {
    const PkeyPtr key = publicKeyOf(certificateDer);
    if (!key) {
        return {};
    }
    Bytes der(static_cast<std::size_t>(i2d_PUBKEY(key.get(), nullptr)));
    unsigned char* cursor = der.data();
    i2d_PUBKEY(key.get(), &cursor);
    return der;
}

bool verifies(const Bytes& certificateDer, const Bytes& digest, const Bytes& signature) {
    return crypto::verifyDigestSignature(publicKeyOf(certificateDer).get(), digest, signature);
}

Bytes sha256(std::string_view text) {
    Bytes digest(SHA256_DIGEST_LENGTH);
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

sim::CardOptions chipOptions(const std::string& serialHex, std::string stateDir) {
    sim::CardOptions options;
    options.serial = fromHex(serialHex);
    options.stateDir = std::move(stateDir);
    return options;
}

// Reads the certificate of a chip made from the options.
Bytes certificateOf(const sim::CardOptions& options) {
    VirtualCardChannel channel(sim::makeCard("secure-chip", options));
    PivChip chip(channel);
    EXPECT_TRUE(chip.select());
    return chip.readCertificate();
}

class PivChipTest : public ::testing::Test {
  protected:
    std::shared_ptr<sim::VirtualCard> card = sim::makeCard("secure-chip");
    VirtualCardChannel channel{card};
    PivChip chip{channel};

    void SetUp() override { ASSERT_TRUE(chip.select()); }

    apdu::ResponseApdu send(const std::string& hex) {
        return channel.transmit(apdu::CommandApdu::parse(fromHex(hex)));
    }
};

TEST_F(PivChipTest, SelectAnswersTheApplicationPropertyTemplate) {
    const auto answer = send("00A4040009A00000030800001000");  // a right-truncated AID
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(toHex(answer.data), "61184F0600001000010079074F05A000000308AC058001110600")
        << "61 { 4F PIX, 79 { 4F AID }, AC { 80 11, 06 00 } }";
}

TEST_F(PivChipTest, TheCertificateIsTheChipsSelfSignedP256Certificate) {
    const Bytes der = chip.readCertificate();
    EXPECT_GT(der.size(), 256U) << "long enough to need GET RESPONSE chaining";
    const X509Ptr certificate = parseCertificate(der);
    ASSERT_TRUE(certificate);
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(certificate.get()), subject, sizeof subject);
    EXPECT_NE(std::string(subject).find("CN=TapLink device " + toHex(sim::defaultChipSerial())),
              std::string::npos)
        << subject;
    const PkeyPtr key = publicKeyOf(der);
    ASSERT_TRUE(key);
    EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
    EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
    EXPECT_EQ(X509_verify(certificate.get(), key.get()), 1) << "self-signed by the chip's key";
}

TEST_F(PivChipTest, SignsADigestThatTheCertificatesKeyVerifies) {
    chip.verifyPin("123456");
    const Bytes digest = sha256("load authorization 0042");
    const Bytes signature = chip.signDigest(digest);
    EXPECT_TRUE(verifies(chip.readCertificate(), digest, signature));
    EXPECT_FALSE(verifies(chip.readCertificate(), sha256("something else"), signature));
}

TEST_F(PivChipTest, SigningWithoutThePinIsRefusedWithATypedError) {
    EXPECT_THROW(chip.signDigest(sha256("x")), PinRequiredError);
    EXPECT_EQ(chip.pinTriesLeft(), 3);
}

TEST_F(PivChipTest, AWrongPinCountsDownAndBlocks) {
    try {
        chip.verifyPin("654321");
        FAIL() << "a wrong PIN was accepted";
    } catch (const WrongPinError& error) {
        EXPECT_EQ(error.triesLeft(), 2);
        EXPECT_EQ(error.statusWord(), 0x63C2);
    }
    EXPECT_EQ(chip.pinTriesLeft(), 2);
    EXPECT_THROW(chip.verifyPin("000000"), WrongPinError);
    EXPECT_THROW(chip.verifyPin("000000"), PinBlockedError);  // 63C0: the last try went
    EXPECT_EQ(chip.pinTriesLeft(), 0);
    EXPECT_THROW(chip.verifyPin("123456"), PinBlockedError) << "the right PIN no longer works";
    EXPECT_EQ(send("0020008008313233343536FFFF").sw, 0x6983);
    EXPECT_THROW(chip.signDigest(sha256("x")), PinRequiredError);
}

TEST_F(PivChipTest, TheRightPinResetsTheCounterAndHoldsUntilReset) {
    EXPECT_THROW(chip.verifyPin("111111"), WrongPinError);
    chip.verifyPin("123456");
    EXPECT_EQ(chip.pinTriesLeft(), std::nullopt) << "verified in this session";
    ASSERT_TRUE(chip.select()) << "re-selecting PIV keeps the PIN status";
    EXPECT_NO_THROW(chip.signDigest(sha256("x")));
    card->reset();
    ASSERT_TRUE(chip.select());
    EXPECT_EQ(chip.pinTriesLeft(), 3);
    EXPECT_THROW(chip.signDigest(sha256("x")), PinRequiredError);
}

TEST_F(PivChipTest, ChangesThePin) {
    EXPECT_THROW(chip.changePin("999999", "24681357"), WrongPinError);
    chip.changePin("123456", "24681357");
    card->reset();
    ASSERT_TRUE(chip.select());
    EXPECT_THROW(chip.verifyPin("123456"), WrongPinError);
    EXPECT_NO_THROW(chip.verifyPin("24681357"));
}

TEST_F(PivChipTest, AnswersTheDataObjectsOpenScReadsAnd6A82ForAbsentOnes) {
    EXPECT_EQ(toHex(send("00CB3FFF035C017E00").data), "7E124F0BA0000003080000100001005F2F024000");
    const auto chuid = send("00CB3FFF055C035FC10200");
    ASSERT_TRUE(chuid.ok());
    const auto objects = tlv::parse(chuid.data);
    ASSERT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects[0].tag, 0x53U);
    EXPECT_TRUE(send("00CB3FFF055C035FC10700").ok());      // CCC
    EXPECT_TRUE(send("00CB3FFF055C035FC10C00").ok());      // Key History
    EXPECT_EQ(send("00CB3FFF055C035FC10A00").sw, 0x6A82);  // no signature certificate (9C)
    EXPECT_EQ(send("00CB3FFF055C035FC10100").sw, 0x6A82);  // no card authentication cert
    EXPECT_EQ(send("00CB3FFF035C017F00").sw, 0x6A82);
    EXPECT_EQ(send("00CB3FFE055C035FC10200").sw, 0x6A86);
}

TEST_F(PivChipTest, AcceptsAChainedGeneralAuthenticate) {
    chip.verifyPin("123456");
    const Bytes digest = sha256("chained");
    const Bytes request = piv::signatureRequest(digest);
    const Bytes head(request.begin(), request.begin() + 10);
    const Bytes tail(request.begin() + 10, request.end());
    EXPECT_TRUE(channel.transmit({0x10, 0x87, 0x11, 0x9A, head, std::nullopt}).ok());
    const auto answer = channel.transmit({0x00, 0x87, 0x11, 0x9A, tail, 256});
    ASSERT_TRUE(answer.ok());
    EXPECT_TRUE(verifies(chip.readCertificate(), digest, piv::signatureFromResponse(answer.data)));
}

// Command chaining cannot grow the chip's memory without bound.
TEST_F(PivChipTest, RefusesAChainLongerThan64KiB) {
    const Bytes piece(40000, 0x55);
    EXPECT_TRUE(channel.transmit({0x10, 0xDB, 0x3F, 0xFF, piece, std::nullopt}).ok());
    EXPECT_EQ(channel.transmit({0x10, 0xDB, 0x3F, 0xFF, piece, std::nullopt}).sw, 0x6700);
    EXPECT_TRUE(chip.select());  // and the chip goes on
}

// ---- GENERATE ASYMMETRIC KEY PAIR and PUT DATA of the slot 9A certificate ----

bool verifiesWithPoint(const Bytes& point, const Bytes& digest, const Bytes& signature) {
    const PkeyPtr key = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    return crypto::verifyDigestSignature(key.get(), digest, signature);
}

// A CA-issued certificate (DER) for the public point, as the device CA would issue it.
Bytes certificateForPoint(const Bytes& point) {
    const auto ca = testing::makeCa("Test Device CA");
    const PkeyPtr key = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    testing::CertificateSpec spec;
    spec.subject = {{"O", "TapLink"}, {"CN", "TapLink device 544C434800000001"}};
    spec.publicKey = key.get();
    spec.extendedKeyUsage = "clientAuth";
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    return testing::certificateDer(testing::makeCertificate(spec).get());
}

TEST_F(PivChipTest, GenerateNeedsThePin) {
    EXPECT_EQ(send("0047009A05AC03800111"
                   "00")
                  .sw,
              0x6982);
    EXPECT_THROW(chip.generateKey(), PinRequiredError);
    EXPECT_NO_THROW(chip.readCertificate()) << "the old key and certificate are still there";
}

TEST_F(PivChipTest, GenerateAnswersTheNewPointAndSignsWithTheNewKey) {
    chip.verifyPin("123456");
    const Bytes oldCertificate = chip.readCertificate();
    const auto answer = send(
        "0047009A05AC03800111"
        "00");
    ASSERT_TRUE(answer.ok());
    ASSERT_EQ(answer.data.size(), 70U);
    EXPECT_EQ(toHex(ByteView(answer.data).first(5)), "7F49438641") << "7F49 { 86 <65> }";
    const Bytes point = piv::pointFromPublicKeyTemplate(answer.data);
    EXPECT_EQ(point[0], 0x04);

    const Bytes digest = sha256("after generate");
    const Bytes signature = chip.signDigest(digest);
    EXPECT_TRUE(verifiesWithPoint(point, digest, signature));
    EXPECT_FALSE(verifies(oldCertificate, digest, signature)) << "the old key is gone";
    EXPECT_NE(chip.generateKey(), point) << "every GENERATE makes a new key";
}

TEST_F(PivChipTest, GenerateRemovesTheCertificateUntilANewOneIsWritten) {
    chip.verifyPin("123456");
    const Bytes oldCertificate = chip.readCertificate();
    const Bytes point = chip.generateKey();
    EXPECT_EQ(send("00CB3FFF055C035FC10500").sw, 0x6A82);
    try {
        chip.readCertificate();
        FAIL() << "a certificate without its key";
    } catch (const PivError& error) {
        EXPECT_EQ(error.statusWord(), 0x6A82);
    }
    try {
        chip.writeCertificate(oldCertificate);
        FAIL() << "the old key's certificate was accepted";
    } catch (const PivError& error) {
        EXPECT_EQ(error.statusWord(), 0x6A80);
    }
    const Bytes issued = certificateForPoint(point);
    ASSERT_GT(issued.size(), 255U) << "long enough to be chained";
    chip.writeCertificate(issued);
    EXPECT_EQ(chip.readCertificate(), issued);
}

TEST_F(PivChipTest, GenerateRefusesOtherSlotsAndAlgorithms) {
    chip.verifyPin("123456");
    EXPECT_EQ(send("004700 9C05AC03800111"
                   "00")
                  .sw,
              0x6A86)
        << "slot 9C";
    EXPECT_EQ(send("004701 9A05AC03800111"
                   "00")
                  .sw,
              0x6A86);
    EXPECT_EQ(send("004700 9A05AC03800114"
                   "00")
                  .sw,
              0x6A80)
        << "P-384";
    EXPECT_EQ(send("004700 9A05AC03800711"
                   "00")
                  .sw,
              0x6A80)
        << "no algorithm tag";
    EXPECT_EQ(send("004700 9A03800111"
                   "00")
                  .sw,
              0x6A80)
        << "no control reference template";
    EXPECT_NO_THROW(chip.readCertificate()) << "nothing changed";
}

TEST_F(PivChipTest, WritingACertificateNeedsThePin) {
    chip.verifyPin("123456");
    const Bytes issued = certificateForPoint(chip.generateKey());
    card->reset();
    ASSERT_TRUE(chip.select());
    EXPECT_THROW(chip.writeCertificate(issued), PinRequiredError);
}

TEST(PivChipStateTest, TheGeneratedKeyAndItsCertificatePersist) {
    const testsupport::TempDir dir{"taplink-piv-test"};
    const auto options = chipOptions("0102030405060708", dir.path());
    Bytes point;
    {
        VirtualCardChannel channel(sim::makeCard("secure-chip", options));
        PivChip chip(channel);
        ASSERT_TRUE(chip.select());
        chip.verifyPin("123456");
        point = chip.generateKey();
    }
    const Bytes issued = certificateForPoint(point);
    {
        VirtualCardChannel channel(sim::makeCard("secure-chip", options));
        PivChip chip(channel);
        ASSERT_TRUE(chip.select());
        EXPECT_THROW(chip.readCertificate(), PivError) << "still waiting for its certificate";
        chip.verifyPin("123456");
        const Bytes digest = sha256("persisted");
        EXPECT_TRUE(verifiesWithPoint(point, digest, chip.signDigest(digest)));
        chip.writeCertificate(issued);
    }
    VirtualCardChannel channel(sim::makeCard("secure-chip", options));
    PivChip chip(channel);
    ASSERT_TRUE(chip.select());
    EXPECT_EQ(chip.readCertificate(), issued);
}

TEST(PivProtocolTest, GenerateAndPutDataLayouts) {
    EXPECT_EQ(toHex(piv::generateAuthenticationKey().encode()),
              "004700"
              "9A05AC0380011100");
    EXPECT_EQ(piv::algorithmFromGenerationRequest(fromHex("AC03800111")), 0x11);
    EXPECT_EQ(piv::algorithmFromGenerationRequest(fromHex("AC0480021111")), std::nullopt);
    EXPECT_EQ(piv::algorithmFromGenerationRequest(fromHex("AC00")), std::nullopt);
    EXPECT_THROW(piv::pointFromPublicKeyTemplate(fromHex("7F49028600")), piv::PivFormatError);
    EXPECT_THROW(piv::pointFromPublicKeyTemplate(fromHex("7F4900")), piv::PivFormatError);

    const auto shortChain = piv::putAuthenticationCertificate(fromHex("3000"));
    ASSERT_EQ(shortChain.size(), 1U);
    EXPECT_EQ(toHex(shortChain[0].encode()),
              "00DB3FFF"
              "10"
              "5C035FC105"
              "5309"
              "70023000"
              "710100"
              "FE00");

    // 600 bytes of well-formed DER: SEQUENCE { OCTET STRING (592 zeros) }.
    Bytes certificate = fromHex("3082025404820250");
    certificate.resize(600, 0x00);
    const auto chain = piv::putAuthenticationCertificate(certificate);
    ASSERT_EQ(chain.size(), 3U);
    Bytes joined;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        EXPECT_EQ(chain[i].cla, i + 1 < chain.size() ? 0x10 : 0x00) << i;
        EXPECT_LE(chain[i].data.size(), 255U);
        joined.insert(joined.end(), chain[i].data.begin(), chain[i].data.end());
    }
    EXPECT_EQ(piv::certificateFromPutData(joined), certificate);
}

TEST(PivChipStateTest, TheKeyPersistsWithTheChipsSerialAndDiffersBetweenChips) {
    const testsupport::TempDir dir{"taplink-piv-test"};
    const Bytes first = certificateOf(chipOptions("0102030405060708", dir.path()));
    const Bytes again = certificateOf(chipOptions("0102030405060708", dir.path()));
    const Bytes other = certificateOf(chipOptions("0102030405060709", dir.path()));
    ASSERT_FALSE(publicKeyBytes(first).empty());
    EXPECT_EQ(publicKeyBytes(again), publicKeyBytes(first)) << "the same chip, back in the field";
    EXPECT_EQ(again, first);
    EXPECT_NE(publicKeyBytes(other), publicKeyBytes(first));
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/chip-0102030405060708/piv.json"));
}

TEST(PivChipStateTest, WithoutAStateDirEveryChipHasItsOwnKey) {
    EXPECT_NE(publicKeyBytes(certificateOf({})), publicKeyBytes(certificateOf({})));
}

TEST(PivChipStateTest, TheBlockedPinStaysBlockedAcrossRecreation) {
    const testsupport::TempDir dir{"taplink-piv-test"};
    const auto options = chipOptions("0102030405060708", dir.path());
    {
        VirtualCardChannel channel(sim::makeCard("secure-chip", options));
        PivChip chip(channel);
        ASSERT_TRUE(chip.select());
        EXPECT_THROW(chip.verifyPin("000000"), WrongPinError);
    }
    VirtualCardChannel channel(sim::makeCard("secure-chip", options));
    PivChip chip(channel);
    ASSERT_TRUE(chip.select());
    EXPECT_EQ(chip.pinTriesLeft(), 2);
}

TEST(PivChipStateTest, RefusesASerialOfTheWrongSize) {
    EXPECT_THROW(sim::makeCard("secure-chip", chipOptions("0102", "")), std::invalid_argument);
}

TEST(PivProtocolTest, PinBlocksArePaddedWithFfAndCheckDigits) {
    EXPECT_EQ(toHex(piv::pinBlock("123456")), "313233343536FFFF");
    EXPECT_EQ(toHex(piv::pinBlock("12345678")), "3132333435363738");
    EXPECT_THROW(piv::pinBlock("12345"), std::invalid_argument);
    EXPECT_THROW(piv::pinBlock("123456789"), std::invalid_argument);
    EXPECT_THROW(piv::pinBlock("12345a"), std::invalid_argument);
    EXPECT_EQ(piv::triesLeftOf(0x63C2), 2);
    EXPECT_EQ(piv::triesLeftOf(0x6300), std::nullopt);
    EXPECT_EQ(piv::triesLeftStatus(1), 0x63C1);
}

TEST(PivProtocolTest, RejectsMalformedAnswers) {
    EXPECT_THROW(piv::certificateFromObject(fromHex("53037100FE")), piv::PivFormatError);
    EXPECT_THROW(piv::certificateFromObject(fromHex("5305710100FE00")), piv::PivFormatError);
    EXPECT_THROW(piv::signatureFromResponse(fromHex("7C028200")), piv::PivFormatError);
    EXPECT_THROW(piv::pixFromPropertyTemplate(fromHex("6F00")), piv::PivFormatError);
    EXPECT_EQ(piv::challengeFromRequest(fromHex("7C0381010A")), std::nullopt);
}

}  // namespace
}  // namespace taplink::chip
