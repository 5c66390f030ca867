#include "test_device.hpp"

#include <openssl/x509.h>

#include <stdexcept>

#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "enroll/enrollment.hpp"
#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "test_certificates.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::service::testing {

namespace {

using RequestPtr = crypto::OpenSslPtr<X509_REQ, &X509_REQ_free>;

crypto::PkeyPtr csrPublicKey(const Bytes& der) {
    const unsigned char* cursor = der.data();
    const RequestPtr request(d2i_X509_REQ(nullptr, &cursor, static_cast<long>(der.size())));
    crypto::checkOpenSsl(request != nullptr, "test: d2i_X509_REQ");
    return crypto::PkeyPtr(X509_REQ_get_pubkey(request.get()));
}

// What the device CA signs (certs/sign-device-csr.sh): the chip serial and the SAM key.
crypto::X509Ptr issueDeviceCertificate(const enroll::DeviceCsr& csr, const Bytes& samPoint) {
    static const ::taplink::testing::TestCa ca = ::taplink::testing::makeCa("Test Device CA");
    const crypto::PkeyPtr publicKey = csrPublicKey(csr.der);
    const crypto::PkeyPtr samKey = crypto::publicKeyFromPoint("EC", crypto::kP256Group, samPoint);
    const std::string serialHex = toHex(csr.chipSerial);
    ::taplink::testing::CertificateSpec spec;
    spec.subject = {
        {"O", "TapLink"}, {"CN", "TapLink device " + serialHex}, {"serialNumber", serialHex}};
    spec.publicKey = publicKey.get();
    spec.extendedKeyUsage = "clientAuth";
    spec.extensions = {
        {std::string(chip::kSamKeyExtensionOid), ::taplink::testing::spkiDer(samKey.get())}};
    spec.issuer = ca.certificate.get();
    spec.issuerKey = ca.key.get();
    return ::taplink::testing::makeCertificate(spec);
}

}  // namespace

EnrolledChip makeEnrolledChip() {
    EnrolledChip chip{sim::makeCard("secure-chip"), nullptr};
    ::taplink::testing::VirtualCardChannel channel(chip.card);
    const enroll::DeviceCsr csr = enroll::makeCsr(channel, kChipPin);
    chip::LoadSam sam(channel);
    if (!sam.select()) {
        throw std::runtime_error("test: the simulated chip has no load SAM");
    }
    chip.certificate = issueDeviceCertificate(csr, sam.info().samPublicKey);
    enroll::installCertificate(channel, kChipPin, chip.certificate.get());
    // Enrollment leaves the load SAM installed; the TSM's activate job makes it operational
    // at the device's first sync (docs/daemon.md, "Chip management").
    ::taplink::testing::activateLoadSam(channel);
    chip.card->reset();  // as it comes out of the enrollment station
    return chip;
}

}  // namespace taplink::service::testing
