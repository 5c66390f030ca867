#include "enroll/enrollment.hpp"

#include <openssl/err.h>

#include <memory>

#include "taplink/chip/device_certificate.hpp"
#include "taplink/chip/device_key.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/crypto/signer_key.hpp"

namespace taplink::enroll {

namespace {

constexpr std::size_t kChallengeSize = 32;  // a SHA-256-sized digest

chip::sam::ChipInfo readChipInfo(apdu::ApduChannel& channel) {
    chip::LoadSam loadSam(channel);
    if (!loadSam.select()) {
        throw EnrollmentError("the chip has no load SAM application");
    }
    return loadSam.info();
}

// PIV selected and the PIN verified.
chip::PivChip openPiv(apdu::ApduChannel& channel, const std::string& pin) {
    chip::PivChip piv(channel);
    if (!piv.select()) {
        throw EnrollmentError("the chip has no PIV application");
    }
    piv.verifyPin(pin);
    return piv;
}

Bytes subjectPublicKeyInfo(EVP_PKEY* key) {
    const int size = i2d_PUBKEY(key, nullptr);
    crypto::checkOpenSsl(size, "enrollment: i2d_PUBKEY");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_PUBKEY(key, &cursor), "enrollment: i2d_PUBKEY");
    return der;
}

Bytes certificateDer(X509* certificate) {
    const int size = i2d_X509(certificate, nullptr);
    crypto::checkOpenSsl(size, "enrollment: i2d_X509");
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    crypto::checkOpenSsl(i2d_X509(certificate, &cursor), "enrollment: i2d_X509");
    return der;
}

// The chip proves that it holds the certificate's private key.
void requireChipKey(chip::PivChip& piv, X509* certificate) {
    const Bytes challenge = crypto::randomBytes(kChallengeSize);
    const Bytes signature = piv.signDigest(challenge);
    const bool verified =
        crypto::verifyDigestSignature(X509_get0_pubkey(certificate), challenge, signature);
    ERR_clear_error();  // X509_get0_pubkey's own complaints, if any
    if (!verified) {
        throw EnrollmentError("the certificate is not for the chip's key");
    }
}

void requireChipIdentity(const chip::sam::ChipInfo& info, X509* certificate) {
    if (chip::chipSerialOf(certificate) != info.chipSerial) {
        throw EnrollmentError("the certificate names chip " +
                              toHex(chip::chipSerialOf(certificate)) + ", this is chip " +
                              toHex(info.chipSerial));
    }
    if (chip::samPublicKeyOf(certificate) != info.samPublicKey) {
        throw EnrollmentError(
            "the certificate's load SAM key extension is not this chip's load SAM key");
    }
}

}  // namespace

DeviceCsr makeCsr(apdu::ApduChannel& channel, const std::string& pin) {
    const chip::sam::ChipInfo info = readChipInfo(channel);
    chip::PivChip piv = openPiv(channel, pin);
    const Bytes point = piv.generateKey();
    const crypto::PkeyPtr publicKey = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    if (!publicKey) {
        throw EnrollmentError("the chip answered GENERATE with a point that is not on P-256");
    }
    const crypto::PkeyPtr chipKey =
        crypto::makeSignerKey(std::make_shared<chip::PivDigestSigner>(channel, pin),
                              subjectPublicKeyInfo(publicKey.get()));
    return DeviceCsr{info.chipSerial,
                     chip::makeDeviceCsr(chipKey.get(), info.chipSerial, info.samPublicKey)};
}

Bytes installCertificate(apdu::ApduChannel& channel, const std::string& pin, X509* certificate) {
    const chip::sam::ChipInfo info = readChipInfo(channel);
    requireChipIdentity(info, certificate);
    chip::PivChip piv = openPiv(channel, pin);
    requireChipKey(piv, certificate);
    const Bytes der = certificateDer(certificate);
    piv.writeCertificate(der);
    if (piv.readCertificate() != der) {
        throw EnrollmentError("the chip does not give back the certificate it was given");
    }
    // The load SAM stays installed: only the TSM activates it, over the management channel
    // (docs/chip.md, "Chip management").
    chip::LoadSam sam(channel);
    if (!sam.select()) {
        throw EnrollmentError("the chip has no load SAM application");
    }
    return info.chipSerial;
}

}  // namespace taplink::enroll
