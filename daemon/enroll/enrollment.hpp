// Device enrollment over the secure chip (docs/pki.md "Enrollment"): a key generated inside
// the chip and a CSR signed by it; later the device CA's certificate for that key written
// back into the chip. The steps of taplink-enroll, over any ApduChannel so that tests run
// them against the simulated chip in process.
#pragma once

#include <openssl/x509.h>

#include <stdexcept>
#include <string>

#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::enroll {

// The chip or the certificate is not what enrollment needs: no PIV or load SAM application,
// a certificate for another key, another chip or another load SAM key.
class EnrollmentError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DeviceCsr {
    Bytes chipSerial;  // from the load SAM's GET CHIP INFO
    Bytes der;         // PKCS#10, signed by the new chip key
};

// Verifies the PIN, generates a new slot 9A key in the chip (the old key and its certificate
// are gone from then on) and returns the CSR for it with the load SAM key extension.
// chip::WrongPinError / PinBlockedError for a refused PIN, EnrollmentError, chip::PivError,
// chip::LoadSamError, crypto::CryptoError, or what the channel throws.
DeviceCsr makeCsr(apdu::ApduChannel& channel, const std::string& pin);

// Checks that the certificate is for this chip — its key signs a fresh random digest that
// the certificate's key verifies, its SAM key extension is the chip's load SAM key and its
// serialNumber the chip serial — then writes it into slot 9A (PUT DATA) and reads it back,
// and moves the load SAM from installed to operational (the end of personalisation; a chip
// already operational stays so). Returns the chip serial. EnrollmentError when the certificate does
// not belong to the chip (nothing is written), the PIN errors of makeCsr,
// chip::DeviceCertificateError for a certificate without the TapLink fields.
Bytes installCertificate(apdu::ApduChannel& channel, const std::string& pin, X509* certificate);

}  // namespace taplink::enroll
