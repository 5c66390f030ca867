// The API's error codes (docs/api.md "Errors", docs/api/taplink-api.schema.json "errors"):
// what a failure becomes on the wire (error.data.code), and what the CLI and the GUI map to
// exit codes and words. The one table of their names is in error_code.cpp.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace taplink::api {

enum class ErrorCode {
    InvalidParams,
    NoReader,
    NoCard,
    CardRemoved,
    UnsupportedCard,
    PcscUnavailable,
    ChipUnavailable,
    ServerUnreachable,
    ServerError,
    OrderNotFound,
    OrderSettled,
    Declined,
    ScriptRejected,
    Cancelled,
    TooLate,  // cancel after the card was written
    Busy,
    Timeout,
    NotFound,
    Internal,
    // Web callers (docs/api.md, "Web callers").
    OriginDenied,
    UserDenied,
    ConfirmationUnavailable,
    RateLimited,
    // Bank-card EC loads (docs/api.md, "ecload.start").
    WrongScheme,      // the order or the card presented is not of the bank-ec scheme
    EcLimitExceeded,  // EC balance + amount over the card's EC balance limit (9F77)
    CardExpired,      // the application's expiration date (5F24) has passed
    NoApplication,    // no application both the card and the daemon support
    PinBlocked,       // the card's PIN try counter (9F17) is 0: refused before any cryptogram
    // Chip management (docs/api.md, "chip.status"): the TSM locked the device's load SAM.
    ChipLocked,
    // Tap & Pay purchases (docs/api.md, "pay.start").
    WrongPin,       // the issuer refused the online PIN (ARC 55); details {"pinTriesLeft"}
    LimitExceeded,  // over the device's per-transaction or daily limit (chip 9401, 9402)
    // The chip's payment parameters are older than the server's order asks, even after a
    // TSM sync: refused before the card is touched. details {"required", "applied"}
    ChipOutdated,
    // Standard JSON-RPC errors (section 5.1) as a client names them; no handler throws these.
    ParseError,
    InvalidRequest,
    MethodNotFound,
};

// The code's name on the wire ("card_removed").
std::string_view errorCodeName(ErrorCode code);

// The code a name stands for; nullopt for a name this build does not know (a newer daemon:
// docs/api.md "Versioning" says to treat it as internal).
std::optional<ErrorCode> errorCodeFromName(std::string_view name);

// The application codes (error.data.code) in docs/api.md order, without the standard ones.
std::span<const ErrorCode> applicationErrorCodes();

}  // namespace taplink::api
