#include "core/rpc_codec.hpp"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

namespace taplink::gui::rpc {

namespace {

RpcError errorFrom(const QJsonObject& error) {
    RpcError result;
    result.rpcCode = error.value("code").toInt();
    result.message = error.value("message").toString();
    const QJsonObject data = error.value("data").toObject();
    const QByteArray code = data.value("code").toString().toUtf8();
    result.details = data.value("details").toObject();
    if (code.isEmpty()) {
        // A JSON-RPC error without our data: only the protocol-level ones (-32700, -32600,
        // -32601) come like that, and they mean the two sides disagree.
        result.code = LocalFailure::ProtocolError;
        return result;
    }
    const std::string_view name(code.constData(), static_cast<std::size_t>(code.size()));
    result.code = api::errorCodeFromName(name).value_or(api::ErrorCode::Internal);
    return result;
}

Message replyFrom(const QJsonObject& message) {
    const QJsonValue id = message.value("id");
    if (!id.isDouble()) {
        return Malformed{"a reply whose id is not one of ours"};
    }
    Reply reply;
    reply.id = id.toInteger();
    if (message.contains("error")) {
        reply.reply.error = errorFrom(message.value("error").toObject());
    } else {
        reply.reply.result = message.value("result").toObject();
    }
    return reply;
}

}  // namespace

QByteArray encodeRequest(qint64 id, const QString& method, const QJsonObject& params) {
    const QJsonObject request{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    return QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
}

Message decode(const QByteArray& line) {
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return Malformed{"not a JSON object: " + parseError.errorString()};
    }
    const QJsonObject message = document.object();
    if (message.value("jsonrpc").toString() != "2.0") {
        return Malformed{"not JSON-RPC 2.0"};
    }
    if (message.contains("result") || message.contains("error")) {
        return replyFrom(message);
    }
    if (message.value("method").isString() && !message.contains("id")) {
        return Notification{message.value("method").toString(), message.value("params").toObject()};
    }
    return Malformed{"neither a reply nor a notification"};
}

}  // namespace taplink::gui::rpc
