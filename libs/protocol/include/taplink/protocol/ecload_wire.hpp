// The bank-card electronic-cash load (圈存) half of the wire contract between taplinkd and
// the top-up server (docs/server.md, "Electronic-cash load"): the signed result and reversal
// messages and the JSON bodies of /v1/orders/{id}/ecload/*. As in topup_wire.hpp, every
// parser is strict and a field off the contract is a WireFormatError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {

// The order scheme of an EC load paid from a cardholder account.
inline constexpr std::string_view kBankEcScheme = "bank-ec";

// A PAN as the wire, the server and its operator take it: 12..19 decimal digits (5A
// without its F padding; ISO/IEC 7812, EMV Book 3 annex A).
bool isValidPan(std::string_view pan);

// --- Sizes (EMV Book 3 annex A; JR/T 0025.5).
inline constexpr std::size_t kArqcSize = 8;             // 9F26
inline constexpr std::size_t kAipSize = 2;              // 82
inline constexpr std::size_t kAtcSize = 2;              // 9F36
inline constexpr std::size_t kArcSize = 2;              // 8A, an1 2
inline constexpr std::size_t kScriptIdSize = 4;         // 9F18
inline constexpr std::size_t kScriptResultSize = 5;     // 9F5B entry: result byte || script id
inline constexpr std::size_t kIssuerAuthDataSize = 10;  // 91: ARPC || ARC (method 1)
inline constexpr std::size_t kEcDateSize = 3;           // 9A, BCD YYMMDD
inline constexpr std::size_t kEcTimeSize = 3;           // 9F21, BCD hhmmss
inline constexpr std::size_t kMaxDolDataSize = 252;     // a DOL's data fits one command
inline constexpr std::size_t kMinIadSize = 8;           // 9F10 up to the algorithm indicator
inline constexpr std::size_t kMaxIadSize = 32;          // 9F10 is b..32

// Cryptogram information data (9F27) bits 8-7, EMV Book 3 Table 14.
inline constexpr std::uint8_t kCidTypeMask = 0xC0;
inline constexpr std::uint8_t kCidAac = 0x00;
inline constexpr std::uint8_t kCidTc = 0x40;
inline constexpr std::uint8_t kCidArqc = 0x80;

// --- The EC load result message (signed by the device key: ECDSA P-256 over SHA-256 of
// exactly these bytes). Big-endian; after the order id every field has a fixed size except
// the two length-prefixed card objects:
//   magic "TLE1"(4) || order id length(1) || order id (as TLR1) || nonce(16, the
//   authorization's) || ATC(2) || CID(1, 9F27 of the second GENERATE AC) || cryptogram(8,
//   9F26: TC or AAC) || CDOL2 data length(1, 1..252) || CDOL2 data (as sent in the second
//   GENERATE AC) || IAD length(1, 8..32) || IAD (9F10 of the second GENERATE AC: its CVR
//   is in the cryptogram) || script result(5, 9F5B: result byte || script id)
//   || EC balance read back(4, fen, 9F79 after the script) || terminal id(6)
//   || date(3, BCD YYMMDD) || time(3, BCD hhmmss)
inline constexpr std::string_view kEcResultMagic = "TLE1";

struct EcLoadResult {
    std::string orderId;
    Bytes nonce;  // 16
    std::uint16_t atc = 0;
    std::uint8_t cid = 0;
    Bytes cryptogram;    // 8
    Bytes cdol2Data;     // 1..252
    Bytes iad;           // 8..32
    Bytes scriptResult;  // 5
    std::uint32_t ecBalanceAfter = 0;
    Bytes terminalId;  // 6
    Bytes date;        // 3
    Bytes time;        // 3

    bool operator==(const EcLoadResult&) const = default;
};

// WireFormatError for any field parseEcLoadResult would refuse.
Bytes encodeEcLoadResult(const EcLoadResult& result);
// WireFormatError unless the bytes are exactly one well-formed message.
EcLoadResult parseEcLoadResult(ByteView message);

// --- The EC load reversal message (signed the same way): the daemon's word that the card
// never took the money. Big-endian:
//   magic "TLX1"(4) || order id length(1) || order id || nonce(16) || ATC(2)
//   || reason(1) || terminal id(6) || date(3, BCD YYMMDD) || time(3, BCD hhmmss)
inline constexpr std::string_view kEcReversalMagic = "TLX1";

enum class ReversalReason : std::uint8_t {
    CardDeclined = 0x01,  // AAC at the second GENERATE AC: the script was never sent
    CardGone = 0x02,      // no answer to the second GENERATE AC, balance read back unchanged
};

struct EcLoadReversal {
    std::string orderId;
    Bytes nonce;  // 16
    std::uint16_t atc = 0;
    ReversalReason reason = ReversalReason::CardDeclined;
    Bytes terminalId;  // 6
    Bytes date;        // 3
    Bytes time;        // 3

    bool operator==(const EcLoadReversal&) const = default;
};

Bytes encodeEcLoadReversal(const EcLoadReversal& reversal);
EcLoadReversal parseEcLoadReversal(ByteView message);
std::string_view toString(ReversalReason reason);  // "card_declined", "card_gone"

// --- POST /v1/orders/{id}/ecload/authorize: what the card said and was asked.
struct EcAuthorizeRequest {
    std::string pan;                   // 12..19 decimal digits (5A without its F padding)
    std::uint8_t psn = 0;              // 5F34, n2: 2 BCD digits on the wire
    Bytes aid;                         // 4F, 5..16
    Bytes aip;                         // 82, 2
    std::uint16_t atc = 0;             // 9F36, 4 hex digits on the wire (a number is refused)
    Bytes cdol1;                       // 8C as the card gave it, 1..252
    Bytes cdol1Data;                   // as sent in the first GENERATE AC, 1..252
    std::uint8_t cid = 0;              // 9F27, 2 hex digits
    Bytes arqc;                        // 9F26, 8
    Bytes iad;                         // 9F10, 8..32
    std::uint32_t ecBalance = 0;       // 9F79 before the load, fen
    std::uint32_t ecBalanceLimit = 0;  // 9F77, fen
    Bytes terminalId;                  // 6

    static EcAuthorizeRequest fromJson(const Json& json);
    bool operator==(const EcAuthorizeRequest&) const = default;
};
Json toJson(const EcAuthorizeRequest& request);

// -> 200. Approved: arc "3030" ("00") with the nonce, the issuer script (template 72) and
// the new EC balance; declined: the ARC (e.g. "3531", "51" insufficient funds) and its ARPC
// only.
struct EcAuthorizeResponse {
    std::string orderId;
    Bytes arc;                       // 2
    Bytes arpc;                      // 8
    Bytes issuerAuthenticationData;  // 10, 91 = ARPC || ARC
    std::optional<Bytes> nonce;      // 16
    std::optional<Bytes> issuerScript;
    std::optional<std::uint32_t> newBalance;

    static EcAuthorizeResponse fromJson(const Json& json);
    bool operator==(const EcAuthorizeResponse&) const = default;
};
Json toJson(const EcAuthorizeResponse& response);

// The receipt of a decided EC load: settled (the card holds the money) or reversed (the
// account got it back).
struct EcReceipt {
    std::string receiptId;
    std::string orderId;
    std::string status;  // "settled" or "reversed"
    std::uint32_t amount = 0;
    std::string pan;  // masked, "…1234"
    std::uint32_t ecBalanceAfter = 0;
    std::int64_t decidedAt = 0;

    static EcReceipt fromJson(const Json& json);
    bool operator==(const EcReceipt&) const = default;
};
Json toJson(const EcReceipt& receipt);

}  // namespace taplink::net::wire
