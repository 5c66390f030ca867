#include "taplink/protocol/topup_wire.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "taplink/base/base64.hpp"

namespace taplink::net::wire {

namespace {

// --- Bytes

void requireSize(ByteView field, std::size_t size, std::string_view what) {
    if (field.size() != size) {
        throw WireFormatError(std::string(what) + " must be " + std::to_string(size) +
                              " bytes, got " + std::to_string(field.size()));
    }
}

void appendBigEndian(Bytes& out, std::uint64_t value, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) {
        out.push_back(static_cast<std::uint8_t>((value >> (8U * i)) & 0xFFU));
    }
}

void append(Bytes& out, ByteView field) {
    out.insert(out.end(), field.begin(), field.end());
}

bool isBcd(ByteView digits) {
    return std::all_of(digits.begin(), digits.end(), [](std::uint8_t octet) {
        return (octet >> 4U) <= 9 && (octet & 0x0FU) <= 9;
    });
}

unsigned bcdValue(std::uint8_t octet) {
    return (octet >> 4U) * 10U + (octet & 0x0FU);
}

void requireAlgorithm(std::uint8_t algorithmId, std::string_view what) {
    if (algorithmId != kAlgorithmTripleDes && algorithmId != kAlgorithmSm4) {
        throw WireFormatError(std::string(what) + ": algorithm id must be 1 or 4, got " +
                              std::to_string(algorithmId));
    }
}

// BCD YYYYMMDD with a month 01-12 and a day 01-31.
void requireDate(ByteView date) {
    requireSize(date, kDateSize, "result date");
    if (!isBcd(date) || bcdValue(date[2]) < 1 || bcdValue(date[2]) > 12 || bcdValue(date[3]) < 1 ||
        bcdValue(date[3]) > 31) {
        throw WireFormatError("result date is not BCD YYYYMMDD: " + toHex(date));
    }
}

// BCD hhmmss.
void requireTime(ByteView time) {
    requireSize(time, kTimeSize, "result time");
    if (!isBcd(time) || bcdValue(time[0]) > 23 || bcdValue(time[1]) > 59 ||
        bcdValue(time[2]) > 59) {
        throw WireFormatError("result time is not BCD hhmmss: " + toHex(time));
    }
}

void requireOrderId(std::string_view orderId) {
    if (!isValidOrderId(orderId)) {
        throw WireFormatError("order id must be 1.." + std::to_string(kMaxOrderIdSize) +
                              " characters of A-Z, a-z, 0-9 and '-'");
    }
}

// Reads a message front to back; running past the end is a WireFormatError.
class MessageReader {
  public:
    explicit MessageReader(ByteView bytes) : bytes_(bytes) {}

    ByteView view(std::size_t count, std::string_view what) {
        if (bytes_.size() - offset_ < count) {
            throw WireFormatError("result message ends inside " + std::string(what));
        }
        const ByteView field = bytes_.subspan(offset_, count);
        offset_ += count;
        return field;
    }
    Bytes take(std::size_t count, std::string_view what) {
        const ByteView field = view(count, what);
        return {field.begin(), field.end()};
    }
    std::uint32_t number(std::size_t width, std::string_view what) {
        std::uint32_t value = 0;
        for (const std::uint8_t octet : view(width, what)) {
            value = (value << 8U) | octet;
        }
        return value;
    }
    bool atEnd() const { return offset_ == bytes_.size(); }

  private:
    ByteView bytes_;
    std::size_t offset_ = 0;
};

bool isLowerHex(std::string_view text, std::size_t digits) {
    return text.size() == digits && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

constexpr std::size_t kKeyIdDigits = 64;  // SHA-256

constexpr std::array<std::pair<OrderStatus, std::string_view>, 3> kStatusNames{{
    {OrderStatus::Open, "open"},
    {OrderStatus::Settled, "settled"},
    {OrderStatus::Cancelled, "cancelled"},
}};

}  // namespace

bool isValidOrderId(std::string_view orderId) {
    return !orderId.empty() && orderId.size() <= kMaxOrderIdSize &&
           std::all_of(orderId.begin(), orderId.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-';
           });
}

// --- StrictObject

StrictObject::StrictObject(const Json& json, std::string what)
    : json_(json), what_(std::move(what)) {
    if (!json.is_object()) {
        fail("must be a JSON object");
    }
}

const Json& StrictObject::field(std::string_view name) {
    const auto found = json_.find(std::string(name));
    if (found == json_.end()) {
        fail("lacks \"" + std::string(name) + "\"");
    }
    read_.insert(std::string(name));
    return *found;
}

bool StrictObject::has(std::string_view name) const {
    return json_.contains(std::string(name));
}

std::string StrictObject::string(std::string_view name) {
    const Json& value = field(name);
    if (!value.is_string()) {
        failField(name, "must be a string");
    }
    return value.get<std::string>();
}

