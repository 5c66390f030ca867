#include "api/card_transaction.hpp"

#include <algorithm>
#include <array>

#include "taplink/crypto/constant_time.hpp"

namespace taplink::server {

namespace {

namespace wire = net::wire;

constexpr std::array<std::uint8_t, 2> kApprovedArc{0x30, 0x30};  // 8A "00", EMV Book 4 A6
// CVR byte 2 (9F10 byte 5; docs/cards.md "CVR", the VIS layout of JR/T 0025.5): bits 8-7 the
// second AC (00 AAC, 01 TC: the CID's own coding of its bits 8-7), bits 6-5 the first (10 ARQC).
constexpr std::size_t kCvrAcByte = 4;
constexpr std::uint8_t kCvrSecondAcMask = 0xC0;
constexpr std::uint8_t kCvrFirstAcMask = 0x30;
constexpr std::uint8_t kCvrFirstAcArqc = 0x20;

// The card's CDOL2 is 91 0A 8A 02 then CDOL1's objects (docs/cards.md), so its data starts
// with the 91 and the 8A this server sent.
bool startsWithIssued(ByteView cdol2Data, ByteView issuerAuthenticationData) {
    const Bytes issued = concat(issuerAuthenticationData, kApprovedArc);
    return cdol2Data.size() >= issued.size() &&
           std::ranges::equal(cdol2Data.first(issued.size()), issued);
}

}  // namespace

void refuseClosed(const OrderRecord& order) {
    if (order.status == wire::OrderStatus::Settled) {
        throw ApiError(409, wire::refusal::kOrderSettled, "order " + order.orderId + " is settled");
    }
    if (order.status == wire::OrderStatus::Cancelled) {
        throw ApiError(409, "order_cancelled", "order " + order.orderId + " was cancelled");
    }
    if (order.status == wire::OrderStatus::Reversed) {
        throw ApiError(409, "order_reversed", "order " + order.orderId + " was reversed");
    }
}

void requireCallersTerminal(ByteView terminalId, const DeviceCaller& caller) {
    if (!std::ranges::equal(terminalId, caller.device.terminalId)) {
        throw ApiError(403, "terminal_mismatch",
                       "terminal " + toHex(terminalId) + " is not this device's " +
                           toHex(caller.device.terminalId));
    }
}

ByteView signedMessage(const DeviceCaller& caller, const wire::ResultReport& report) {
    if (!verifyDeviceSignature(caller.certificate, report.result, report.signature)) {
        throw ApiError(403, wire::refusal::kBadSignature,
                       "the message is not signed by this device's key");
    }
    return report.result;
}

void refuseCryptogram(const std::string& why) {
    throw ApiError(422, "cryptogram_invalid", "the second GENERATE AC: " + why);
}

void requireSecondAc(const SecondAc& second, ByteView arqc, ByteView issuerAuthenticationData) {
    const auto type = static_cast<std::uint8_t>(second.cid & wire::kCidTypeMask);
    if (type != wire::kCidTc && type != wire::kCidAac) {
        refuseCryptogram("the CID is not a TC or an AAC");
    }
    if (crypto::constantTimeEqual(second.cryptogram, arqc)) {
        refuseCryptogram("the cryptogram is the first GENERATE AC's ARQC");
    }
    if (!startsWithIssued(second.cdol2Data, issuerAuthenticationData)) {
        refuseCryptogram("the CDOL2 data does not start with the 91 and 8A the issuer sent");
    }
    const std::uint8_t acs = second.iad[kCvrAcByte];
    if ((acs & kCvrFirstAcMask) != kCvrFirstAcArqc || (acs & kCvrSecondAcMask) != type) {
        refuseCryptogram("the CVR does not tell an ARQC then the CID's AC");
    }
}

}  // namespace taplink::server
