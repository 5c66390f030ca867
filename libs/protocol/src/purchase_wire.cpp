#include "taplink/protocol/purchase_wire.hpp"

#include <algorithm>

#include "message_fields.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::net::wire {

namespace {

using namespace fields;

constexpr std::uint32_t kMaxPinTries = 255;

// The length of a UTF-8 sequence from its lead byte, 0 for a byte that cannot lead one
// (RFC 3629 section 4: no C0/C1 overlong leads, nothing above U+10FFFF).
std::size_t utf8SequenceSize(unsigned char lead) {
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        return 2;
    }
    if (lead >= 0xE0 && lead <= 0xEF) {
        return 3;
    }
    return lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
}

// One code point from text[at, at + size), nullopt when it is malformed, overlong, a
// surrogate or above U+10FFFF (RFC 3629 section 3).
std::optional<char32_t> decodeUtf8(std::string_view text, std::size_t at, std::size_t size) {
    constexpr char32_t kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (size == 0 || at + size > text.size()) {
        return std::nullopt;
    }
    char32_t point = static_cast<unsigned char>(text[at]) & kLeadMask[size];
    for (std::size_t i = 1; i < size; ++i) {
        const auto next = static_cast<unsigned char>(text[at + i]);
        if ((next & 0xC0) != 0x80) {
            return std::nullopt;
        }
        point = (point << 6) | (next & 0x3F);
    }
    const bool surrogate = point >= 0xD800 && point <= 0xDFFF;
    if (point < kSmallest[size] || surrogate || point > 0x10FFFF) {
        return std::nullopt;
    }
    return point;
}

// C0 controls, DEL and C1 controls (ISO/IEC 6429).
bool isControl(char32_t point) {
    return point < 0x20 || (point >= 0x7F && point <= 0x9F);
}

bool isAuthCode(std::string_view code) {
    return code.size() == kAuthCodeSize && std::all_of(code.begin(), code.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
           });
}

void requirePurchaseResultFields(const PurchaseResult& result) {
    requireResultHead(result, "purchase result");
    requireSize<WireFormatError>(result.terminalId, kTerminalIdSize, "purchase result terminal id");
    requireDateTime(result.date, result.time);
}

std::string readAuthCode(StrictObject& in) {
    std::string code = in.string("authCode");
    if (!isAuthCode(code)) {
        in.failMember("authCode", "must be 6 characters of A-Z and 0-9");
    }
    return code;
}

// Approved answers carry nonce and authCode, "55" pinTriesLeft; nothing else carries them.
void requireDecisionFields(StrictObject& in, const PurchaseAuthorizeResponse& response) {
    const bool approved = response.approved();
    if (approved != response.nonce.has_value() || approved != response.authCode.has_value()) {
        in.fail("carries nonce and authCode exactly when arc is \"3030\" (approved)");
    }
    const bool wrongPin = response.arc == arcBytes(purchase_arc::kIncorrectPin);
    if (wrongPin != response.pinTriesLeft.has_value()) {
        in.fail("carries pinTriesLeft exactly when arc is \"3535\" (incorrect PIN)");
    }
    if (!std::equal(response.arc.begin(), response.arc.end(),
                    response.issuerAuthenticationData.end() - kArcSize)) {
        in.fail("issuerAuthenticationData must end with the arc (ARPC || ARC)");
    }
}

std::string readMerchant(StrictObject& in) {
    std::string merchant = in.string("merchant");
    if (!isValidMerchantName(merchant)) {
        in.failMember("merchant", "must be 1..64 bytes of UTF-8 without control characters");
    }
    return merchant;
}

}  // namespace

bool isValidMerchantName(std::string_view name) {
    if (name.empty() || name.size() > kMaxMerchantNameSize) {
        return false;
    }
    for (std::size_t at = 0; at < name.size();) {
        const std::size_t size = utf8SequenceSize(static_cast<unsigned char>(name[at]));
        const auto point = decodeUtf8(name, at, size);
        if (!point || isControl(*point)) {
            return false;
        }
        at += size;
    }
    return true;
}

Bytes arcBytes(std::string_view code) {
    return Bytes(code.begin(), code.end());
}

// --- The result message

Bytes encodePurchaseResult(const PurchaseResult& result) {
    requirePurchaseResultFields(result);
    ByteWriter out;
    return writeResultHead(out, kPurchaseResultMagic, result)
        .bytes(result.terminalId)
        .bytes(result.date)
        .bytes(result.time)
        .take();
}

