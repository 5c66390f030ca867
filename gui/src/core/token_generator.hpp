// The payment applet's dynamic token (token.generate, docs/api.md "Dynamic token"): the
// one-time code for the 8-digit challenge the bank gave, and the chip counter it used. Every
// call spends a counter in the chip, so a call is only ever made by generate(), which the
// token dialog calls when the user presses Generate: never on start, reconnect or card events.
#pragma once

#include <QObject>
#include <QString>

#include "core/rpc_types.hpp"

namespace taplink::gui {

class DaemonConnection;

struct DynamicToken {
    QString code;  // 8 digits (OCRA-1:HOTP-SHA1-8:C-QN08, RFC 6287 5.1)
    qint64 counter = 0;
};

class TokenGenerator : public QObject {
    Q_OBJECT

  public:
    explicit TokenGenerator(DaemonConnection& connection, QObject* parent = nullptr);

    // Exactly 8 ASCII digits: the suite's QN08 challenge, all taplinkd takes.
    static bool isChallenge(const QString& text);

    bool running() const { return running_; }

    // One token.generate; false, and nothing sent, for a bad challenge or while a call runs.
    bool generate(const QString& challenge);

  signals:
    void runningChanged(bool running);
    void generated(const taplink::gui::DynamicToken& token);
    void failed(const taplink::gui::RpcError& error);

  private:
    void onReply(const RpcReply& reply);
    void setRunning(bool running);

    DaemonConnection& connection_;
    bool running_ = false;
};

}  // namespace taplink::gui
