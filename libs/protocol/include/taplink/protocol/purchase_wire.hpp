// The Tap & Pay purchase half of the wire contract between taplinkd and the server
// (docs/server.md, "Purchase (acquirer and issuer)"): the signed result and reversal
// messages and the JSON bodies of /v1/orders/{id}/purchase/*. As in topup_wire.hpp, every
// parser is strict and a field off the contract is a WireFormatError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {

// The order scheme of a purchase paid by a bank card's ARQC, the issuer being the server.
inline constexpr std::string_view kBankPurchaseScheme = "bank-purchase";

// A merchant name (Order.merchant): 1..64 bytes of UTF-8, no control character (C0, DEL,
// C1), so that a trusted UI can show it as it is.
inline constexpr std::size_t kMaxMerchantNameSize = 64;
bool isValidMerchantName(std::string_view name);

// --- Sizes
inline constexpr std::size_t kMinSealedSize = 28;  // GCM nonce 12 || tag 16 (chip/payment_protocol)
inline constexpr std::size_t kMaxSealedSize = 4096;
inline constexpr std::size_t kAuthCodeSize = 6;  // 89, an 6 (EMV Book 3 annex A)

// Authorisation response codes (8A, an 2, ISO 8583:1987 field 39) the issuer answers: the
// two ASCII characters, "3030" on the wire for kApproved.
namespace purchase_arc {
inline constexpr std::string_view kApproved = "00";
inline constexpr std::string_view kDoNotHonour = "05";  // PIN needed above the CVM limit, absent
inline constexpr std::string_view kNoAccount = "14";    // no account for this PAN
inline constexpr std::string_view kInsufficientFunds = "51";
inline constexpr std::string_view kExpiredCard = "54";
inline constexpr std::string_view kIncorrectPin = "55";  // with pinTriesLeft
inline constexpr std::string_view kOverLimit = "61";     // over the per-transaction limit
inline constexpr std::string_view kPinTriesExceeded = "75";
}  // namespace purchase_arc

// The server's refusals of a purchase ({"error":{"code"}}), besides the EC load's
// chip_locked, order_not_found and the 409s.
namespace refusal {
inline constexpr const char* kSealInvalid = "seal_invalid";
inline constexpr const char* kArqcInvalid = "arqc_invalid";
inline constexpr const char* kPurchaseMismatch = "purchase_mismatch";
inline constexpr const char* kPaymentKeysMissing = "payment_keys_missing";
// The server holds no copy of the chip's payment parameters (its PIN rule and limits): it
// authorizes nothing rather than skip them (docs/server.md, "purchase/authorize").
inline constexpr const char* kParamsMissing = "params_missing";
// The TSM queued newer payment parameters than the chip applied (its last authenticated
// answer): the device syncs its chip first (docs/server.md, "TSM").
inline constexpr const char* kParamsOutdated = "params_outdated";
}  // namespace refusal

// --- The purchase result message (signed by the device key: ECDSA P-256 over SHA-256 of
// exactly these bytes, as TLE1). Big-endian:
//   magic "TLP1"(4) || order id length(1) || order id || nonce(16, the authorization's)
//   || ATC(2) || CID(1, 9F27 of the second GENERATE AC) || cryptogram(8, 9F26: TC or AAC)
//   || CDOL2 data length(1, 1..252) || CDOL2 data (as sent in the second GENERATE AC)
//   || IAD length(1, 8..32) || IAD (9F10 of the second GENERATE AC) || terminal id(6)
//   || date(3, BCD YYMMDD) || time(3, BCD hhmmss)
inline constexpr std::string_view kPurchaseResultMagic = "TLP1";

struct PurchaseResult {
    std::string orderId;
    Bytes nonce;  // 16
    std::uint16_t atc = 0;
    std::uint8_t cid = 0;
    Bytes cryptogram;  // 8
    Bytes cdol2Data;   // 1..252
    Bytes iad;         // 8..32
    Bytes terminalId;  // 6
    Bytes date;        // 3
    Bytes time;        // 3

    bool operator==(const PurchaseResult&) const = default;
};

// WireFormatError for any field parsePurchaseResult would refuse.
Bytes encodePurchaseResult(const PurchaseResult& result);
// WireFormatError unless the bytes are exactly one well-formed message.
PurchaseResult parsePurchaseResult(ByteView message);

// --- The purchase reversal: the EC reversal's layout and reasons (ecload_wire.hpp) under
// the magic "TLQ1":
//   magic "TLQ1"(4) || order id length(1) || order id || nonce(16) || ATC(2)
//   || reason(1: 01 card_declined, 02 card_gone) || terminal id(6) || date(3) || time(3)
inline constexpr std::string_view kPurchaseReversalMagic = "TLQ1";
using PurchaseReversal = EcLoadReversal;

Bytes encodePurchaseReversal(const PurchaseReversal& reversal);
PurchaseReversal parsePurchaseReversal(ByteView message);

// --- POST /v1/orders/{id}/purchase/authorize: the chip's sealed purchase (SEAL's answer,
// chip/payment_protocol.hpp) and the terminal.
struct PurchaseAuthorizeRequest {
    Bytes sealed;      // 28..4096, hex on the wire
    Bytes terminalId;  // 6

    static PurchaseAuthorizeRequest fromJson(const Json& json);
    bool operator==(const PurchaseAuthorizeRequest&) const = default;
};
Json toJson(const PurchaseAuthorizeRequest& request);

// -> 200, approved or declined. Approved: arc "3030" with the nonce and the authorisation
// code; declined: the ARC and 91 only (the card needs them for its AAC), pinTriesLeft with
// "55" only. issuerAuthenticationData is 91 (ARPC method 1, EMV Book 2 8.2.1): ARPC(8) ||
// ARC(2), its ARC being arc.
struct PurchaseAuthorizeResponse {
    std::string orderId;
    Bytes arc;                                                 // 2, an 2 as ASCII ("3030")
    Bytes issuerAuthenticationData;                            // 10
    std::optional<Bytes> nonce = std::nullopt;                 // 16, approved only
    std::optional<std::string> authCode = std::nullopt;        // 6 of A-Z 0-9, approved only
    std::optional<std::uint32_t> pinTriesLeft = std::nullopt;  // ARC "55" only

    bool approved() const;
    static PurchaseAuthorizeResponse fromJson(const Json& json);
    bool operator==(const PurchaseAuthorizeResponse&) const = default;
};
Json toJson(const PurchaseAuthorizeResponse& response);

// The ARC as 2 bytes, from its two characters (purchase_arc).
Bytes arcBytes(std::string_view code);

// The receipt of a decided purchase: settled (the card's TC) or reversed (the account got
// the money back). The answer to .../purchase/result and .../purchase/reverse.
struct PurchaseReceipt {
    std::string receiptId;
    std::string orderId;
    std::string status;  // "settled" or "reversed"
    std::uint32_t amount = 0;
    std::string merchant;
    std::string pan;  // masked, "…1234"
    std::string authCode;
    std::int64_t decidedAt = 0;

    static PurchaseReceipt fromJson(const Json& json);
    bool operator==(const PurchaseReceipt&) const = default;
};
Json toJson(const PurchaseReceipt& receipt);

}  // namespace taplink::net::wire