void StrictObject::constant(std::string_view name, std::string_view expected) {
    if (string(name) != expected) {
        failField(name, "must be \"" + std::string(expected) + "\"");
    }
}

std::uint64_t StrictObject::unsignedNumber(std::string_view name, std::uint64_t max) {
    const Json& value = field(name);
    const bool isNonNegativeInteger =
        value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
    if (!isNonNegativeInteger || value.get<std::uint64_t>() > max) {
        failField(name, "must be an integer from 0 to " + std::to_string(max));
    }
    return value.get<std::uint64_t>();
}

std::int64_t StrictObject::unixTime(std::string_view name) {
    return static_cast<std::int64_t>(
        unsignedNumber(name, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
}

bool StrictObject::boolean(std::string_view name) {
    const Json& value = field(name);
    if (!value.is_boolean()) {
        failField(name, "must be true or false");
    }
    return value.get<bool>();
}

Bytes StrictObject::hex(std::string_view name, std::size_t size) {
    const std::string text = string(name);
    const bool digitsOnly = std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    if (!digitsOnly || text.size() != 2 * size) {
        failField(name, "must be " + std::to_string(2 * size) + " hex digits");
    }
    return fromHex(text);
}

Bytes StrictObject::base64(std::string_view name) {
    constexpr std::size_t kMaxBase64 = std::size_t{16} * 1024 * 1024;
    const std::string text = string(name);
    if (text.size() > kMaxBase64) {
        failField(name, "is longer than 16 MiB");
    }
    auto bytes = base64Decode(text);
    if (!bytes) {
        failField(name, "is not canonical base64");
    }
    return std::move(*bytes);
}

StrictObject StrictObject::object(std::string_view name) {
    return StrictObject(field(name), what_ + "." + std::string(name));
}

void StrictObject::finish() const {
    for (const auto& item : json_.items()) {
        if (read_.count(item.key()) == 0) {
            fail("has an unknown field \"" + item.key() + "\"");
        }
    }
}

void StrictObject::fail(const std::string& why) const {
    throw WireFormatError(what_ + " " + why);
}

void StrictObject::failField(std::string_view name, const std::string& why) const {
    throw WireFormatError(what_ + "." + std::string(name) + " " + why);
}

// --- Result message

Bytes encodeResult(const TopupResult& result) {
    requireOrderId(result.orderId);
    requireAlgorithm(result.algorithmId, "result");
    requireSize(result.cardSerial, kCardSerialSize, "result card serial");
    requireSize(result.terminalId, kTerminalIdSize, "result terminal id");
    requireDate(result.date);
    requireTime(result.time);
    requireSize(result.tac, kTacSize, "result TAC");
    requireSize(result.nonce, kNonceSize, "result nonce");
    Bytes out(kResultMagic.begin(), kResultMagic.end());
    out.push_back(static_cast<std::uint8_t>(result.orderId.size()));
    out.insert(out.end(), result.orderId.begin(), result.orderId.end());
    out.push_back(result.algorithmId);
    append(out, result.cardSerial);
    appendBigEndian(out, result.balanceBefore, 4);
    appendBigEndian(out, result.amount, 4);
    appendBigEndian(out, result.balanceAfter, 4);
    appendBigEndian(out, result.onlineAtc, 2);
    append(out, result.terminalId);
    append(out, result.date);
    append(out, result.time);
    append(out, result.tac);
    append(out, result.nonce);
    return out;
}

TopupResult parseResult(ByteView message) {
    MessageReader in(message);
    const ByteView magic = in.view(kResultMagic.size(), "the magic");
    if (!std::equal(magic.begin(), magic.end(), kResultMagic.begin())) {
        throw WireFormatError("result message does not start with \"TLR1\"");
    }
    TopupResult result;
    const std::size_t orderIdSize = in.number(1, "the order id length");
    const ByteView orderId = in.view(orderIdSize, "the order id");
    result.orderId.assign(orderId.begin(), orderId.end());
    requireOrderId(result.orderId);
    result.algorithmId = static_cast<std::uint8_t>(in.number(1, "the algorithm id"));
    requireAlgorithm(result.algorithmId, "result");
    result.cardSerial = in.take(kCardSerialSize, "the card serial");
    result.balanceBefore = in.number(4, "the balance before");
    result.amount = in.number(4, "the amount");
    result.balanceAfter = in.number(4, "the balance after");
    result.onlineAtc = static_cast<std::uint16_t>(in.number(2, "the online ATC"));
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

std::string maskedCardSerial(ByteView cardSerial) {
    const std::string digits = toHex(cardSerial);
    constexpr std::size_t kShown = 4;
    return "\u2026" + (digits.size() > kShown ? digits.substr(digits.size() - kShown) : digits);
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
    order.amount = static_cast<std::uint32_t>(in.unsignedNumber("amount", 0xFFFFFFFFU));
    in.constant("currency", "CNY");
    order.scheme = in.string("scheme");
    order.status = orderStatusFromString(in.string("status"));
    in.finish();
    return order;
}

Json toJson(const Order& order) {
    return Json{{"orderId", order.orderId},
                {"amount", order.amount},
                {"currency", order.currency},
                {"scheme", order.scheme},
                {"status", toString(order.status)}};
}

ScriptEnvelope ScriptEnvelope::fromJson(const Json& json) {
    StrictObject in(json, "script envelope");
    ScriptEnvelope envelope;
    envelope.scheme = in.string("scheme");
    envelope.id = in.string("id");
    envelope.version = static_cast<std::uint32_t>(in.unsignedNumber("version", 0xFFFFFFFFU));
    envelope.script = in.base64("script");
    envelope.signature = in.base64("signature");
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
    request.issuerId = in.hex("issuerId", kIssuerIdSize);
    request.cardSerial = in.hex("cardSerial", kCardSerialSize);
    request.balance = static_cast<std::uint32_t>(in.unsignedNumber("balance", 0xFFFFFFFFU));
    request.onlineAtc = static_cast<std::uint16_t>(in.unsignedNumber("onlineAtc", 0xFFFFU));
    request.algorithmId = static_cast<std::uint8_t>(in.unsignedNumber("algorithmId", 0xFFU));
    requireAlgorithm(request.algorithmId, "authorize request");
    request.keyVersion = static_cast<std::uint8_t>(in.unsignedNumber("keyVersion", 0xFFU));
    request.terminalId = in.hex("terminalId", kTerminalIdSize);
    in.finish();
    return request;
}

Json toJson(const AuthorizeRequest& request) {
    requireSize(request.issuerId, kIssuerIdSize, "issuer id");
    requireSize(request.cardSerial, kCardSerialSize, "card serial");
    requireSize(request.terminalId, kTerminalIdSize, "terminal id");
    return Json{{"issuerId", toHex(request.issuerId)},
                {"cardSerial", toHex(request.cardSerial)},
                {"balance", request.balance},
                {"onlineAtc", request.onlineAtc},
                {"algorithmId", request.algorithmId},
                {"keyVersion", request.keyVersion},
                {"terminalId", toHex(request.terminalId)}};
}

AuthorizeResponse AuthorizeResponse::fromJson(const Json& json) {
    StrictObject in(json, "authorization");
    AuthorizeResponse response;
    response.orderId = in.string("orderId");
    requireOrderId(response.orderId);
    response.nonce = in.hex("nonce", kNonceSize);
    response.expiresAt = in.unixTime("expiresAt");
    StrictObject script = in.object("dataScript");
    script.constant("format", kDataScriptFormat);
    script.constant("kind", "data");
    script.constant("target", "chip");
    response.scheme = script.string("scheme");
    StrictObject items = script.object("items");
    response.loadAuthorization = items.hex("loadAuthorization", kLoadAuthorizationEnvelopeSize);
    items.finish();
    script.finish();
    in.finish();
    return response;
}

Json toJson(const AuthorizeResponse& response) {
    requireSize(response.nonce, kNonceSize, "nonce");
    requireSize(response.loadAuthorization, kLoadAuthorizationEnvelopeSize,
                "load authorization envelope");
    return Json{{"orderId", response.orderId},
                {"nonce", toHex(response.nonce)},
                {"expiresAt", response.expiresAt},
                {"dataScript",
                 {{"format", kDataScriptFormat},
                  {"kind", "data"},
                  {"target", "chip"},
                  {"scheme", response.scheme},
                  {"items", {{"loadAuthorization", toHex(response.loadAuthorization)}}}}}};
}

ResultReport ResultReport::fromJson(const Json& json) {
    StrictObject in(json, "result report");
    ResultReport report;
    report.result = in.base64("result");
    report.signature = in.base64("signature");
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
    receipt.amount = static_cast<std::uint32_t>(in.unsignedNumber("amount", 0xFFFFFFFFU));
    receipt.cardSerial = in.string("cardSerial");
    receipt.balanceAfter =
        static_cast<std::uint32_t>(in.unsignedNumber("balanceAfter", 0xFFFFFFFFU));
    receipt.tac = in.hex("tac", kTacSize);
    receipt.settledAt = in.unixTime("settledAt");
    in.finish();
    return receipt;
}

Json toJson(const Receipt& receipt) {
    requireSize(receipt.tac, kTacSize, "receipt TAC");
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
    in.constant("status", toString(OrderStatus::Settled));
    settlement.settledAt = in.unixTime("settledAt");
    settlement.receipt = Receipt::fromJson(in.field("receipt"));
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
        body.receipt = Receipt::fromJson(in.field("receipt"));
    }
    if (in.has("sameResult")) {
        body.sameResult = in.boolean("sameResult");
    }
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
