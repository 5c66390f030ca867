// Reading the chip serial, the load SAM key and the terminal id out of device certificates
// made here with OpenSSL (a CA of the test's own, keys generated now).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "taplink/chip/device_certificate.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "test_certificates.hpp"

namespace taplink::chip {
namespace {

using testing::CertificateSpec;
using testing::RawExtension;

constexpr const char* kSerialHex = "544C434800000001";

class DeviceCertificateTest : public ::testing::Test {
  protected:
    testing::TestCa ca = testing::makeCa("Test Device CA");
    crypto::PkeyPtr deviceKey = testing::newP256Key();
    crypto::PkeyPtr samKey = testing::newP256Key();

    // A device certificate with the given subject serialNumber (none when empty) and
    // extensions.
    crypto::X509Ptr certificate(const std::string& serialNumber,
                                std::vector<RawExtension> extensions) {
        CertificateSpec spec;
        spec.subject = {{"O", "TapLink"}, {"CN", "TapLink device " + serialNumber}};
        if (!serialNumber.empty()) {
            spec.subject.emplace_back("serialNumber", serialNumber);
        }
        spec.publicKey = deviceKey.get();
        spec.extendedKeyUsage = "clientAuth";
        spec.extensions = std::move(extensions);
        spec.issuer = ca.certificate.get();
        spec.issuerKey = ca.key.get();
        return testing::makeCertificate(spec);
    }

    RawExtension samExtension(EVP_PKEY* key) const {
        return {std::string(kSamKeyExtensionOid), testing::spkiDer(key)};
    }
};

TEST_F(DeviceCertificateTest, ReadsTheChipSerialAndTheSamKey) {
    const auto device = certificate(kSerialHex, {samExtension(samKey.get())});
    EXPECT_EQ(toHex(chipSerialOf(device.get())), kSerialHex);
    const Bytes point = samPublicKeyOf(device.get());
    EXPECT_EQ(point.size(), 65U);
    EXPECT_EQ(point, crypto::uncompressedPoint(samKey.get()));
    EXPECT_NE(point, crypto::uncompressedPoint(deviceKey.get())) << "not the certificate's key";
}

TEST_F(DeviceCertificateTest, AcceptsLowerCaseHexInTheSerialNumber) {
    const auto device = certificate("544c434800000001", {samExtension(samKey.get())});
    EXPECT_EQ(toHex(chipSerialOf(device.get())), kSerialHex);
}

TEST_F(DeviceCertificateTest, RefusesAMissingOrMalformedSerialNumber) {
    EXPECT_THROW(chipSerialOf(certificate("", {}).get()), DeviceCertificateError);
    for (const std::string bad : {"544C43480000000", "544C4348000000XY", "54:4C:43:48:00:00",
                                  "54 4C 43 48 00 00 00 01", "-1"}) {
        EXPECT_THROW(chipSerialOf(certificate(bad, {}).get()), DeviceCertificateError) << bad;
    }
}

TEST_F(DeviceCertificateTest, RefusesTwoSerialNumbers) {
    CertificateSpec spec;
    spec.subject = {{"serialNumber", kSerialHex}, {"serialNumber", "544C434800000002"}};
    spec.publicKey = deviceKey.get();
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    EXPECT_THROW(chipSerialOf(testing::makeCertificate(spec).get()), DeviceCertificateError);
}

TEST_F(DeviceCertificateTest, RefusesACertificateWithoutTheSamKeyExtension) {
    try {
        samPublicKeyOf(certificate(kSerialHex, {}).get());
        FAIL() << "no extension accepted";
    } catch (const DeviceCertificateError& error) {
        EXPECT_NE(std::string(error.what()).find("load SAM key extension"), std::string::npos)
            << error.what();
    }
}

TEST_F(DeviceCertificateTest, RefusesAnExtensionThatIsNotASubjectPublicKeyInfo) {
    const Bytes point = crypto::uncompressedPoint(samKey.get());
    Bytes trailing = testing::spkiDer(samKey.get());
    trailing.push_back(0x00);
    for (const Bytes& bad : {point, trailing, Bytes{0x30, 0x00}}) {
        const auto device =
            certificate(kSerialHex, {RawExtension{std::string(kSamKeyExtensionOid), bad}});
        EXPECT_THROW(samPublicKeyOf(device.get()), DeviceCertificateError) << toHex(bad);
    }
}

TEST_F(DeviceCertificateTest, RefusesASamKeyThatIsNotP256) {
    const auto p384 = crypto::generateKey("EC", "secp384r1");
    EXPECT_THROW(samPublicKeyOf(certificate(kSerialHex, {samExtension(p384.get())}).get()),
                 DeviceCertificateError);
    const auto sm2 = crypto::generateKey("SM2", "");
    EXPECT_THROW(samPublicKeyOf(certificate(kSerialHex, {samExtension(sm2.get())}).get()),
                 DeviceCertificateError);
}

TEST_F(DeviceCertificateTest, RefusesTwoSamKeyExtensions) {
    const auto device = certificate(
        kSerialHex, {samExtension(samKey.get()), samExtension(testing::newP256Key().get())});
    EXPECT_THROW(samPublicKeyOf(device.get()), DeviceCertificateError);
}

TEST(TerminalIdTest, IsTheRightmostSixBytesOfTheChipSerial) {
    EXPECT_EQ(toHex(terminalIdOf(fromHex(kSerialHex))), "434800000001");
    EXPECT_EQ(toHex(terminalIdOf(fromHex("010203040506"))), "010203040506");
    EXPECT_THROW(terminalIdOf(fromHex("0102030405")), std::invalid_argument);
    EXPECT_THROW(terminalIdOf({}), std::invalid_argument);
}

}  // namespace
}  // namespace taplink::chip
