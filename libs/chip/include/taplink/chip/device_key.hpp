// The device key in the secure chip as an OpenSSL key, and the CSR that enrolls it.
//
// PivDigestSigner is the crypto::DigestSigner of the chip's PIV slot 9A: with
// crypto::makeSignerKey it gives an EVP_PKEY that libssl and X509_REQ_sign_ctx use while
// every signature is made inside the chip (see docs/pki.md).
#pragma once

#include <openssl/evp.h>

#include <string>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/chip/piv_chip.hpp"
#include "taplink/crypto/signer_key.hpp"

namespace taplink::chip {

// Signs with PivChip::signDigest. Selects the PIV application when it is not selected (first
// use, a card reset, another application selected in between) and, when the chip asks for
// the PIN, verifies it and retries once. WrongPinError and PinBlockedError propagate as they
// are (the PIN is not tried again: a wrong PIN must not burn the retry counter); other
// refusals are PivError, transport failures whatever the channel throws.
//
// Not thread-safe, and the channel is used for several APDUs per signature: callers
// serialize access to the channel for the whole signDigest call (the daemon gives it a
// locking channel shared with the load SAM driver).
class PivDigestSigner : public crypto::DigestSigner {
  public:
    PivDigestSigner(apdu::ApduChannel& channel, std::string pin);

    Bytes signDigest(ByteView digest) override;

  private:
    void selectPiv(PivChip& piv);
    Bytes signWithPin(PivChip& piv, ByteView digest);

    apdu::ApduChannel& channel_;
    std::string pin_;
    bool selected_ = false;
};

// A DER PKCS#10 CSR for the chip key (docs/pki.md, "Device certificate"): subject
// O=TapLink, CN=TapLink device <CHIPSERIAL>, serialNumber=<CHIPSERIAL> (upper-case hex), the
// TapLink load SAM key extension (non-critical, the SubjectPublicKeyInfo of the
// samPublicKeyPoint), signed by chipKey with ECDSA-SHA256. std::invalid_argument for an
// empty chip serial or a SAM key that is not a P-256 point; crypto::CryptoError when OpenSSL
// (or the chip, through the signer key) fails.
Bytes makeDeviceCsr(EVP_PKEY* chipKey, ByteView chipSerial, ByteView samPublicKeyPoint);

}  // namespace taplink::chip
