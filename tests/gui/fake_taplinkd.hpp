// taplinkd's end of the socket, for what the real taplinkd does only with a chip or a card in
// a given state (a locked payment applet, a purchase's PIN question): each call is answered
// by the handler set for its method (a method without one gets -32601, as from taplinkd),
// every call's params are kept as they came over the wire, and notifications can be sent.
// restart() drops the connection and listens again, so the GUI goes Away and reconnects.
// The GUI side under test is the real one, from DaemonConnection up.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QLocalServer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTemporaryDir>
#include <functional>

class QLocalSocket;

namespace taplink::gui::test {

// A handler's answer: the result, or the error.data.code when errorCode is set.
struct FakeAnswer {
    QJsonObject result;
    QString errorCode;
};

class FakeTaplinkd : public QObject {
  public:
    using Handler = std::function<FakeAnswer(const QJsonObject& params)>;

    FakeTaplinkd();

    QString path() const { return server_.fullServerName(); }

    void answer(const QString& method, const Handler& handler) {
        handlers_.insert(method, handler);
    }
    void answer(const QString& method, const QJsonObject& result);
    void fail(const QString& method, const QString& errorCode);

    // The params of each call of `method`, in order.
    QList<QJsonObject> calls(const QString& method) const;
    // How many connections the GUI has made.
    int connections() const { return connections_; }

    void notify(const QString& method, const QJsonObject& params);
    void restart();

  private:
    void listen();
    void read(QLocalSocket* client);
    void answerCall(QLocalSocket* client, const QJsonObject& call);
    static void send(QLocalSocket* client, const QJsonObject& message);

    QTemporaryDir dir_;
    QLocalServer server_;
    QPointer<QLocalSocket> client_;
    QHash<QLocalSocket*, QByteArray> input_;
    QHash<QString, Handler> handlers_;
    QList<std::pair<QString, QJsonObject>> calls_;
    int connections_ = 0;
};

}  // namespace taplink::gui::test
