#include "message_fields.hpp"

#include <algorithm>

#include "bcd_fields.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::net::wire::fields {

namespace {

bool isHexText(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

ReversalReason reasonFrom(std::uint8_t value) {
    if (value != static_cast<std::uint8_t>(ReversalReason::CardDeclined) &&
        value != static_cast<std::uint8_t>(ReversalReason::CardGone)) {
        throw WireFormatError("reversal reason must be 1 or 2, got " + std::to_string(value));
    }
    return static_cast<ReversalReason>(value);
}

}  // namespace

void requireBetween(ByteView field, std::size_t min, std::size_t max, std::string_view what) {
    if (field.size() < min || field.size() > max) {
        throw WireFormatError(std::string(what) + " must be " + std::to_string(min) + ".." +
                              std::to_string(max) + " bytes, got " + std::to_string(field.size()));
    }
}

void requireOrderId(std::string_view orderId) {
    if (!isValidOrderId(orderId)) {
        throw WireFormatError("order id must be 1.." + std::to_string(kMaxOrderIdSize) +
                              " characters of A-Z, a-z, 0-9 and '-'");
    }
}

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

std::uint32_t readFen(StrictObject& in, std::string_view name) {
    return static_cast<std::uint32_t>(in.integer(name, 0, 0xFFFFFFFFU));
}

void readMagic(MessageReader& in, std::string_view magic) {
    const ByteView bytes = in.view(magic.size(), "the magic");
    if (!std::equal(bytes.begin(), bytes.end(), magic.begin())) {
        throw WireFormatError("message does not start with \"" + std::string(magic) + "\"");
    }
}

std::string readOrderId(MessageReader& in) {
    const std::size_t size = in.u8("the order id length");
    const ByteView bytes = in.view(size, "the order id");
    std::string orderId(bytes.begin(), bytes.end());
    requireOrderId(orderId);
    return orderId;
}

Bytes readPrefixed(MessageReader& in, std::size_t min, std::size_t max, std::string_view what) {
    Bytes field = in.take(in.u8(what), what);
    requireBetween(field, min, max, what);
    return field;
}

// 9A and 9F21 (EMV Book 3 annex A): BCD YYMMDD and hhmmss.
void requireDateTime(ByteView date, ByteView time) {
    requireBcdDate(date, kEcDateSize, "message date");
    requireBcdTime(time, "message time");
}

void readDateTime(MessageReader& in, Bytes& date, Bytes& time) {
    date = in.take(kEcDateSize, "the date");
    time = in.take(kEcTimeSize, "the time");
    requireDateTime(date, time);
}

void requireEnd(const MessageReader& in, std::string_view what) {
    if (!in.atEnd()) {
        throw WireFormatError(std::string(what) + " has bytes after the time");
    }
}

// magic(4) || order id length(1) || order id || nonce(16) || ATC(2) || reason(1)
// || terminal id(6) || date(3) || time(3) (docs/server.md, "Electronic-cash load").
Bytes encodeReversal(std::string_view magic, const EcLoadReversal& reversal) {
    requireOrderId(reversal.orderId);
    requireSize<WireFormatError>(reversal.nonce, kNonceSize, "reversal nonce");
    reasonFrom(static_cast<std::uint8_t>(reversal.reason));
    requireSize<WireFormatError>(reversal.terminalId, kTerminalIdSize, "reversal terminal id");
    requireDateTime(reversal.date, reversal.time);
    return ByteWriter()
        .ascii(magic)
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

EcLoadReversal parseReversal(std::string_view magic, ByteView message) {
    MessageReader in(message, "reversal message");
    readMagic(in, magic);
    EcLoadReversal reversal;
    reversal.orderId = readOrderId(in);
    reversal.nonce = in.take(kNonceSize, "the nonce");
    reversal.atc = in.u16("the ATC");
    reversal.reason = reasonFrom(in.u8("the reason"));
    reversal.terminalId = in.take(kTerminalIdSize, "the terminal id");
    readDateTime(in, reversal.date, reversal.time);
    requireEnd(in, "reversal message");
    return reversal;
}

}  // namespace taplink::net::wire::fields
