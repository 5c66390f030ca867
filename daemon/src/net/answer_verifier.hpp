// taplinkd's check of the server's signature on its money answers (docs/server.md, "Signed
// answers"; the statement in taplink/protocol/signed_answer.hpp) and the proof it keeps: the
// load, EC load and purchase authorizations and the receipts are acted on only once they
// verify with a pinned allowance key, and each is handed to the journal first.
#pragma once

#include <openssl/evp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/https_client.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/protocol/signed_answer.hpp"

namespace taplink::net {

// A pinned allowance key (server.allowanceKeys) and its key id: lower-case hex SHA-256 of its
// DER SubjectPublicKeyInfo.
struct AnswerKey {
    std::string keyId;
    std::shared_ptr<EVP_PKEY> key;
};

// Keeps a verified answer before it is acted on (the journal); a throw stops the call.
using KeepProof = std::function<void(const wire::SignedAnswer&)>;

class AnswerVerifier {
  public:
    // chipSerial: this device's, as its certificate names it. keys: at least one.
    AnswerVerifier(std::vector<AnswerKey> keys, Bytes chipSerial, KeepProof keep);

    // NetError(AnswerNotSigned) unless the answer carries both header fields, names a pinned
    // key, and the signature verifies over the statement of this request and answer; then
    // it is kept.
    void verify(const std::string& orderId, const std::string& path, const std::string& requestBody,
                const HttpResponse& answer) const;

  private:
    const AnswerKey& pinnedKey(const std::string& keyId, const std::string& what) const;

    std::vector<AnswerKey> keys_;
    Bytes chipSerial_;
    KeepProof keep_;
};

}  // namespace taplink::net
