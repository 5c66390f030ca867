#include "core/rpc_codec.hpp"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <algorithm>

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

QByteArray encodeRequestWithSecret(qint64 id, const QString& method, const QJsonObject& params,
                                   QByteArrayView key, QByteArrayView secret) {
    // ASCII only, whatever the locale (isalnum would follow setlocale).
    const auto plain = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    };
    if (params.isEmpty() || !std::all_of(secret.begin(), secret.end(), plain) ||
        !std::all_of(key.begin(), key.end(), plain)) {
        return {};
    }
    // QJsonObject writes its keys sorted, so "params" is the last member and the line ends
    // with params' "}", the request's "}" and the newline: the secret goes in before them.
    const QByteArray head = encodeRequest(id, method, params);
    const QByteArrayView tail("}}\n");
    if (!head.endsWith(tail)) {
        return {};
    }
    constexpr qsizetype kQuotes = 6;  // ,"key":"secret" adds , " ":" and "
    QByteArray line;
    line.reserve(head.size() + key.size() + secret.size() + kQuotes);
    line.append(QByteArrayView(head).chopped(tail.size()));
    line.append(",\"").append(key).append("\":\"").append(secret).append("\"").append(tail);
    return line;
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
