#include "core/token_generator.hpp"

#include <QJsonValue>
#include <optional>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"

namespace taplink::gui {

namespace {

constexpr qsizetype kDigits = 8;  // OCRA suite QN08 (RFC 6287 5.1): the code has 8 too

bool isDigits(const QString& text) {
    if (text.size() != kDigits) {
        return false;
    }
    for (const QChar digit : text) {
        if (digit < QLatin1Char('0') || digit > QLatin1Char('9')) {
            return false;
        }
    }
    return true;
}

// token.generate's result {"code":"8 digits","counter":n} (docs/api.md); nullopt otherwise.
std::optional<DynamicToken> tokenFromJson(const QJsonObject& result) {
    const QJsonValue code = result.value(QLatin1String("code"));
    const QJsonValue counter = result.value(QLatin1String("counter"));
    if (!isDigits(code.toString()) || !counter.isDouble() || counter.toInteger(-1) < 0) {
        return std::nullopt;
    }
    return DynamicToken{code.toString(), counter.toInteger()};
}

}  // namespace

TokenGenerator::TokenGenerator(DaemonConnection& connection, QObject* parent)
    : QObject(parent), connection_(connection) {}

bool TokenGenerator::isChallenge(const QString& text) {
    return isDigits(text);
}

bool TokenGenerator::generate(const QString& challenge) {
    if (running_ || !isChallenge(challenge)) {
        return false;
    }
    setRunning(true);
    connection_.call(apiName(api::method::kTokenGenerate),
                     {{QStringLiteral("challenge"), challenge}}, this,
                     [this](const RpcReply& reply) { onReply(reply); });
    return true;
}

void TokenGenerator::onReply(const RpcReply& reply) {
    setRunning(false);
    if (!reply.ok()) {
        emit failed(*reply.error);
        return;
    }
    if (const std::optional<DynamicToken> token = tokenFromJson(reply.result)) {
        emit generated(*token);
        return;
    }
    emit failed(RpcError{0,
                         LocalFailure::ProtocolError,
                         QStringLiteral("token.generate answered without an 8-digit code"),
                         {}});
}

void TokenGenerator::setRunning(bool running) {
    if (running_ != running) {
        running_ = running;
        emit runningChanged(running);
    }
}

}  // namespace taplink::gui
