#include "fake_taplinkd.hpp"

#include <QJsonDocument>
#include <QLocalSocket>

namespace taplink::gui::test {

namespace {

constexpr int kMethodNotFound = -32601;    // JSON-RPC 2.0 5.1
constexpr int kApplicationError = -32000;  // docs/api.md "Errors"

QJsonObject errorOf(const QJsonObject& call, int code, const QJsonObject& data) {
    QJsonObject error{{"code", code}, {"message", "fake taplinkd"}};
    if (!data.isEmpty()) {
        error.insert("data", data);
    }
    return {{"jsonrpc", "2.0"}, {"id", call.value("id")}, {"error", error}};
}

}  // namespace

FakeTaplinkd::FakeTaplinkd() {
    connect(&server_, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* client = server_.nextPendingConnection()) {
            ++connections_;
            client_ = client;
            connect(client, &QLocalSocket::readyRead, this, [this, client] { read(client); });
        }
    });
    listen();
}

void FakeTaplinkd::listen() {
    const QString path = dir_.filePath(QStringLiteral("taplinkd.sock"));
    QLocalServer::removeServer(path);
    server_.listen(path);
}

void FakeTaplinkd::answer(const QString& method, const QJsonObject& result) {
    answer(method, [result](const QJsonObject&) { return FakeAnswer{result, {}}; });
}

void FakeTaplinkd::fail(const QString& method, const QString& errorCode) {
    answer(method, [errorCode](const QJsonObject&) { return FakeAnswer{{}, errorCode}; });
}

QList<QJsonObject> FakeTaplinkd::calls(const QString& method) const {
    QList<QJsonObject> params;
    for (const auto& [name, callParams] : calls_) {
        if (name == method) {
            params.append(callParams);
        }
    }
    return params;
}

void FakeTaplinkd::notify(const QString& method, const QJsonObject& params) {
    if (!client_.isNull()) {
        send(client_, {{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
    }
}

void FakeTaplinkd::restart() {
    server_.close();
    if (!client_.isNull()) {
        client_->abort();
    }
    listen();
}

void FakeTaplinkd::read(QLocalSocket* client) {
    QByteArray& input = input_[client];
    input.append(client->readAll());
    qsizetype newline = 0;
    while ((newline = input.indexOf('\n')) >= 0) {
        const QJsonObject call = QJsonDocument::fromJson(input.left(newline)).object();
        input.remove(0, newline + 1);
        answerCall(client, call);
    }
}

void FakeTaplinkd::answerCall(QLocalSocket* client, const QJsonObject& call) {
    const QString method = call.value("method").toString();
    const QJsonObject params = call.value("params").toObject();
    calls_.append({method, params});
    const auto handler = handlers_.constFind(method);
    if (handler == handlers_.constEnd()) {
        send(client, errorOf(call, kMethodNotFound, {}));
        return;
    }
    const FakeAnswer answer = (*handler)(params);
    if (!answer.errorCode.isEmpty()) {
        send(client, errorOf(call, kApplicationError, {{"code", answer.errorCode}}));
        return;
    }
    send(client, {{"jsonrpc", "2.0"}, {"id", call.value("id")}, {"result", answer.result}});
}

void FakeTaplinkd::send(QLocalSocket* client, const QJsonObject& message) {
    client->write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
}

}  // namespace taplink::gui::test
