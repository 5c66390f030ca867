#include "taplink/protocol/topup_wire.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "bcd_fields.hpp"
#include "message_fields.hpp"
#include "taplink/base/base64.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::net::wire {

namespace {

// --- Bytes

// The one mapping of algorithm ids to suites is crypto::epurse's (00, 01, 04).
void requireAlgorithm(std::uint8_t algorithmId, std::string_view what) {
    try {
        crypto::epurse::suiteFromAlgorithmId(algorithmId);
    } catch (const crypto::CryptoError&) {
        throw WireFormatError(std::string(what) + ": algorithm id must be 0, 1 or 4, got " +
                              std::to_string(algorithmId));
    }
}

// TLR1's date and time (docs/server.md): BCD YYYYMMDD and hhmmss.
void requireDate(ByteView date) {
    requireBcdDate(date, kDateSize, "result date");
}

void requireTime(ByteView time) {
    requireBcdTime(time, "result time");
}

void requireOrderId(std::string_view orderId) {
    if (!isValidOrderId(orderId)) {
        throw WireFormatError("order id must be 1.." + std::to_string(kMaxOrderIdSize) +
                              " characters of A-Z, a-z, 0-9 and '-'");
    }
}

bool isLowerHex(std::string_view text, std::size_t digits) {
    return text.size() == digits && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

constexpr std::size_t kKeyIdDigits = 64;  // SHA-256

// --- Members of the contract's own kinds

// A string that must be exactly expected.
void readConstant(StrictObject& in, std::string_view name, std::string_view expected) {
    if (in.string(name) != expected) {
        in.failMember(name, "must be \"" + std::string(expected) + "\"");
    }
}

std::int64_t readUnixTime(StrictObject& in, std::string_view name) {
    return static_cast<std::int64_t>(
        in.integer(name, 0, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

// Exactly 2 * size hex digits, either case.
Bytes readHex(StrictObject& in, std::string_view name, std::size_t size) {
    const std::string text = in.string(name);
    const bool digitsOnly = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    if (!digitsOnly || text.size() != 2 * size) {
        in.failMember(name, "must be " + std::to_string(2 * size) + " hex digits");
    }
    return fromHex(text);
}

Bytes readBase64(StrictObject& in, std::string_view name) {
    constexpr std::size_t kMaxBase64 = std::size_t{16} * 1024 * 1024;
    const std::string text = in.string(name);
    if (text.size() > kMaxBase64) {
        in.failMember(name, "is longer than 16 MiB");
    }
    auto bytes = base64Decode(text);
    if (!bytes) {
        in.failMember(name, "is not canonical base64");
    }
    return std::move(*bytes);
}

// A bank-purchase order names its merchant, and only such an order does; only such an order
// may carry the parameters version.
void requirePurchaseFieldsOf(const Order& order) {
    const bool purchase = order.scheme == kBankPurchaseScheme;
    if (purchase != order.merchant.has_value()) {
        throw WireFormatError(purchase ? "order.merchant is required for a bank-purchase order"
                                       : "order.merchant is only for a bank-purchase order");
    }
    if (order.merchant && !isValidMerchantName(*order.merchant)) {
        throw WireFormatError(
            "order.merchant must be 1..64 bytes of UTF-8 without control characters");
    }
    if (order.paramsVersion && !purchase) {
        throw WireFormatError("order.paramsVersion is only for a bank-purchase order");
    }
    if (order.paramsVersion == 0U) {  // a chip's first parameter set is version 1
        throw WireFormatError("order.paramsVersion must be at least 1");
    }
}

constexpr std::array<std::pair<OrderStatus, std::string_view>, 4> kStatusNames{{
    {OrderStatus::Open, "open"},
    {OrderStatus::Settled, "settled"},
    {OrderStatus::Cancelled, "cancelled"},
    {OrderStatus::Reversed, "reversed"},
}};

}  // namespace

bool isValidOrderId(std::string_view orderId) {
    return !orderId.empty() && orderId.size() <= kMaxOrderIdSize &&
           std::all_of(orderId.begin(), orderId.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-';
           });
}

// --- Result message

Bytes encodeResult(const TopupResult& result) {
    requireOrderId(result.orderId);
    requireAlgorithm(result.algorithmId, "result");
    requireSize<WireFormatError>(result.cardSerial, kCardSerialSize, "result card serial");
    requireSize<WireFormatError>(result.terminalId, kTerminalIdSize, "result terminal id");
    requireDate(result.date);
    requireTime(result.time);
    requireSize<WireFormatError>(result.tac, kTacSize, "result TAC");
    requireSize<WireFormatError>(result.nonce, kNonceSize, "result nonce");
    return ByteWriter()
        .ascii(kResultMagic)
        .u8(static_cast<std::uint8_t>(result.orderId.size()))
        .ascii(result.orderId)
        .u8(result.algorithmId)
        .bytes(result.cardSerial)
        .u32(result.balanceBefore)
        .u32(result.amount)
        .u32(result.balanceAfter)
        .u16(result.onlineAtc)
        .bytes(result.terminalId)
        .bytes(result.date)
        .bytes(result.time)
        .bytes(result.tac)
        .bytes(result.nonce)
        .take();
}

TopupResult parseResult(ByteView message) {
    ByteReader<WireFormatError> in(message, "result message");
    const ByteView magic = in.view(kResultMagic.size(), "the magic");
    if (!std::equal(magic.begin(), magic.end(), kResultMagic.begin())) {
        throw WireFormatError("result message does not start with \"TLR1\"");
    }
    TopupResult result;
    const std::size_t orderIdSize = in.u8("the order id length");
    const ByteView orderId = in.view(orderIdSize, "the order id");
    result.orderId.assign(orderId.begin(), orderId.end());
    requireOrderId(result.orderId);
    result.algorithmId = in.u8("the algorithm id");
    requireAlgorithm(result.algorithmId, "result");
    result.cardSerial = in.take(kCardSerialSize, "the card serial");
    result.balanceBefore = in.u32("the balance before");
    result.amount = in.u32("the amount");
    result.balanceAfter = in.u32("the balance after");
    result.onlineAtc = in.u16("the online ATC");
    result.terminalId = in.take(kTerminalIdSize, "the terminal id");
    result.date = in.take(kDateSize, "the date");
    requireDate(result.date);
    result.time = in.take(kTimeSize, "the time");
    requireTime(result.time);
    result.tac = in.take(kTacSize, "the TAC");
    result.nonce = in.take(kNonceSize, "the nonce");
    if (!in.atEnd()) {
        throw WireFormatError("result message has bytes after the nonce");
    }
    return result;
}

// --- Encodings

Json parseJson(std::string_view text) {
    Json json = Json::parse(text, nullptr, false);
    if (json.is_discarded()) {
        throw WireFormatError("body is not JSON");
    }
    return json;
}

std::string_view toString(OrderStatus status) {
    for (const auto& [value, name] : kStatusNames) {
        if (value == status) {
            return name;
        }
    }
    return "unknown";
}

OrderStatus orderStatusFromString(std::string_view name) {
    for (const auto& [value, known] : kStatusNames) {
        if (known == name) {
            return value;
        }
    }
    throw WireFormatError("unknown order status \"" + std::string(name) + "\"");
}

// --- Bodies

Order Order::fromJson(const Json& json) {
    StrictObject in(json, "order");
    Order order;
    order.orderId = in.string("orderId");
    requireOrderId(order.orderId);
    order.amount = static_cast<std::uint32_t>(in.integer("amount", 0, 0xFFFFFFFFU));
    readConstant(in, "currency", "CNY");
    order.scheme = in.string("scheme");
    order.status = orderStatusFromString(in.string("status"));
    order.merchant = in.optionalString("merchant");
    if (const auto version = in.optionalInteger("paramsVersion", 1, 0xFFFFFFFFU)) {
        order.paramsVersion = static_cast<std::uint32_t>(*version);
    }
    requirePurchaseFieldsOf(order);
    in.finish();
    return order;
}

Json toJson(const Order& order) {
    requirePurchaseFieldsOf(order);
    Json json{{"orderId", order.orderId},
              {"amount", order.amount},
              {"currency", order.currency},
              {"scheme", order.scheme},
              {"status", toString(order.status)}};
    if (order.merchant) {
        json["merchant"] = *order.merchant;
    }
    if (order.paramsVersion) {
        json["paramsVersion"] = *order.paramsVersion;
    }
    return json;
}

ScriptEnvelope ScriptEnvelope::fromJson(const Json& json) {
    StrictObject in(json, "script envelope");
    ScriptEnvelope envelope;
    envelope.scheme = in.string("scheme");
    envelope.id = in.string("id");
    envelope.version = static_cast<std::uint32_t>(in.integer("version", 0, 0xFFFFFFFFU));
    envelope.script = readBase64(in, "script");
    envelope.signature = readBase64(in, "signature");
    envelope.keyId = in.string("keyId");
    if (!isLowerHex(envelope.keyId, kKeyIdDigits)) {
        throw WireFormatError("script envelope.keyId must be 64 lower-case hex digits");
    }
    in.finish();
    return envelope;
}

Json toJson(const ScriptEnvelope& envelope) {
    return Json{{"scheme", envelope.scheme},
                {"id", envelope.id},
                {"version", envelope.version},
                {"script", base64Encode(envelope.script)},
                {"signature", base64Encode(envelope.signature)},
                {"keyId", envelope.keyId}};
}

AuthorizeRequest AuthorizeRequest::fromJson(const Json& json) {
    StrictObject in(json, "authorize request");
    AuthorizeRequest request;
    request.issuerId = readHex(in, "issuerId", kIssuerIdSize);
    request.cardSerial = readHex(in, "cardSerial", kCardSerialSize);
    request.balance = static_cast<std::uint32_t>(in.integer("balance", 0, 0xFFFFFFFFU));
    request.onlineAtc = static_cast<std::uint16_t>(in.integer("onlineAtc", 0, 0xFFFFU));
    request.algorithmId = static_cast<std::uint8_t>(in.integer("algorithmId", 0, 0xFFU));
    requireAlgorithm(request.algorithmId, "authorize request");
    request.keyVersion = static_cast<std::uint8_t>(in.integer("keyVersion", 0, 0xFFU));
    request.terminalId = readHex(in, "terminalId", kTerminalIdSize);
    request.random = readHex(in, "random", kCardRandomSize);
    request.mac1 = readHex(in, "mac1", kMacSize);
    in.finish();
    return request;
}

Json toJson(const AuthorizeRequest& request) {
    requireSize<WireFormatError>(request.issuerId, kIssuerIdSize, "issuer id");
    requireSize<WireFormatError>(request.cardSerial, kCardSerialSize, "card serial");
    requireSize<WireFormatError>(request.terminalId, kTerminalIdSize, "terminal id");
    requireSize<WireFormatError>(request.random, kCardRandomSize, "card random");
    requireSize<WireFormatError>(request.mac1, kMacSize, "MAC1");
    return Json{{"issuerId", toHex(request.issuerId)},
                {"cardSerial", toHex(request.cardSerial)},
                {"balance", request.balance},
                {"onlineAtc", request.onlineAtc},
                {"algorithmId", request.algorithmId},
                {"keyVersion", request.keyVersion},
                {"terminalId", toHex(request.terminalId)},
                {"random", toHex(request.random)},
                {"mac1", toHex(request.mac1)}};
}

AuthorizeResponse AuthorizeResponse::fromJson(const Json& json) {
    StrictObject in(json, "authorization");
    AuthorizeResponse response;
    response.orderId = in.string("orderId");
    requireOrderId(response.orderId);
    response.nonce = readHex(in, "nonce", kNonceSize);
    response.expiresAt = readUnixTime(in, "expiresAt");
    StrictObject script = in.object("dataScript");
    readConstant(script, "format", kDataScriptFormat);
    readConstant(script, "kind", "data");
    readConstant(script, "target", "chip");
    response.scheme = script.string("scheme");
    StrictObject items = script.object("items");
    response.loadAuthorization =
        readHex(items, "loadAuthorization", kLoadAuthorizationEnvelopeSize);
    response.allowanceSignature =
        fields::readHexBetween(items, "allowanceSignature", chip::sam::kMinAllowanceSignatureSize,
                               chip::sam::kMaxAllowanceSignatureSize);
    items.finish();
    script.finish();
    in.finish();
    return response;
}

Json toJson(const AuthorizeResponse& response) {
    requireSize<WireFormatError>(response.nonce, kNonceSize, "nonce");
    requireSize<WireFormatError>(response.loadAuthorization, kLoadAuthorizationEnvelopeSize,
                                 "load authorization envelope");
    fields::requireBetween(response.allowanceSignature, chip::sam::kMinAllowanceSignatureSize,
                           chip::sam::kMaxAllowanceSignatureSize, "allowance signature");
    return Json{{"orderId", response.orderId},
                {"nonce", toHex(response.nonce)},
                {"expiresAt", response.expiresAt},
                {"dataScript",
                 {{"format", kDataScriptFormat},
                  {"kind", "data"},
                  {"target", "chip"},
                  {"scheme", response.scheme},
                  {"items",
                   {{"loadAuthorization", toHex(response.loadAuthorization)},
                    {"allowanceSignature", toHex(response.allowanceSignature)}}}}}};
}

ResultReport ResultReport::fromJson(const Json& json) {
    StrictObject in(json, "result report");
    ResultReport report;
    report.result = readBase64(in, "result");
    report.signature = readBase64(in, "signature");
    in.finish();
    return report;
}

Json toJson(const ResultReport& report) {
    return Json{{"result", base64Encode(report.result)},
                {"signature", base64Encode(report.signature)}};
}

Receipt Receipt::fromJson(const Json& json) {
    StrictObject in(json, "receipt");
    Receipt receipt;
    receipt.receiptId = in.string("receiptId");
    receipt.orderId = in.string("orderId");
    requireOrderId(receipt.orderId);
    receipt.amount = static_cast<std::uint32_t>(in.integer("amount", 0, 0xFFFFFFFFU));
    receipt.cardSerial = in.string("cardSerial");
    receipt.balanceAfter = static_cast<std::uint32_t>(in.integer("balanceAfter", 0, 0xFFFFFFFFU));
    receipt.tac = readHex(in, "tac", kTacSize);
    receipt.settledAt = readUnixTime(in, "settledAt");
    in.finish();
    return receipt;
}

Json toJson(const Receipt& receipt) {
    requireSize<WireFormatError>(receipt.tac, kTacSize, "receipt TAC");
    return Json{{"receiptId", receipt.receiptId},
                {"orderId", receipt.orderId},
                {"amount", receipt.amount},
                {"cardSerial", receipt.cardSerial},
                {"balanceAfter", receipt.balanceAfter},
                {"tac", toHex(receipt.tac)},
                {"settledAt", receipt.settledAt}};
}

Settlement Settlement::fromJson(const Json& json) {
    StrictObject in(json, "settlement");
    Settlement settlement;
    settlement.orderId = in.string("orderId");
    requireOrderId(settlement.orderId);
    readConstant(in, "status", toString(OrderStatus::Settled));
    settlement.settledAt = readUnixTime(in, "settledAt");
    settlement.receipt = Receipt::fromJson(in.required("receipt"));
    in.finish();
    return settlement;
}

Json toJson(const Settlement& settlement) {
    return Json{{"orderId", settlement.orderId},
                {"status", toString(OrderStatus::Settled)},
                {"settledAt", settlement.settledAt},
                {"receipt", toJson(settlement.receipt)}};
}

ErrorBody ErrorBody::fromJson(const Json& json) {
    StrictObject in(json, "error body");
    ErrorBody body;
    StrictObject error = in.object("error");
    body.code = error.string("code");
    body.message = error.string("message");
    error.finish();
    if (in.has("receipt")) {
        body.receipt = Receipt::fromJson(in.required("receipt"));
    }
    body.sameResult = in.optionalBoolean("sameResult");
    in.finish();
    return body;
}

Json toJson(const ErrorBody& error) {
    Json json{{"error", {{"code", error.code}, {"message", error.message}}}};
    if (error.receipt) {
        json["receipt"] = toJson(*error.receipt);
    }
    if (error.sameResult) {
        json["sameResult"] = *error.sameResult;
    }
    return json;
}

}  // namespace taplink::net::wire
