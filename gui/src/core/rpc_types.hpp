// What a call to taplinkd comes back with (docs/api.md, "JSON-RPC rules" and "Errors").
#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>
#include <variant>

#include "taplink/protocol/error_code.hpp"

namespace taplink::gui {

// Failures that never got an answer from taplinkd, next to the daemon's own codes.
enum class LocalFailure {
    NotRunning,           // nobody listens on the socket
    Disconnected,         // taplinkd went away mid-call
    ProtocolError,        // an answer we cannot read
    MerchantUnreachable,  // the demo shop's order endpoint (merchant_client.hpp)
};

// What failed: taplinkd's error.data.code (a code this build does not know reads as
// Internal, docs/api.md "Versioning"), or a local failure.
using FailureCode = std::variant<api::ErrorCode, LocalFailure>;

// The code's name, for logs ("card_removed", "not_running").
QString failureName(const FailureCode& code);

struct RpcError {
    int rpcCode = 0;  // the JSON-RPC error.code; 0 for local failures
    FailureCode code = api::ErrorCode::Internal;
    QString message;  // taplinkd's message, for logs (the UI shows error_texts instead)
    QJsonObject details;
};

struct RpcReply {
    QJsonObject result;  // every result of this API is an object
    std::optional<RpcError> error;

    bool ok() const { return !error.has_value(); }
};

// A reply that failed locally, before or without an answer.
inline RpcReply localFailure(LocalFailure code, const QString& message) {
    RpcReply reply;
    reply.error = RpcError{0, code, message, {}};
    return reply;
}

}  // namespace taplink::gui
