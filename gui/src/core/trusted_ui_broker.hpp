// The GUI as taplinkd's trusted UI (docs/api.md, "Trusted UI"): attaches after every
// (re)connect, hands each ui.request (allow a web origin, confirm a web page's top-up or
// purchase, choose an application, enter the card's PIN) to
// whoever shows it, and sends the user's answer back with ui.respond. A request that closes
// on taplinkd's side (answered elsewhere, timed out, caller gone) or with the connection is
// reported as closed, so its dialog goes away.
#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include "core/api_types.hpp"

namespace taplink::gui {

class DaemonConnection;

class TrustedUiBroker : public QObject {
    Q_OBJECT

  public:
    enum class Decision { Allow, Deny };

    explicit TrustedUiBroker(DaemonConnection& connection, QObject* parent = nullptr);

    bool attached() const { return attached_; }
    QList<UiRequest> openRequests() const { return open_.values(); }

    // The user's answer; `remember` (origin requests) adds the origin to the allowed ones.
    void respond(const QString& id, Decision decision, bool remember = false);
    // An "application" request's answer: the AID the user chose.
    void choose(const QString& id, const QString& aid);
    // A "pin" request's answer: the card's PIN as ui.respond's choice, then wiped (taken from
    // `digits`, which is left empty). Anything but 4..12 ASCII digits is never sent: the
    // request is denied instead.
    void answerPin(const QString& id, QByteArray&& digits);

  signals:
    void attachedChanged(bool attached);
    void requestArrived(const taplink::gui::UiRequest& request);
    // reason: answered, timeout, caller_left, cancelled (taplinkd), disconnected (ours).
    void requestClosed(const QString& id, const QString& reason);
    // The user let a web page's top-up go on.
    void topupAllowed(const QString& orderId);

  private:
    void attach();
    void send(const QString& id, const QJsonObject& params, Decision decision);
    void onNotification(const QString& method, const QJsonObject& params);
    void open(const UiRequest& request);
    void close(const QString& id, const QString& reason);
    void closeAll(const QString& reason);
    void setAttached(bool attached);

    DaemonConnection& connection_;
    QHash<QString, UiRequest> open_;
    bool attached_ = false;
};

}  // namespace taplink::gui
