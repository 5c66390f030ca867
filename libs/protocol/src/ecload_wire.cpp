#include "taplink/protocol/ecload_wire.hpp"

#include <algorithm>

#include "bcd_fields.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::net::wire {

namespace {

constexpr std::size_t kMinAidSize = 5;  // ISO/IEC 7816-5: RID 5 || PIX 0..11
constexpr std::size_t kMaxAidSize = 16;
constexpr std::size_t kMinPanDigits = 12;  // 5A: n var. up to 19 (EMV Book 3 annex A, ISO/IEC 7812)
constexpr std::size_t kMaxPanDigits = 19;

// 9A and 9F21 (EMV Book 3 annex A): BCD YYMMDD and hhmmss.
void requireEcDate(ByteView date) {
    requireBcdDate(date, kEcDateSize, "EC date");
}

void requireEcTime(ByteView time) {
    requireBcdTime(time, "EC time");
}

void requireBetween(ByteView field, std::size_t min, std::size_t max, std::string_view what) {
    if (field.size() < min || field.size() > max) {
        throw WireFormatError(std::string(what) + " must be " + std::to_string(min) + ".." +
                              std::to_string(max) + " bytes, got " + std::to_string(field.size()));
    }
}

void requireOrderIdOf(std::string_view orderId) {
    if (!isValidOrderId(orderId)) {
        throw WireFormatError("order id must be 1.." + std::to_string(kMaxOrderIdSize) +
                              " characters of A-Z, a-z, 0-9 and '-'");
    }
}

bool isHexText(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

// min..max bytes as hex digits, either case.
Bytes readHexBetween(StrictObject& in, std::string_view name, std::size_t min, std::size_t max) {
    const std::string text = in.string(name);
    if (!isHexText(text) || text.size() % 2 != 0 || text.size() < 2 * min ||
        text.size() > 2 * max) {
        in.failMember(
            name, "must be " + std::to_string(min) + ".." + std::to_string(max) + " bytes of hex");
    }
    return fromHex(text);
}

Bytes readHexOf(StrictObject& in, std::string_view name, std::size_t size) {
    return readHexBetween(in, name, size, size);
}

// 9F36 is b2 (EMV Book 3 annex A): hex like the body's other binary fields; the number
// of script version 1 is refused by name, so that its sender learns what changed.
std::uint16_t readAtc(StrictObject& in) {
    if (in.has("atc") && in.required("atc").is_number()) {
        in.failMember("atc",
                      "must be the 2-byte ATC (9F36) as 4 hex digits (\"0011\"), "
                      "not a number");
    }
    const Bytes atc = readHexOf(in, "atc", kAtcSize);
    return ByteReader<WireFormatError>(atc, "the ATC").u16("the ATC");
}

std::uint32_t readFen(StrictObject& in, std::string_view name) {
    return static_cast<std::uint32_t>(in.integer(name, 0, 0xFFFFFFFFU));
}

std::string readMessageOrderId(ByteReader<WireFormatError>& in) {
    const std::size_t size = in.u8("the order id length");
    const ByteView bytes = in.view(size, "the order id");
    std::string orderId(bytes.begin(), bytes.end());
    requireOrderIdOf(orderId);
    return orderId;
}

void readMagic(ByteReader<WireFormatError>& in, std::string_view magic) {
    const ByteView bytes = in.view(magic.size(), "the magic");
    if (!std::equal(bytes.begin(), bytes.end(), magic.begin())) {
        throw WireFormatError("message does not start with \"" + std::string(magic) + "\"");
    }
}

// A length byte and that many bytes, min..max of them.
Bytes readPrefixed(ByteReader<WireFormatError>& in, std::size_t min, std::size_t max,
                   std::string_view what) {
    Bytes field = in.take(in.u8(what), what);
    requireBetween(field, min, max, what);
    return field;
}

void requireEnd(const ByteReader<WireFormatError>& in, std::string_view what) {
    if (!in.atEnd()) {
        throw WireFormatError(std::string(what) + " has bytes after the time");
    }
}

void requireResultFields(const EcLoadResult& result) {
    requireOrderIdOf(result.orderId);
    requireSize<WireFormatError>(result.nonce, kNonceSize, "EC result nonce");
    requireSize<WireFormatError>(result.cryptogram, kArqcSize, "EC result cryptogram");
    requireBetween(result.cdol2Data, 1, kMaxDolDataSize, "EC result CDOL2 data");
    requireBetween(result.iad, kMinIadSize, kMaxIadSize, "EC result IAD");
    requireSize<WireFormatError>(result.scriptResult, kScriptResultSize, "EC script result");
    requireSize<WireFormatError>(result.terminalId, kTerminalIdSize, "EC result terminal id");
    requireEcDate(result.date);
    requireEcTime(result.time);
}

ReversalReason reasonFrom(std::uint8_t value) {
    if (value != static_cast<std::uint8_t>(ReversalReason::CardDeclined) &&
        value != static_cast<std::uint8_t>(ReversalReason::CardGone)) {
        throw WireFormatError("reversal reason must be 1 or 2, got " + std::to_string(value));
    }
    return static_cast<ReversalReason>(value);
}

}  // namespace

bool isValidPan(std::string_view pan) {
    return pan.size() >= kMinPanDigits && pan.size() <= kMaxPanDigits &&
           std::all_of(pan.begin(), pan.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// --- The result message

Bytes encodeEcLoadResult(const EcLoadResult& result) {
    requireResultFields(result);
    return ByteWriter()
        .ascii(kEcResultMagic)
        .u8(static_cast<std::uint8_t>(result.orderId.size()))
        .ascii(result.orderId)
        .bytes(result.nonce)
        .u16(result.atc)
        .u8(result.cid)
        .bytes(result.cryptogram)
        .u8(static_cast<std::uint8_t>(result.cdol2Data.size()))
        .bytes(result.cdol2Data)
        .u8(static_cast<std::uint8_t>(result.iad.size()))
        .bytes(result.iad)
        .bytes(result.scriptResult)
        .u32(result.ecBalanceAfter)
        .bytes(result.terminalId)
        .bytes(result.date)
        .bytes(result.time)
        .take();
}

EcLoadResult parseEcLoadResult(ByteView message) {
    ByteReader<WireFormatError> in(message, "EC result message");
    readMagic(in, kEcResultMagic);
    EcLoadResult result;
    result.orderId = readMessageOrderId(in);
    result.nonce = in.take(kNonceSize, "the nonce");
    result.atc = in.u16("the ATC");
    result.cid = in.u8("the CID");
    result.cryptogram = in.take(kArqcSize, "the cryptogram");
    result.cdol2Data = readPrefixed(in, 1, kMaxDolDataSize, "the CDOL2 data");
    result.iad = readPrefixed(in, kMinIadSize, kMaxIadSize, "the IAD");
    result.scriptResult = in.take(kScriptResultSize, "the script result");
    result.ecBalanceAfter = in.u32("the EC balance");
    result.terminalId = in.take(kTerminalIdSize, "the terminal id");
    result.date = in.take(kEcDateSize, "the date");
    requireEcDate(result.date);
    result.time = in.take(kEcTimeSize, "the time");
    requireEcTime(result.time);
    requireEnd(in, "EC result message");
    return result;
}

// --- The reversal message

Bytes encodeEcLoadReversal(const EcLoadReversal& reversal) {
    requireOrderIdOf(reversal.orderId);
    requireSize<WireFormatError>(reversal.nonce, kNonceSize, "reversal nonce");
    reasonFrom(static_cast<std::uint8_t>(reversal.reason));
    requireSize<WireFormatError>(reversal.terminalId, kTerminalIdSize, "reversal terminal id");
    requireEcDate(reversal.date);
    requireEcTime(reversal.time);
    return ByteWriter()
        .ascii(kEcReversalMagic)
        .u8(static_cast<std::uint8_t>(reversal.orderId.size()))
        .ascii(reversal.orderId)
        .bytes(reversal.nonce)
        .u16(reversal.atc)
        .u8(static_cast<std::uint8_t>(reversal.reason))
        .bytes(reversal.terminalId)
        .bytes(reversal.date)
        .bytes(reversal.time)
        .take();
}

EcLoadReversal parseEcLoadReversal(ByteView message) {
    ByteReader<WireFormatError> in(message, "EC reversal message");
    readMagic(in, kEcReversalMagic);
    EcLoadReversal reversal;
    reversal.orderId = readMessageOrderId(in);
    reversal.nonce = in.take(kNonceSize, "the nonce");
    reversal.atc = in.u16("the ATC");
    reversal.reason = reasonFrom(in.u8("the reason"));
    reversal.terminalId = in.take(kTerminalIdSize, "the terminal id");
    reversal.date = in.take(kEcDateSize, "the date");
    requireEcDate(reversal.date);
    reversal.time = in.take(kEcTimeSize, "the time");
    requireEcTime(reversal.time);
    requireEnd(in, "EC reversal message");
    return reversal;
}

std::string_view toString(ReversalReason reason) {
    return reason == ReversalReason::CardDeclined ? "card_declined" : "card_gone";
}

// --- Bodies

EcAuthorizeRequest EcAuthorizeRequest::fromJson(const Json& json) {
    StrictObject in(json, "EC authorize request");
    EcAuthorizeRequest request;
    request.pan = in.string("pan");
    if (!isValidPan(request.pan)) {
        in.failMember("pan", "must be 12..19 decimal digits");
    }
    request.psn = readHexOf(in, "psn", 1)[0];
    if (!taplink::emv::numericValue(Bytes{request.psn})) {
        // 5F34 is n2 (EMV Book 3 annex A); the card's keys derive from its digits.
        in.failMember("psn", "must be two BCD digits");
    }
    request.aid = readHexBetween(in, "aid", kMinAidSize, kMaxAidSize);
    request.aip = readHexOf(in, "aip", kAipSize);
    request.atc = readAtc(in);
    request.cdol1 = readHexBetween(in, "cdol1", 1, kMaxDolDataSize);
    request.cdol1Data = readHexBetween(in, "cdol1Data", 1, kMaxDolDataSize);
    request.cid = readHexOf(in, "cid", 1)[0];
    request.arqc = readHexOf(in, "arqc", kArqcSize);
    request.iad = readHexBetween(in, "iad", kMinIadSize, kMaxIadSize);
    request.ecBalance = readFen(in, "ecBalance");
    request.ecBalanceLimit = readFen(in, "ecBalanceLimit");
    request.terminalId = readHexOf(in, "terminalId", kTerminalIdSize);
    in.finish();
    return request;
}

Json toJson(const EcAuthorizeRequest& request) {
    return Json{{"pan", request.pan},
                {"psn", toHex(Bytes{request.psn})},
                {"aid", toHex(request.aid)},
                {"aip", toHex(request.aip)},
                {"atc", toHex(ByteWriter().u16(request.atc).take())},
                {"cdol1", toHex(request.cdol1)},
                {"cdol1Data", toHex(request.cdol1Data)},
                {"cid", toHex(Bytes{request.cid})},
                {"arqc", toHex(request.arqc)},
                {"iad", toHex(request.iad)},
                {"ecBalance", request.ecBalance},
                {"ecBalanceLimit", request.ecBalanceLimit},
                {"terminalId", toHex(request.terminalId)}};
}

EcAuthorizeResponse EcAuthorizeResponse::fromJson(const Json& json) {
    StrictObject in(json, "EC authorization");
    EcAuthorizeResponse response;
    response.orderId = in.string("orderId");
    requireOrderIdOf(response.orderId);
    response.arc = readHexOf(in, "arc", kArcSize);
    response.arpc = readHexOf(in, "arpc", kArqcSize);
    response.issuerAuthenticationData =
        readHexOf(in, "issuerAuthenticationData", kIssuerAuthDataSize);
    if (in.has("nonce")) {
        response.nonce = readHexOf(in, "nonce", kNonceSize);
    }
    if (in.has("issuerScript")) {
        response.issuerScript = readHexBetween(in, "issuerScript", 1, kMaxDolDataSize);
    }
    if (in.has("newBalance")) {
        response.newBalance = readFen(in, "newBalance");
    }
    in.finish();
    return response;
}

Json toJson(const EcAuthorizeResponse& response) {
    Json json{{"orderId", response.orderId},
              {"arc", toHex(response.arc)},
              {"arpc", toHex(response.arpc)},
              {"issuerAuthenticationData", toHex(response.issuerAuthenticationData)}};
    if (response.nonce) {
        json["nonce"] = toHex(*response.nonce);
    }
    if (response.issuerScript) {
        json["issuerScript"] = toHex(*response.issuerScript);
    }
    if (response.newBalance) {
        json["newBalance"] = *response.newBalance;
    }
    return json;
}

EcReceipt EcReceipt::fromJson(const Json& json) {
    StrictObject in(json, "EC receipt");
    EcReceipt receipt;
    receipt.receiptId = in.string("receiptId");
    receipt.orderId = in.string("orderId");
    requireOrderIdOf(receipt.orderId);
    receipt.status = in.string("status");
    if (receipt.status != "settled" && receipt.status != "reversed") {
        in.failMember("status", "must be \"settled\" or \"reversed\"");
    }
    receipt.amount = readFen(in, "amount");
    receipt.pan = in.string("pan");
    receipt.ecBalanceAfter = readFen(in, "ecBalanceAfter");
    receipt.decidedAt = in.signedInteger("decidedAt", 0, INT64_MAX);
    in.finish();
    return receipt;
}

Json toJson(const EcReceipt& receipt) {
    return Json{{"receiptId", receipt.receiptId},
                {"orderId", receipt.orderId},
                {"status", receipt.status},
                {"amount", receipt.amount},
                {"pan", receipt.pan},
                {"ecBalanceAfter", receipt.ecBalanceAfter},
                {"decidedAt", receipt.decidedAt}};
}

}  // namespace taplink::net::wire
