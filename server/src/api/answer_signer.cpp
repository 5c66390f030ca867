#include "api/answer_signer.hpp"

#include <utility>

#include "api/script_catalogue.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/signatures.hpp"
#include "taplink/protocol/signed_answer.hpp"

namespace taplink::server {

namespace wire = net::wire;

AnswerSigner::AnswerSigner(crypto::PkeyPtr key)
    : key_(std::move(key)), keyId_(keyIdOf(key_.get())) {}

void AnswerSigner::sign(const http::Request& request, ByteView chipSerial,
                        http::Response& answer) const {
    if (!wire::isSignedAnswerRequest(request.method, request.path)) {
        return;
    }
    const Bytes statement = wire::encodeAnswerStatement(wire::AnswerStatement{
        answer.status, request.method, request.path, Bytes(chipSerial.begin(), chipSerial.end()),
        wire::bodyDigest(request.body), answer.body});
    answer.headers.emplace_back(
        wire::kAnswerSignatureHeader,
        base64Encode(crypto::signSha256(key_.get(), statement, "answer signature")));
    answer.headers.emplace_back(wire::kAnswerKeyIdHeader, keyId_);
}

Bytes AnswerSigner::signForChip(ByteView chipSerial, ByteView envelope) const {
    return crypto::signSha256(key_.get(), chip::sam::encodeAllowanceStatement(chipSerial, envelope),
                              "allowance signature");
}

}  // namespace taplink::server
