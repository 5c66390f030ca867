#include "core/daemon_connection.hpp"

#include <QLocalSocket>
#include <algorithm>
#include <utility>
#include <variant>

#include "core/rpc_codec.hpp"
#include "core/secret_text.hpp"
#include "taplink/base/log.hpp"

namespace taplink::gui {

namespace {
// Reconnect quickly after a restart, then back off to a slow poll while taplinkd is away.
constexpr std::chrono::milliseconds kFirstBackoff{200};
constexpr std::chrono::milliseconds kMaxBackoff{2000};
}  // namespace

DaemonConnection::DaemonConnection(QString socketPath, QObject* parent)
    : QObject(parent),
      socketPath_(std::move(socketPath)),
      socket_(std::make_unique<QLocalSocket>()),
      backoff_(kFirstBackoff) {
    reconnectTimer_.setSingleShot(true);
    connect(&reconnectTimer_, &QTimer::timeout, this, &DaemonConnection::tryConnect);
    connect(socket_.get(), &QLocalSocket::connected, this, &DaemonConnection::onConnected);
    connect(socket_.get(), &QLocalSocket::disconnected, this, &DaemonConnection::onLost);
    connect(socket_.get(), &QLocalSocket::errorOccurred, this, [this] {
        if (socket_->state() == QLocalSocket::UnconnectedState) {
            onLost();
        }
    });
    connect(socket_.get(), &QLocalSocket::readyRead, this, &DaemonConnection::onReadyRead);
}

DaemonConnection::~DaemonConnection() {
    // No handler runs while we are half destroyed.
    socket_->disconnect(this);
    socket_->abort();
}

void DaemonConnection::start() {
    tryConnect();
}

void DaemonConnection::tryConnect() {
    socket_->abort();
    input_.clear();
    socket_->connectToServer(socketPath_);
}

void DaemonConnection::onConnected() {
    linked_ = true;
    backoff_ = kFirstBackoff;
    setState(State::Connected);
    emit connected();
}

void DaemonConnection::onLost() {
    if (linked_) {
        linked_ = false;
        failAllPending(LocalFailure::Disconnected, "taplinkd closed the connection");
    }
    setState(State::Away);
    scheduleReconnect();
}

void DaemonConnection::scheduleReconnect() {
    if (reconnectTimer_.isActive()) {
        return;  // the error and the disconnect of one loss both land here
    }
    reconnectTimer_.start(backoff_);
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void DaemonConnection::setState(State state) {
    if (state_ != state) {
        state_ = state;
        emit stateChanged(state);
    }
}

std::optional<qint64> DaemonConnection::begin(QObject* context, ReplyHandler handler) {
    const Pending pending{context, std::move(handler)};
    if (!linked_) {
        const RpcReply reply = localFailure(LocalFailure::NotRunning, "taplinkd is not running");
        QTimer::singleShot(0, this, [this, pending, reply] { deliver(pending, reply); });
        return std::nullopt;
    }
    const qint64 id = nextId_++;
    pending_.insert(id, pending);
    return id;
}

void DaemonConnection::call(const QString& method, const QJsonObject& params, QObject* context,
                            ReplyHandler handler) {
    if (const auto id = begin(context, std::move(handler))) {
        socket_->write(rpc::encodeRequest(*id, method, params));
    }
}

void DaemonConnection::callWithSecret(const QString& method, const QJsonObject& params,
                                      QByteArrayView key, QByteArray&& secret, QObject* context,
                                      ReplyHandler handler) {
    QByteArray taken = std::move(secret);
    const auto id = begin(context, std::move(handler));
    QByteArray line =
        id ? rpc::encodeRequestWithSecret(*id, method, params, key, taken) : QByteArray();
    wipe(taken);
    if (id && line.isEmpty()) {
        // Never on the wire, never in a log: only that it was refused.
        const RpcReply reply = localFailure(LocalFailure::ProtocolError,
                                            "not sent: a secret that is not letters and digits");
        QTimer::singleShot(
            0, this, [this, pending = pending_.take(*id), reply] { deliver(pending, reply); });
    } else if (id) {
        socket_->write(line);
        wipe(line);
    }
}

void DaemonConnection::deliver(const Pending& pending, const RpcReply& reply) {
    if (pending.handler && !pending.context.isNull()) {
        pending.handler(reply);
    }
}

void DaemonConnection::failAllPending(LocalFailure code, const QString& message) {
    const QHash<qint64, Pending> failed = std::exchange(pending_, {});
    const RpcReply reply = localFailure(code, message);
    for (const Pending& pending : failed) {
        QTimer::singleShot(0, this, [this, pending, reply] { deliver(pending, reply); });
    }
}

void DaemonConnection::onReadyRead() {
    input_.append(socket_->readAll());
    qsizetype newline = 0;
    while ((newline = input_.indexOf('\n')) >= 0) {
        const QByteArray line = input_.left(newline).trimmed();
        input_.remove(0, newline + 1);
        if (!line.isEmpty()) {
            handleLine(line);
        }
        if (!linked_) {
            return;  // a handler's reaction or a bad line ended the link
        }
    }
    if (input_.size() > rpc::kMaxMessageBytes) {
        log::warning("taplinkd sent a message over 1 MiB; reconnecting");
        socket_->abort();
    }
}

void DaemonConnection::handleLine(const QByteArray& line) {
    const rpc::Message message = rpc::decode(line);
    if (const auto* reply = std::get_if<rpc::Reply>(&message)) {
        if (pending_.contains(reply->id)) {
            deliver(pending_.take(reply->id), reply->reply);
        }
    } else if (const auto* note = std::get_if<rpc::Notification>(&message)) {
        emit notificationReceived(note->method, note->params);
    } else {
        log::warning("taplinkd: " + std::get<rpc::Malformed>(message).why.toStdString());
    }
}

}  // namespace taplink::gui
