// libs/protocol, the wire contract between taplinkd and the server: the signed messages
// (top-up, EC load and purchase results and reversals) and every JSON body of the device
// API, each read by both sides. The input is tried as each message and as each body.
#include <optional>
#include <string>

#include "fuzz_support.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {
namespace {

using fuzz::require;

// A message is one exact layout, so a parsed one encodes back to the very bytes.
template <class Message>
void checkMessage(ByteView bytes, Message (*parse)(ByteView), Bytes (*encode)(const Message&),
                  const char* invariant) {
    std::optional<Message> message;
    try {
        message = parse(bytes);
    } catch (const WireFormatError&) {
        return;
    }
    require(encode(*message) == Bytes(bytes.begin(), bytes.end()), invariant);
}

void checkMessages(ByteView bytes) {
    checkMessage<TopupResult>(bytes, parseResult, encodeResult, "TLR1");
    checkMessage<EcLoadResult>(bytes, parseEcLoadResult, encodeEcLoadResult, "TLE1");
    checkMessage<EcLoadReversal>(bytes, parseEcLoadReversal, encodeEcLoadReversal, "TLX1");
    checkMessage<PurchaseResult>(bytes, parsePurchaseResult, encodePurchaseResult, "TLP1");
    checkMessage<PurchaseReversal>(bytes, parsePurchaseReversal, encodePurchaseReversal, "TLQ1");
}

template <class Body>
std::optional<Body> bodyOf(const Json& json) {
    try {
        return Body::fromJson(json);
    } catch (const WireFormatError&) {
        return std::nullopt;
    }
}

// What one side reads, the other side writes back as text that reads as the same body.
template <class Body>
void checkBody(const Json& json) {
    if (const auto body = bodyOf<Body>(json)) {
        require(Body::fromJson(parseJson(toJson(*body).dump())) == *body, "body round trip");
    }
}

void checkBodies(std::string_view text) {
    Json json;
    try {
        json = parseJson(text);
    } catch (const WireFormatError&) {
        return;
    }
    checkBody<Order>(json);
    checkBody<ScriptEnvelope>(json);
    checkBody<AuthorizeRequest>(json);
    checkBody<AuthorizeResponse>(json);
    checkBody<ResultReport>(json);
    checkBody<Receipt>(json);
    checkBody<Settlement>(json);
    checkBody<ErrorBody>(json);
    checkBody<EcAuthorizeRequest>(json);
    checkBody<EcAuthorizeResponse>(json);
    checkBody<EcReceipt>(json);
    checkBody<PurchaseAuthorizeRequest>(json);
    checkBody<PurchaseAuthorizeResponse>(json);
    checkBody<PurchaseReceipt>(json);
}

void checkNames(std::string_view text) {
    try {
        require(toString(orderStatusFromString(text)) == text, "order status names");
    } catch (const WireFormatError&) {
    }
    isValidOrderId(text);
    isValidMerchantName(text);
}

void checkInput(ByteView bytes, std::string_view text) {
    checkMessages(bytes);
    checkBodies(text);
    checkNames(text);
}

}  // namespace
}  // namespace taplink::net::wire

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::net::wire::checkInput(taplink::fuzz::bytesOf(data, size),
                                   taplink::fuzz::textOf(data, size));
    return 0;
}
