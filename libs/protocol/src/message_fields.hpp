// The fields the signed card messages (TLE1, TLX1 in ecload_wire.cpp; TLP1, TLQ1 in
// purchase_wire.cpp) and their JSON bodies share: one reader and one rule for each, so the
// EC load and the purchase cannot drift apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire::fields {

using MessageReader = ByteReader<WireFormatError>;

// WireFormatError naming what unless min <= size <= max.
void requireBetween(ByteView field, std::size_t min, std::size_t max, std::string_view what);
// WireFormatError unless isValidOrderId.
void requireOrderId(std::string_view orderId);

// --- JSON members
// min..max bytes as hex digits, either case.
Bytes readHexBetween(StrictObject& in, std::string_view name, std::size_t min, std::size_t max);
Bytes readHexOf(StrictObject& in, std::string_view name, std::size_t size);
// An amount in fen, 0..2^32-1.
std::uint32_t readFen(StrictObject& in, std::string_view name);

// The members every bank-card receipt (EC load, purchase) opens with: its id, the order's,
// the decision ("settled" or "reversed") and the amount in fen.
template <class Receipt>
void readReceiptHead(StrictObject& in, Receipt& receipt) {
    receipt.receiptId = in.string("receiptId");
    receipt.orderId = in.string("orderId");
    requireOrderId(receipt.orderId);
    receipt.status = in.string("status");
    if (receipt.status != "settled" && receipt.status != "reversed") {
        in.failMember("status", "must be \"settled\" or \"reversed\"");
    }
    receipt.amount = readFen(in, "amount");
}

// --- Message fields
// The magic, exactly.
void readMagic(MessageReader& in, std::string_view magic);
// Order id length(1) || order id, a valid order id.
std::string readOrderId(MessageReader& in);
// A length byte and that many bytes, min..max of them.
Bytes readPrefixed(MessageReader& in, std::size_t min, std::size_t max, std::string_view what);
// 9A date (BCD YYMMDD) then 9F21 time (BCD hhmmss), checked.
void readDateTime(MessageReader& in, Bytes& date, Bytes& time);
void requireDateTime(ByteView date, ByteView time);
// Nothing left after the time.
void requireEnd(const MessageReader& in, std::string_view what);

// --- The head of a signed result (TLE1 in ecload_wire.hpp, TLP1 in purchase_wire.hpp), the
// second GENERATE AC it reports:
//   magic(4) || order id length(1) || order id || nonce(16) || ATC(2) || CID(1, 9F27)
//   || cryptogram(8, 9F26) || CDOL2 data length(1, 1..252) || CDOL2 data
//   || IAD length(1, 8..32) || IAD (9F10)
// `what` ("EC result") names the message in the errors.
template <class Result>
void requireResultHead(const Result& result, const std::string& what) {
    requireOrderId(result.orderId);
    requireSize<WireFormatError>(result.nonce, kNonceSize, what + " nonce");
    requireSize<WireFormatError>(result.cryptogram, kArqcSize, what + " cryptogram");
    requireBetween(result.cdol2Data, 1, kMaxDolDataSize, what + " CDOL2 data");
    requireBetween(result.iad, kMinIadSize, kMaxIadSize, what + " IAD");
}

template <class Result>
ByteWriter& writeResultHead(ByteWriter& out, std::string_view magic, const Result& result) {
    return out.ascii(magic)
        .u8(static_cast<std::uint8_t>(result.orderId.size()))
        .ascii(result.orderId)
        .bytes(result.nonce)
        .u16(result.atc)
        .u8(result.cid)
        .bytes(result.cryptogram)
        .u8(static_cast<std::uint8_t>(result.cdol2Data.size()))
        .bytes(result.cdol2Data)
        .u8(static_cast<std::uint8_t>(result.iad.size()))
        .bytes(result.iad);
}

template <class Result>
void readResultHead(MessageReader& in, std::string_view magic, Result& result) {
    readMagic(in, magic);
    result.orderId = readOrderId(in);
    result.nonce = in.take(kNonceSize, "the nonce");
    result.atc = in.u16("the ATC");
    result.cid = in.u8("the CID");
    result.cryptogram = in.take(kArqcSize, "the cryptogram");
    result.cdol2Data = readPrefixed(in, 1, kMaxDolDataSize, "the CDOL2 data");
    result.iad = readPrefixed(in, kMinIadSize, kMaxIadSize, "the IAD");
}

// The EC reversal's layout (TLX1) under another magic: the purchase's TLQ1 is the same
// message for another kind of transaction.
Bytes encodeReversal(std::string_view magic, const EcLoadReversal& reversal);
EcLoadReversal parseReversal(std::string_view magic, ByteView message);

}  // namespace taplink::net::wire::fields
