#include "taplink/protocol/signed_answer.hpp"

#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {

namespace {

constexpr std::size_t kMaxRequestLineSize = 255;

constexpr std::size_t kDigestSize = 32;  // SHA-256

}  // namespace

Bytes bodyDigest(std::string_view body) {
    return crypto::sha256(Bytes(body.begin(), body.end()));
}

bool isSignedAnswerRequest(std::string_view method, std::string_view path) {
    return method == "POST" && path.rfind("/v1/orders/", 0) == 0 &&
           method.size() + 1 + path.size() <= kMaxRequestLineSize;
}

Bytes encodeAnswerStatement(const AnswerStatement& statement) {
    const std::string requestLine = statement.method + " " + statement.path;
    if (statement.status < 100 || statement.status > 599) {
        throw WireFormatError("answer statement: status " + std::to_string(statement.status) +
                              " is not an HTTP status");
    }
    if (requestLine.size() > kMaxRequestLineSize) {
        throw WireFormatError("answer statement: the request line is longer than 255 bytes");
    }
    if (statement.chipSerial.empty() ||
        statement.chipSerial.size() > chip::sam::kMaxChipSerialSize) {
        throw WireFormatError("answer statement: the chip serial must be 1..32 bytes");
    }
    if (statement.requestDigest.size() != kDigestSize) {
        throw WireFormatError("answer statement: the request digest must be 32 bytes");
    }
    return ByteWriter()
        .ascii(kAnswerStatementMagic)
        .u16(static_cast<std::uint16_t>(statement.status))
        .u8(static_cast<std::uint8_t>(requestLine.size()))
        .ascii(requestLine)
        .u8(static_cast<std::uint8_t>(statement.chipSerial.size()))
        .bytes(statement.chipSerial)
        .bytes(statement.requestDigest)
        .bytes(bodyDigest(statement.answerBody))
        .take();
}

}  // namespace taplink::net::wire
