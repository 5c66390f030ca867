// The purchase's acquirer and issuer rules (docs/server.md, "Purchase (acquirer and
// issuer)"): the card as the chip sealed it, the terminal data the ARQC covers (rebuilt
// here, never taken from the host), the checks of the sealed terms against the order, and
// the issuer's answer code for the cardholder's account.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/account_records.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/emv/dol.hpp"

namespace taplink::server {

// The card objects the chip relayed (PUT CARD DATA, docs/bank-cards.md), read and checked.
struct SealedCard {
    std::string pan;  // digits, without the F padding
    Bytes expiry;     // 5F24, YYMMDD
    std::uint8_t psn = 0;
    Bytes aip;    // 82
    Bytes cdol1;  // 8C
    std::uint16_t atc = 0;
    std::uint8_t cid = 0;
    Bytes arqc;  // 9F26
    Bytes iad;   // 9F10
};

// ApiError 422 seal_invalid when an object is missing, repeated or malformed, or the first
// GENERATE AC did not give an ARQC.
SealedCard sealedCardOf(const chip::pay::SealedPurchase& purchase);

// The terminal data store of docs/bank-cards.md, "Purchase: the terminal data": 9F02, 9F03,
// 9F1A, 95, 5F2A, 9A, 9C, 9F37, 9F66, the sealed values where the table says so.
emv::TerminalData purchaseTerminalData(const chip::pay::SealedPurchase& purchase);
// The CDOL1 data the card signed, rebuilt from its 8C and that store with the kernel's DOL
// builder (EMV Book 3 5.4); ApiError 422 seal_invalid when 8C does not parse.
Bytes rebuiltCdol1Data(const SealedCard& card, const chip::pay::SealedPurchase& purchase);

// ApiError 422 purchase_mismatch unless the sealed terms are the order's: amount, currency
// 156, type 00, DF21 = SHA-256(order id), and 9A within a day of today (UTC, YYMMDD).
void checkPurchaseTerms(const chip::pay::PurchaseRequest& terms, const std::string& orderId,
                        std::uint32_t orderAmount, ByteView today);
// Today as 9A (BCD YYMMDD, UTC).
Bytes todayYymmdd();

// What the issuer knows of the purchase besides the account.
struct IssuerFacts {
    std::uint32_t amount = 0;
    bool expired = false;  // 5F24 before the sealed 9A
    // The server's copy of the chip's parameters (the TSM's last queued): always known, the
    // authorization is refused without it (422 params_missing).
    chip::mgmt::PaymentParameters limits;
    bool pinGiven = false;
    // Whether the PIN given is the account's (only asked when pinGiven and it has one).
    std::function<bool(const AccountRecord&)> pinMatches;
};

struct IssuerDecision {
    std::string_view arc;                      // wire::purchase_arc
    std::optional<std::uint8_t> pinTriesLeft;  // the account's new count, when it changes
    std::string detail;                        // for the event log
};

// In this order: "14" no account, "54" expired, "61" over the per-transaction limit, "75" the
// PIN blocked, then a PIN given: "05" when the account has none, "55" wrong (a try fewer;
// "75" at the last), a right one restores the tries; no PIN above the CVM limit: "05";
// "51" the balance short; "00".
IssuerDecision issuerDecision(const IssuerFacts& facts,
                              const std::optional<AccountRecord>& account);

}  // namespace taplink::server
