// taplink-enroll's steps against the in-process simulated chip: the CSR of a key generated
// in the chip, and the checks before a certificate is written into it.
#include <gtest/gtest.h>

#include <string>

#include "cards/profiles.hpp"
#include "enroll/enrollment.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "test_certificates.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::enroll {
namespace {

using crypto::PkeyPtr;
using crypto::X509Ptr;
using RequestPtr = crypto::OpenSslPtr<X509_REQ, &X509_REQ_free>;

constexpr const char* kPin = "123456";

class EnrollmentTest : public ::testing::Test {
  protected:
    std::shared_ptr<sim::VirtualCard> card = sim::makeCard("secure-chip");
    testing::VirtualCardChannel channel{card};
    testing::TestCa ca = testing::makeCa("Test Device CA");

    chip::sam::ChipInfo chipInfo() {
        chip::LoadSam loadSam(channel);
        EXPECT_TRUE(loadSam.select());
        return loadSam.info();
    }

    // A device certificate for the CSR's key with the given serial and SAM key.
    X509Ptr issue(const DeviceCsr& csr, const std::string& serialHex, const Bytes& samPoint) {
        const unsigned char* cursor = csr.der.data();
        const RequestPtr request(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(csr.der.size())));
        EXPECT_TRUE(request);
        const PkeyPtr publicKey(X509_REQ_get_pubkey(request.get()));
        const PkeyPtr samKey = crypto::publicKeyFromPoint("EC", crypto::kP256Group, samPoint);
        testing::CertificateSpec spec;
        spec.subject = {
            {"O", "TapLink"}, {"CN", "TapLink device " + serialHex}, {"serialNumber", serialHex}};
        spec.publicKey = publicKey.get();
        spec.extendedKeyUsage = "clientAuth";
        spec.extensions = {
            {std::string(chip::kSamKeyExtensionOid), testing::spkiDer(samKey.get())}};
        spec.issuer = ca.certificate.get();
        spec.issuerKey = ca.key.get();
        return testing::makeCertificate(spec);
    }

    // GET DATA of the slot 9A certificate: its status word.
    std::uint16_t certificateStatus() {
        chip::PivChip piv(channel);
        EXPECT_TRUE(piv.select());
        try {
            piv.readCertificate();
            return 0x9000;
        } catch (const chip::PivError& error) {
            return error.statusWord();
        }
    }
};

TEST_F(EnrollmentTest, InstallsTheCertificateForTheGeneratedKey) {
    const chip::sam::ChipInfo info = chipInfo();
    const DeviceCsr csr = makeCsr(channel, kPin);
    EXPECT_EQ(csr.chipSerial, info.chipSerial);
    EXPECT_EQ(certificateStatus(), 0x6A82) << "the old certificate went with the old key";
    const X509Ptr certificate = issue(csr, toHex(info.chipSerial), info.samPublicKey);
    EXPECT_EQ(installCertificate(channel, kPin, certificate.get()), info.chipSerial);
    chip::PivChip piv(channel);
    ASSERT_TRUE(piv.select());
    EXPECT_EQ(piv.readCertificate(), testing::certificateDer(certificate.get()));
    EXPECT_EQ(chipInfo().lifecycle, chip::sam::Lifecycle::Installed)
        << "only the TSM activates the load SAM";
}

TEST_F(EnrollmentTest, RefusesAnotherSamKeyOrChipAndWritesNothing) {
    const chip::sam::ChipInfo info = chipInfo();
    const DeviceCsr csr = makeCsr(channel, kPin);
    const Bytes otherSam = crypto::uncompressedPoint(testing::newP256Key().get());
    const X509Ptr wrongSam = issue(csr, toHex(info.chipSerial), otherSam);
    EXPECT_THROW(installCertificate(channel, kPin, wrongSam.get()), EnrollmentError);
    const X509Ptr wrongChip = issue(csr, "544C434800000002", info.samPublicKey);
    EXPECT_THROW(installCertificate(channel, kPin, wrongChip.get()), EnrollmentError);
    EXPECT_EQ(certificateStatus(), 0x6A82);
}

TEST_F(EnrollmentTest, RefusesACertificateForAnotherKey) {
    const chip::sam::ChipInfo info = chipInfo();
    const DeviceCsr first = makeCsr(channel, kPin);
    const X509Ptr stale = issue(first, toHex(info.chipSerial), info.samPublicKey);
    makeCsr(channel, kPin);  // a new key
    try {
        installCertificate(channel, kPin, stale.get());
        FAIL() << "a certificate for the old key was installed";
    } catch (const EnrollmentError& error) {
        EXPECT_NE(std::string(error.what()).find("not for the chip's key"), std::string::npos);
    }
    EXPECT_EQ(certificateStatus(), 0x6A82);
}

TEST_F(EnrollmentTest, AWrongPinIsReportedTypedAndGeneratesNothing) {
    chip::PivChip piv(channel);
    ASSERT_TRUE(piv.select());
    const Bytes before = piv.readCertificate();
    EXPECT_THROW(makeCsr(channel, "654321"), chip::WrongPinError);
    ASSERT_TRUE(piv.select());
    EXPECT_EQ(piv.readCertificate(), before) << "no new key";
}

}  // namespace
}  // namespace taplink::enroll
