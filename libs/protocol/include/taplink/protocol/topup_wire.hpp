// The wire contract between taplinkd and the top-up server (docs/server.md): the byte layout
// of the top-up result message that the device key signs, and the JSON bodies of the device
// API. Both sides use this file, so a field cannot mean one thing to one side and another to
// the other. Every parser is strict: a missing, unknown or ill-typed field, a value out of
// range or of the wrong size is a WireFormatError.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/base/bytes.hpp"
#include "taplink/base/strict_json.hpp"

namespace taplink::net::wire {

using Json = nlohmann::json;

// The server's error codes ({"error":{"code"}}, docs/server.md "Errors") that the daemon
// acts on; the server spells them from here too.
namespace refusal {
inline constexpr const char* kOrderNotFound = "order_not_found";
inline constexpr const char* kOrderSettled = "order_settled";
inline constexpr const char* kAlreadySettled = "already_settled";  // a repeated result report
inline constexpr const char* kDeviceRevoked = "device_revoked";
inline constexpr const char* kBadSignature = "bad_signature";
// 400: the body does not follow this contract. Not a decline: the two sides disagree on the
// contract (or the daemon sent what the card said unchecked), and nothing was authorized.
inline constexpr const char* kMalformedRequest = "malformed_request";
// The order's scheme is not the one the call serves (a city-card order on a bank-card call).
inline constexpr const char* kSchemeUnsupported = "scheme_unsupported";
// The bank card is not the one the order's account funds (EC load).
inline constexpr const char* kCardNotLinked = "card_not_linked";
// The EC load would take the card's balance past its limit (9F77).
inline constexpr const char* kEcLimitExceeded = "ec_limit_exceeded";
// Another device holds a live load authorization for the city order (docs/server.md,
// "Binding"): not a decline; the order may be tried again once it has expired.
inline constexpr const char* kOrderBound = "order_bound";
// The TSM has this device's secure chip (or its payment applet) locked: no money moves.
inline constexpr const char* kChipLocked = "chip_locked";
}  // namespace refusal

// A body or message that does not follow the contract; the message says which field and why.
class WireFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// --- Sizes of the e-purse fields (JR/T 0025 e-purse, docs/cards.md).
inline constexpr std::size_t kIssuerIdSize = 8;
inline constexpr std::size_t kCardSerialSize = 10;
inline constexpr std::size_t kTerminalIdSize = 6;
inline constexpr std::size_t kDateSize = 4;  // BCD YYYYMMDD
inline constexpr std::size_t kTimeSize = 3;  // BCD hhmmss
inline constexpr std::size_t kTacSize = 4;
inline constexpr std::size_t kCardRandomSize = 4;  // INITIALIZE FOR LOAD's pseudo-random number
inline constexpr std::size_t kMacSize = 4;         // MAC1, MAC2
inline constexpr std::size_t kNonceSize = 16;
inline constexpr std::size_t kLoadAuthorizationEnvelopeSize = 147;  // chip/load_sam_protocol.hpp
inline constexpr std::size_t kMaxOrderIdSize = 64;

// The e-purse algorithm id of INITIALIZE FOR LOAD (JR/T 0025 e-purse): 00 and 01 both mean
// triple DES (cards in the field answer either), 04 SM4. The contract carries the card's own
// byte unchanged, so the TAC and MAC checks see what the card said.
inline constexpr std::uint8_t kAlgorithmTripleDes00 = 0x00;
inline constexpr std::uint8_t kAlgorithmTripleDes = 0x01;
inline constexpr std::uint8_t kAlgorithmSm4 = 0x04;

// An order id: 1..64 characters of [A-Za-z0-9-].
bool isValidOrderId(std::string_view orderId);

// --- The top-up result message (signed by the device key: ECDSA P-256 over SHA-256 of
// exactly these bytes). Big-endian integers:
//   magic "TLR1"(4) || order id length(1) || order id (ASCII [A-Za-z0-9-], 1..64)
//   || algorithm id(1) || card serial(10) || balance before(4) || amount(4)
//   || balance after(4) || online ATC(2) (the one INITIALIZE FOR LOAD returned; the TAC
//   uses it) || terminal id(6) || date(4, BCD YYYYMMDD) || time(3, BCD hhmmss) || TAC(4)
//   || authorization nonce(16)
inline constexpr std::string_view kResultMagic = "TLR1";
inline constexpr std::size_t kResultFixedSize = 4 + 1 + 1 + kCardSerialSize + 4 + 4 + 4 + 2 +
                                                kTerminalIdSize + kDateSize + kTimeSize + kTacSize +
                                                kNonceSize;  // 61, plus the order id

struct TopupResult {
    std::string orderId;
    std::uint8_t algorithmId = kAlgorithmTripleDes;  // the card's: 00/01 triple DES, 04 SM4
    Bytes cardSerial;                                // 10
    std::uint32_t balanceBefore = 0;                 // fen
    std::uint32_t amount = 0;
    std::uint32_t balanceAfter = 0;
    std::uint16_t onlineAtc = 0;
    Bytes terminalId;  // 6
    Bytes date;        // 4, BCD YYYYMMDD
    Bytes time;        // 3, BCD hhmmss
    Bytes tac;         // 4
    Bytes nonce;       // 16, the load authorization's