PurchaseResult parsePurchaseResult(ByteView message) {
    MessageReader in(message, "purchase result message");
    PurchaseResult result;
    readResultHead(in, kPurchaseResultMagic, result);
    result.terminalId = in.take(kTerminalIdSize, "the terminal id");
    readDateTime(in, result.date, result.time);
    requireEnd(in, "purchase result message");
    return result;
}

// --- The reversal message

Bytes encodePurchaseReversal(const PurchaseReversal& reversal) {
    return encodeReversal(kPurchaseReversalMagic, reversal);
}

PurchaseReversal parsePurchaseReversal(ByteView message) {
    return parseReversal(kPurchaseReversalMagic, message);
}

// --- Bodies

PurchaseAuthorizeRequest PurchaseAuthorizeRequest::fromJson(const Json& json) {
    StrictObject in(json, "purchase authorize request");
    PurchaseAuthorizeRequest request;
    request.sealed = readHexBetween(in, "sealed", kMinSealedSize, kMaxSealedSize);
    request.terminalId = readHexOf(in, "terminalId", kTerminalIdSize);
    in.finish();
    return request;
}

Json toJson(const PurchaseAuthorizeRequest& request) {
    requireBetween(request.sealed, kMinSealedSize, kMaxSealedSize, "sealed purchase");
    requireSize<WireFormatError>(request.terminalId, kTerminalIdSize, "terminal id");
    return Json{{"sealed", toHex(request.sealed)}, {"terminalId", toHex(request.terminalId)}};
}

bool PurchaseAuthorizeResponse::approved() const {
    return arc == arcBytes(purchase_arc::kApproved);
}

PurchaseAuthorizeResponse PurchaseAuthorizeResponse::fromJson(const Json& json) {
    StrictObject in(json, "purchase authorization");
    PurchaseAuthorizeResponse response;
    response.orderId = in.string("orderId");
    requireOrderId(response.orderId);
    response.arc = readHexOf(in, "arc", kArcSize);
    response.issuerAuthenticationData =
        readHexOf(in, "issuerAuthenticationData", kIssuerAuthDataSize);
    if (in.has("nonce")) {
        response.nonce = readHexOf(in, "nonce", kNonceSize);
    }
    if (in.has("authCode")) {
        response.authCode = readAuthCode(in);
    }
    if (in.has("pinTriesLeft")) {
        response.pinTriesLeft =
            static_cast<std::uint32_t>(in.integer("pinTriesLeft", 0, kMaxPinTries));
    }
    requireDecisionFields(in, response);
    in.finish();
    return response;
}

Json toJson(const PurchaseAuthorizeResponse& response) {
    requireSize<WireFormatError>(response.arc, kArcSize, "ARC");
    requireSize<WireFormatError>(response.issuerAuthenticationData, kIssuerAuthDataSize,
                                 "issuer authentication data");
    Json json{{"orderId", response.orderId},
              {"arc", toHex(response.arc)},
              {"issuerAuthenticationData", toHex(response.issuerAuthenticationData)}};
    if (response.nonce) {
        requireSize<WireFormatError>(*response.nonce, kNonceSize, "nonce");
        json["nonce"] = toHex(*response.nonce);
    }
    if (response.authCode) {
        json["authCode"] = *response.authCode;
    }
    if (response.pinTriesLeft) {
        json["pinTriesLeft"] = *response.pinTriesLeft;
    }
    return json;
}

PurchaseReceipt PurchaseReceipt::fromJson(const Json& json) {
    StrictObject in(json, "purchase receipt");
    PurchaseReceipt receipt;
    readReceiptHead(in, receipt);
    receipt.merchant = readMerchant(in);
    receipt.pan = in.string("pan");
    receipt.authCode = readAuthCode(in);
    receipt.decidedAt = in.signedInteger("decidedAt", 0, INT64_MAX);
    in.finish();
    return receipt;
}

Json toJson(const PurchaseReceipt& receipt) {
    return Json{{"receiptId", receipt.receiptId}, {"orderId", receipt.orderId},
                {"status", receipt.status},       {"amount", receipt.amount},
                {"merchant", receipt.merchant},   {"pan", receipt.pan},
                {"authCode", receipt.authCode},   {"decidedAt", receipt.decidedAt}};
}

}  // namespace taplink::net::wire
