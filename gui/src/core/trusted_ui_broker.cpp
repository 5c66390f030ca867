#include "core/trusted_ui_broker.hpp"

#include <QJsonArray>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"
#include "core/secret_text.hpp"
#include "taplink/base/log.hpp"

namespace taplink::gui {

namespace {

// Logs what taplinkd said, never what was sent (it may have carried the PIN).
void logRespondFailure(const RpcReply& reply) {
    if (!reply.ok()) {
        log::warning("ui.respond: " +
                     (failureName(reply.error->code) + u' ' + reply.error->message).toStdString());
    }
}

}  // namespace

TrustedUiBroker::TrustedUiBroker(DaemonConnection& connection, QObject* parent)
    : QObject(parent), connection_(connection) {
    connect(&connection_, &DaemonConnection::connected, this, &TrustedUiBroker::attach);
    connect(&connection_, &DaemonConnection::notificationReceived, this,
            &TrustedUiBroker::onNotification);
    connect(&connection_, &DaemonConnection::stateChanged, this, [this] {
        if (!connection_.isConnected()) {
            setAttached(false);
            closeAll("disconnected");  // taplinkd forgets its questions when it stops
        }
    });
}

void TrustedUiBroker::attach() {
    connection_.call(apiName(api::method::kUiAttach), {}, this, [this](const RpcReply& reply) {
        if (!reply.ok()) {
            log::warning(
                "taplinkd refused ui.attach: " +
                (failureName(reply.error->code) + u' ' + reply.error->message).toStdString());
            return;
        }
        setAttached(reply.result.value("attached").toBool());
        for (const auto& pending : reply.result.value("pending").toArray()) {
            open(uiRequestFromJson(pending.toObject()));
        }
    });
}

void TrustedUiBroker::respond(const QString& id, Decision decision, bool remember) {
    const auto found = open_.constFind(id);
    if (found == open_.constEnd()) {
        return;  // already closed: taplinkd would answer not_found
    }
    QJsonObject params{{"id", found->rawId},
                       {"decision", decision == Decision::Allow ? "allow" : "deny"}};
    if (remember) {
        params.insert("remember", true);
    }
    send(id, params, decision);
}

void TrustedUiBroker::choose(const QString& id, const QString& aid) {
    const auto found = open_.constFind(id);
    if (found == open_.constEnd()) {
        return;
    }
    send(id, {{"id", found->rawId}, {"decision", "allow"}, {"choice", aid}}, Decision::Allow);
}

// The answer of an open request (the caller found it): closes it, then ui.respond.
void TrustedUiBroker::send(const QString& id, const QJsonObject& params, Decision decision) {
    const std::optional<TopupQuestion> topup = open_.value(id).topup;
    close(id, "answered");
    if (topup && decision == Decision::Allow) {
        emit topupAllowed(topup->orderId);
    }
    connection_.call(apiName(api::method::kUiRespond), params, this, logRespondFailure);
}

void TrustedUiBroker::answerPin(const QString& id, QByteArray&& digits) {
    QByteArray pin = std::move(digits);
    const auto found = open_.constFind(id);
    if (found == open_.constEnd() || !found->isPin()) {
        wipe(pin);
        return;
    }
    if (!isPinDigits(pin)) {
        wipe(pin);
        respond(id, Decision::Deny);  // taplinkd would refuse it; the PIN goes nowhere
        return;
    }
    const QJsonObject params{{"id", found->rawId}, {"decision", "allow"}};
    close(id, "answered");
    connection_.callWithSecret(apiName(api::method::kUiRespond), params, "choice", std::move(pin),
                               this, logRespondFailure);
}

void TrustedUiBroker::onNotification(const QString& method, const QJsonObject& params) {
    if (method == apiName(api::notification::kUiRequest)) {
        open(uiRequestFromJson(params));
    } else if (method == apiName(api::notification::kUiRequestClosed)) {
        close(uiRequestKey(params.value("id")), params.value("reason").toString());
    }
}

void TrustedUiBroker::open(const UiRequest& request) {
    if (request.id.isEmpty() || open_.contains(request.id)) {
        return;  // a pending request listed again after a re-attach
    }
    open_.insert(request.id, request);
    emit requestArrived(request);
}

void TrustedUiBroker::close(const QString& id, const QString& reason) {
    if (open_.remove(id) > 0) {
        emit requestClosed(id, reason);
    }
}

void TrustedUiBroker::closeAll(const QString& reason) {
    const QList<QString> ids = open_.keys();
    for (const QString& id : ids) {
        close(id, reason);
    }
}

void TrustedUiBroker::setAttached(bool attached) {
    if (attached_ != attached) {
        attached_ = attached;
        emit attachedChanged(attached);
    }
}

}  // namespace taplink::gui
