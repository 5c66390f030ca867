// The GUI's one link to taplinkd: its owner-only Unix socket (docs/api.md), newline-delimited
// JSON-RPC 2.0. Matches replies to calls by id, hands out notifications, and when taplinkd is
// not there (not started yet, restarting, crashed) says so and keeps trying with a backoff.
// Whoever needs state on the daemon's side (event subscriptions, the trusted UI) sets it up
// again on connected().
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "core/rpc_types.hpp"

class QLocalSocket;

namespace taplink::gui {

class DaemonConnection : public QObject {
    Q_OBJECT

  public:
    enum class State {
        Connecting,  // the first attempt, before we know anything
        Connected,
        Away,  // taplinkd is not running (or went away): reconnecting
    };
    Q_ENUM(State)

    using ReplyHandler = std::function<void(const RpcReply&)>;

    explicit DaemonConnection(QString socketPath, QObject* parent = nullptr);
    ~DaemonConnection() override;
    DaemonConnection(const DaemonConnection&) = delete;
    DaemonConnection& operator=(const DaemonConnection&) = delete;

    const QString& socketPath() const { return socketPath_; }
    State state() const { return state_; }
    bool isConnected() const { return state_ == State::Connected; }

    // Connects now and from then on reconnects by itself.
    void start();

    // Sends a call. `handler` runs exactly once, later (never from inside call()), with the
    // reply, or with not_running / disconnected when there is no answer to wait for; it is
    // skipped when `context` has been destroyed by then.
    void call(const QString& method, const QJsonObject& params, QObject* context,
              ReplyHandler handler);

    // call() with one more member of params, `key`: `secret` (ASCII letters and digits, the
    // online PIN), which never enters a QJsonObject; the line carrying it is wiped once the
    // socket has taken it, and `secret` at once. Qt's own write buffer is freed unwiped.
    void callWithSecret(const QString& method, const QJsonObject& params, QByteArrayView key,
                        QByteArray&& secret, QObject* context, ReplyHandler handler);

  signals:
    void stateChanged(taplink::gui::DaemonConnection::State state);
    // Each time the link is (re)established.
    void connected();
    // Events, topup.progress and ui.request notifications, as they come.
    void notificationReceived(const QString& method, const QJsonObject& params);

  private:
    struct Pending {
        QPointer<QObject> context;
        ReplyHandler handler;
    };

    void tryConnect();
    void onConnected();
    void onLost();
    void onReadyRead();
    void handleLine(const QByteArray& line);
    // Registers the call's handler and returns its id; nullopt (and the handler gets
    // not_running later) when there is no link.
    std::optional<qint64> begin(QObject* context, ReplyHandler handler);
    void deliver(const Pending& pending, const RpcReply& reply);
    void failAllPending(LocalFailure code, const QString& message);
    void setState(State state);
    void scheduleReconnect();

    QString socketPath_;
    std::unique_ptr<QLocalSocket> socket_;
    QTimer reconnectTimer_;
    std::chrono::milliseconds backoff_;
    bool linked_ = false;
    QByteArray input_;
    qint64 nextId_ = 1;
    QHash<qint64, Pending> pending_;
    State state_ = State::Connecting;
};

}  // namespace taplink::gui
