// The store's records of the bank-card EC load (docs/server.md, "Electronic-cash load"):
// cardholder accounts and their ledger, EC load authorizations and the one decision per
// order (settled or reversed). A PAN is never a field here: only its keyed hash, its last
// four digits and, for the issuer's cryptogram checks, the PAN sealed (AES-256-GCM).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "taplink/base/bytes.hpp"

namespace taplink::server {

inline constexpr std::uint8_t kPinTries = 3;

struct AccountRecord {
    std::string accountId;  // "ACC-" + 20 base32 characters
    std::string holder;
    std::string panHash;        // hex HMAC-SHA-256(server PAN key, PAN digits)
    std::string panLast4;       // display only
    std::uint64_t balance = 0;  // fen
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
    // The purchase PIN (api/account_pin.hpp): hex HMAC-SHA-256(server PIN key, account id ||
    // ":" || PIN), empty without one; the tries left before it blocks ("75").
    std::string pinHash = std::string();
    std::uint8_t pinTriesLeft = kPinTries;
};

// One row of an account's ledger. orderId is empty for an operator's credit.
struct AccountEntry {
    std::int64_t id = 0;
    std::string accountId;
    std::string orderId;
    std::string kind;  // "credit", "debit", "refund"
    std::uint64_t amount = 0;
    std::uint64_t balanceAfter = 0;
    std::int64_t at = 0;
};

// An approved EC load authorization: the account was debited in the same transaction.
struct EcAuthorizationRecord {
    std::string orderId;
    std::string accountId;
    std::string deviceFingerprint;
    std::string chipSerial;  // hex
    std::string panHash;
    Bytes panSealed;       // IV || ciphertext || tag, AAD = order id; only the result opens it
    std::string panLast4;  // for the receipt, so a reversal needs neither keys nor the PAN
    std::uint8_t psn = 0;
    std::uint8_t algorithmIndicator = 0;
    Bytes aip;
    std::uint16_t atc = 0;
    Bytes arqc;
    Bytes issuerAuthenticationData;  // the 91 sent (ARPC || ARC): the second AC's CDOL2 starts with
                                     // it
    Bytes terminalId;
    Bytes nonce;
    Bytes scriptId;
    std::uint32_t newBalance = 0;  // the EC balance the script writes
    std::string answer;            // the JSON answer, replayed for the same request
    std::int64_t issuedAt = 0;
};

// The order's one decision: the card holds the money (settled) or the account got it back.
struct EcDecisionRecord {
    std::string orderId;
    std::string kind;  // "settled" or "reversed"
    std::string receiptId;
    Bytes message;  // the signed result or reversal message, exactly as received
    Bytes signature;
    std::string deviceFingerprint;
    std::string chipSerial;
    std::uint32_t amount = 0;
    std::string panLast4;
    std::uint32_t ecBalanceAfter = 0;
    std::string detail;  // "tc", "anomaly: ...", a reversal reason
    std::int64_t decidedAt = 0;
};

enum class AccountCreateOutcome { Created, CardAlreadyLinked };
enum class AccountCreditOutcome { Credited, NotFound, TooLarge };

enum class EcAuthorizeOutcome {
    Approved,     // debited and stored now
    SameRequest,  // the stored answer of this card, ATC, ARQC, device and terminal (a lost answer)
    Declined,     // insufficient funds: nothing stored, nothing debited
    OrderNotFound,
    OrderNotOpen,
    Outstanding,  // the order was authorized for another card, ATC, device or terminal
    AtcReplayed,  // the card's ATC is not above the last one seen: a recorded ARQC
};

struct EcDecideOutcome {
    enum class Kind { Decided, SameMessage, Conflict, OrderNotFound, NotDebited, OrderClosed };
    Kind kind = Kind::Decided;
    std::optional<EcDecisionRecord> decision;  // the order's (new or earlier) decision
};

}  // namespace taplink::server