    bool operator==(const TopupResult&) const = default;
};

// WireFormatError for any field that parseResult would refuse.
Bytes encodeResult(const TopupResult& result);
// WireFormatError unless the bytes are exactly one well-formed message: magic, an order id
// as above, algorithm id 00, 01 or 04, a valid BCD date and time, nothing left over.
TopupResult parseResult(ByteView message);

// --- Encodings used in the bodies (base64: taplink/base/base64.hpp, canonical only).
// Parses JSON text; WireFormatError when it is not JSON.
Json parseJson(std::string_view text);

// Reads a JSON object field by field, strictly (taplink/base/strict_json.hpp): each accessor
// throws WireFormatError naming the field ("authorize request.balance must be ...") when it
// is missing or ill-typed, and finish() throws for any field nobody asked for. For bodies of
// this contract and others (the server's configuration and admin bodies).
using StrictObject = JsonObjectReader<DescribedAs<WireFormatError>>;

// --- JSON bodies of the device API (docs/server.md). Hex fields are written upper-case and
// read in either case; each has a fixed size. fromJson throws WireFormatError for anything
// off the contract; toJson throws it for a byte field of the wrong size.

// Reversed: a bank-card EC load whose account debit was refunded (ecload_wire.hpp).
enum class OrderStatus { Open, Settled, Cancelled, Reversed };
std::string_view toString(OrderStatus status);  // "open", "settled", "cancelled", "reversed"
// WireFormatError for another name.
OrderStatus orderStatusFromString(std::string_view name);

// GET /v1/orders/{id} -> 200
struct Order {
    std::string orderId;
    std::uint32_t amount = 0;  // fen
    std::string currency = "CNY";
    std::string scheme;  // "city-epurse"
    OrderStatus status = OrderStatus::Open;
    // Present exactly for "bank-purchase" orders (purchase_wire.hpp, isValidMerchantName).
    std::optional<std::string> merchant = std::nullopt;
    // Only on a bank-purchase order answered to a device: the payment-parameters version the
    // TSM last queued for the caller's chip (1..2^32-1; docs/server.md, "TSM"). Absent when
    // the TSM never set parameters for that chip.
    std::optional<std::uint32_t> paramsVersion = std::nullopt;

    static Order fromJson(const Json& json);
    bool operator==(const Order&) const = default;
};
Json toJson(const Order& order);

// GET /v1/scripts/{scheme} -> 200: a recharge script and its signature (ECDSA P-256 over
// SHA-256 of the exact script bytes, DER ECDSA-Sig-Value) by the script-signing key, whose
// DER SubjectPublicKeyInfo hashes (SHA-256) to keyId.
struct ScriptEnvelope {
    std::string scheme;
    std::string id;
    std::uint32_t version = 0;
    Bytes script;       // base64 on the wire
    Bytes signature;    // base64 on the wire
    std::string keyId;  // 64 lower-case hex digits

