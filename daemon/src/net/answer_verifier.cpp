#include "net/answer_verifier.hpp"

#include <optional>
#include <utility>

#include "taplink/base/base64.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/protocol/signed_answer.hpp"

namespace taplink::net {

namespace {

namespace wire = net::wire;

constexpr std::string_view kPost = "POST";

[[noreturn]] void refuse(const std::string& what, const std::string& why) {
    throw NetError(NetErrorKind::AnswerNotSigned,
                   what + ": the server's answer cannot be believed: " + why);
}

}  // namespace

AnswerVerifier::AnswerVerifier(std::vector<AnswerKey> keys, Bytes chipSerial, KeepProof keep)
    : keys_(std::move(keys)), chipSerial_(std::move(chipSerial)), keep_(std::move(keep)) {
    if (keys_.empty() || chipSerial_.empty()) {
        throw NetError(NetErrorKind::Configuration,
                       "no pinned allowance key or no chip serial to check the server's answers");
    }
}

const AnswerKey& AnswerVerifier::pinnedKey(const std::string& keyId,
                                           const std::string& what) const {
    for (const AnswerKey& key : keys_) {
        if (key.keyId == keyId) {
            return key;
        }
    }
    refuse(what, "it is signed by key " + keyId + ", which is not pinned");
}

void AnswerVerifier::verify(const std::string& orderId, const std::string& path,
                            const std::string& requestBody, const HttpResponse& answer) const {
    const std::string what = "POST " + path;
    const auto signature = answer.header(wire::kAnswerSignatureHeader);
    const auto keyId = answer.header(wire::kAnswerKeyIdHeader);
    if (!signature || !keyId) {
        refuse(what, "it is not signed");
    }
    const AnswerKey& key = pinnedKey(*keyId, what);
    const std::optional<Bytes> der = base64Decode(*signature);
    if (!der) {
        refuse(what, "its signature is not base64");
    }
    wire::SignedAnswer signedAnswer{
        orderId,
        wire::AnswerStatement{static_cast<int>(answer.status), std::string(kPost), path,
                              chipSerial_, wire::bodyDigest(requestBody), answer.body},
        key.keyId, *der};
    const Bytes statement = wire::encodeAnswerStatement(signedAnswer.statement);
    if (!crypto::verifySha256Signature(key.key.get(), statement, signedAnswer.signature)) {
        refuse(what, "its signature does not verify");
    }
    keep_(signedAnswer);
}

}  // namespace taplink::net
