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

// One line as received, without its newline.
Message decode(const QByteArray& line);

}  // namespace taplink::gui::rpc
