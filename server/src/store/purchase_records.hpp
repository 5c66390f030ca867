// The store's records of the Tap & Pay purchase (docs/server.md, "Purchase (acquirer and
// issuer)"): every answered authorize request (so that the same sealed purchase gets the same
// answer and a wrong PIN counts once), the one approval per order with its debit, and the
// one decision per order (settled or reversed). As for the EC load, a PAN is only a keyed
// hash, its last four digits and, for the result's cryptogram check, sealed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/account_records.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::server {

// An approved purchase: the account was debited in the same transaction.
struct PurchaseAuthorizationRecord {
    std::string orderId;
    std::string accountId;
    std::string deviceFingerprint;
    std::string chipSerial;  // hex
    std::string panHash;
    Bytes panSealed;  // IV || ciphertext || tag, AAD = order id
    std::string panLast4;
    std::uint8_t psn = 0;
    std::uint8_t algorithmIndicator = 0;
    Bytes aip;
    std::uint16_t atc = 0;
    Bytes arqc;
    Bytes issuerAuthenticationData;  // the 91 sent: the second AC's CDOL2 data starts with it
    Bytes terminalId;
    Bytes nonce;
    std::string authCode;
    std::int64_t issuedAt = 0;
};

// One answered authorize request, approved or declined, by the SHA-256 of its sealed bytes.
struct PurchaseAttemptRecord {
    std::string orderId;
    std::string requestHash;  // hex SHA-256 of the sealed purchase
    std::string chipSerial;
    std::string panHash;
    std::uint16_t atc = 0;
    Bytes arqc;
    std::string arc;     // two characters, "00" approved
    std::string answer;  // the JSON answer, replayed for the same request
    std::int64_t at = 0;
};

// What the issuer decides for the account the PAN names (none: "14"), inside the store's
// transaction: the answer, the PIN tries to keep (when they change) and, approved, the
// authorization to store with the debit.
struct PurchaseVerdict {
    std::string arc;
    std::string detail;  // for the event log, never a PIN
    std::optional<std::uint8_t> pinTriesLeft;
    std::optional<PurchaseAuthorizationRecord> approval;
    std::string answer;
};
using PurchaseDecider = std::function<PurchaseVerdict(const std::optional<AccountRecord>&)>;

enum class PurchaseAuthorizeOutcome {
    Decided,      // a new answer (approved or declined), stored
    SameRequest,  // the stored answer of these very sealed bytes
    OrderNotFound,
    OrderNotOpen,
    Outstanding,  // the order was approved for another sealed purchase
    AtcReplayed,  // the card's ATC is not above the last one seen: a recorded ARQC
};

struct PurchaseAuthorizeResult {
    PurchaseAuthorizeOutcome outcome = PurchaseAuthorizeOutcome::Decided;
    std::string answer;  // Decided and SameRequest
};

// The order's one decision: the card's TC (settled) or its AAC or absence (reversed, the
// account refunded).
struct PurchaseDecisionRecord {
    std::string orderId;
    std::string kind;  // "settled" or "reversed"
    std::string receiptId;
    Bytes message;  // the signed result or reversal message, exactly as received
    Bytes signature;
    std::string deviceFingerprint;
    std::string chipSerial;
    std::uint32_t amount = 0;
    std::string panLast4;
    std::string detail;  // "tc", "aac", a reversal reason
    std::int64_t decidedAt = 0;
};

struct PurchaseDecideOutcome {
    enum class Kind { Decided, SameMessage, Conflict, OrderNotFound, NotApproved, OrderClosed };
    Kind kind = Kind::Decided;
    std::optional<PurchaseDecisionRecord> decision;  // the order's (new or earlier) decision
};

}  // namespace taplink::server