    static ScriptEnvelope fromJson(const Json& json);
    bool operator==(const ScriptEnvelope&) const = default;
};
Json toJson(const ScriptEnvelope& envelope);

// POST /v1/orders/{id}/authorize: what the card said in INITIALIZE FOR LOAD, and who asks.
struct AuthorizeRequest {
    Bytes issuerId;                                  // 8
    Bytes cardSerial;                                // 10
    std::uint32_t balance = 0;                       // fen, before the load
    std::uint16_t onlineAtc = 0;                     // from INITIALIZE FOR LOAD
    std::uint8_t algorithmId = kAlgorithmTripleDes;  // the card's: 0 or 1 triple DES, 4 SM4
    std::uint8_t keyVersion = 0;
    Bytes terminalId;  // 6
    // The rest of the card's INITIALIZE FOR LOAD answer: its random and MAC1, by which the
    // server checks that the balance and online ATC above are the card's own (docs/server.md).
    Bytes random;  // 4
    Bytes mac1;    // 4

    static AuthorizeRequest fromJson(const Json& json);
    bool operator==(const AuthorizeRequest&) const = default;
};
Json toJson(const AuthorizeRequest& request);

// -> 200: the load authorization as a data script for the secure chip:
//   {"orderId", "nonce", "expiresAt", "dataScript": {"format":"taplink-script/1",
//    "kind":"data", "target":"chip", "scheme",
//    "items": {"loadAuthorization": HEX, "allowanceSignature": HEX}}}
inline constexpr std::string_view kDataScriptFormat = "taplink-script/1";
struct AuthorizeResponse {
    std::string orderId;
    Bytes nonce;                 // 16
    std::int64_t expiresAt = 0;  // unix seconds
    std::string scheme;          // the data script's
    Bytes loadAuthorization;     // the 147-byte ECIES envelope
    // The allowance key's DER ECDSA signature over the chip allowance statement (serial and
    // envelope), which the load SAM verifies before it opens the envelope.
    Bytes allowanceSignature;  // chip::sam::kMin/kMaxAllowanceSignatureSize (8..72)

    static AuthorizeResponse fromJson(const Json& json);
    bool operator==(const AuthorizeResponse&) const = default;
};
Json toJson(const AuthorizeResponse& response);

// POST /v1/orders/{id}/result: the encoded TopupResult and the device key's DER signature.
struct ResultReport {
    Bytes result;     // base64 on the wire
    Bytes signature;  // base64 on the wire

    static ResultReport fromJson(const Json& json);
    bool operator==(const ResultReport&) const = default;
};
Json toJson(const ResultReport& report);

struct Receipt {
    std::string receiptId;
    std::string orderId;
    std::uint32_t amount = 0;
    std::string cardSerial;  // masked, "…0042"
    std::uint32_t balanceAfter = 0;
    Bytes tac;  // 4
    std::int64_t settledAt = 0;

    static Receipt fromJson(const Json& json);
    bool operator==(const Receipt&) const = default;
};
Json toJson(const Receipt& receipt);

// -> 200 {"orderId", "status":"settled", "settledAt", "receipt"}
struct Settlement {
    std::string orderId;
    std::int64_t settledAt = 0;
    Receipt receipt;

    static Settlement fromJson(const Json& json);
    bool operator==(const Settlement&) const = default;
};
Json toJson(const Settlement& settlement);

// Every error: {"error":{"code":"snake_case","message":"plain words"}}; a replayed result
// (409 already_settled) also carries "receipt" and "sameResult": true.
struct ErrorBody {
    std::string code;
    std::string message;
    std::optional<Receipt> receipt;
    std::optional<bool> sameResult;

    static ErrorBody fromJson(const Json& json);
    bool operator==(const ErrorBody&) const = default;
};
Json toJson(const ErrorBody& error);

}  // namespace taplink::net::wire
