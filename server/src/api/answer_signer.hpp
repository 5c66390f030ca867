// The allowance key's signature on the device API's money answers (docs/server.md, "Signed
// answers"; the statement in taplink/protocol/signed_answer.hpp): the load, EC load and
// purchase authorizations and the receipts, so that the device and the audit trail can prove
// who allowed what.
#pragma once

#include <string>

#include "http/http_message.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::server {

class AnswerSigner {
  public:
    // A P-256 private key (loadSigningKey).
    explicit AnswerSigner(crypto::PkeyPtr key);

    // Adds TapLink-Signature and TapLink-Signature-Key to the answer of a request the
    // contract signs (wire::isSignedAnswerRequest), for the device with this chip serial.
    void sign(const http::Request& request, ByteView chipSerial, http::Response& answer) const;
    // The signature the chip's load SAM verifies on a load authorization envelope sealed to
    // the chip with this serial (chip::sam::encodeAllowanceStatement).
    Bytes signForChip(ByteView chipSerial, ByteView envelope) const;

    const std::string& keyId() const { return keyId_; }

  private:
    crypto::PkeyPtr key_;
    std::string keyId_;
};

}  // namespace taplink::server
