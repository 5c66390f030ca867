#include "taplink/protocol/ecload_wire.hpp"

#include <algorithm>

#include "message_fields.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::net::wire {

namespace {

using namespace fields;

constexpr std::size_t kMinAidSize = 5;  // ISO/IEC 7816-5: RID 5 || PIX 0..11
constexpr std::size_t kMaxAidSize = 16;
constexpr std::size_t kMinPanDigits = 12;  // 5A: n var. up to 19 (EMV Book 3 annex A, ISO/IEC 7812)
constexpr std::size_t kMaxPanDigits = 19;

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

void requireResultFields(const EcLoadResult& result) {
    requireResultHead(result, "EC result");
    requireSize<WireFormatError>(result.scriptResult, kScriptResultSize, "EC script result");
    requireSize<WireFormatError>(result.terminalId, kTerminalIdSize, "EC result terminal id");
    requireDateTime(result.date, result.time);
}

}  // namespace

bool isValidPan(std::string_view pan) {
    return pan.size() >= kMinPanDigits && pan.size() <= kMaxPanDigits &&
           std::all_of(pan.begin(), pan.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// --- The result message

Bytes encodeEcLoadResult(const EcLoadResult& result) {
    requireResultFields(result);
    ByteWriter out;
    return writeResultHead(out, kEcResultMagic, result)
        .bytes(result.scriptResult)
        .u32(result.ecBalanceAfter)
        .bytes(result.terminalId)
        .bytes(result.date)
        .bytes(result.time)
        .take();
}

EcLoadResult parseEcLoadResult(ByteView message) {
    MessageReader in(message, "EC result message");
    EcLoadResult result;
    readResultHead(in, kEcResultMagic, result);
    result.scriptResult = in.take(kScriptResultSize, "the script result");
    result.ecBalanceAfter = in.u32("the EC balance");
    result.terminalId = in.take(kTerminalIdSize, "the terminal id");
    readDateTime(in, result.date, result.time);
    requireEnd(in, "EC result message");
    return result;
}

// --- The reversal message

Bytes encodeEcLoadReversal(const EcLoadReversal& reversal) {
    return encodeReversal(kEcReversalMagic, reversal);
}

EcLoadReversal parseEcLoadReversal(ByteView message) {
    return parseReversal(kEcReversalMagic, message);
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
    requireOrderId(response.orderId);
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
    readReceiptHead(in, receipt);
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
