// What a call to taplinkd comes back with (docs/api.md, "JSON-RPC rules" and "Errors").
#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

namespace taplink::gui {

// Codes the GUI gives failures that never got an answer from taplinkd, next to the daemon's
// own error.data.code values (docs/api/taplink-api.schema.json "errors").
namespace localcode {
inline constexpr const char* kNotRunning = "not_running";        // nobody listens on the socket
inline constexpr const char* kDisconnected = "disconnected";     // taplinkd went away mid-call
inline constexpr const char* kProtocolError = "protocol_error";  // an answer we cannot read
}  // namespace localcode

struct RpcError {
    int rpcCode = 0;  // the JSON-RPC error.code; 0 for local codes
    QString code;     // error.data.code, or one of localcode
    QString message;  // taplinkd's message, for logs (the UI shows error_texts instead)
    QJsonObject details;
};

struct RpcReply {
    QJsonObject result;  // every result of this API is an object
    std::optional<RpcError> error;

    bool ok() const { return !error.has_value(); }
};

// A reply that failed locally, before or without an answer.
inline RpcReply localFailure(const QString& code, const QString& message) {
    RpcReply reply;
    reply.error = RpcError{0, code, message, {}};
    return reply;
}

}  // namespace taplink::gui
