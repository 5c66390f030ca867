// The wire format of taplinkd's socket: one JSON-RPC 2.0 message per line (docs/api.md, "The
// Unix socket"). Turns calls into lines and lines into replies or notifications.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <variant>

#include "core/rpc_types.hpp"

namespace taplink::gui::rpc {

// Messages longer than this (without the newline) are refused by taplinkd; the GUI drops a
// connection that sends it one.
inline constexpr qsizetype kMaxMessageBytes = 1024 * 1024;

struct Reply {
    qint64 id = 0;
    RpcReply reply;
};

struct Notification {
    QString method;
    QJsonObject params;
};

struct Malformed {
    QString why;
};

using Message = std::variant<Reply, Notification, Malformed>;

// `{"jsonrpc":"2.0","id":id,"method":...,"params":...}` and the newline.
QByteArray encodeRequest(qint64 id, const QString& method, const QJsonObject& params);

// The same with one more member of params, `key`: `secret`, written into a buffer of its own
// (reserved once, so no reallocation leaves a copy behind) for the caller to wipe once it is
// sent. `secret` must be ASCII letters and digits (it is not escaped); empty when it is not.
QByteArray encodeRequestWithSecret(qint64 id, const QString& method, const QJsonObject& params,
                                   QByteArrayView key, QByteArrayView secret);

// One line as received, without its newline.
Message decode(const QByteArray& line);

}  // namespace taplink::gui::rpc
