// The results and notifications of taplinkd's API the GUI shows, read from their JSON
// (docs/api/taplink-api.schema.json). Amounts stay integer fen, exactly as taplinkd sent them.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <optional>

namespace taplink::gui {

// readers.list: one reader.
struct ReaderInfo {
    QString name;
    QString role;   // "card" | "chip"
    QString state;  // "empty" | "present" | "unavailable"
    std::optional<QString> cardScheme;
    QString maskedSerial;

    bool isCardReader() const { return role == QLatin1String("card"); }
    bool hasCard() const { return state == QLatin1String("present"); }
};

// card.info.
struct CardInfo {
    QString reader;
    QString scheme;
    QString serial;  // masked: "…0042"
    QString issuerId;
    QString validFrom;  // YYYY-MM-DD
    QString validUntil;
    qint64 balance = 0;  // fen
    QString currency;
};

// card.history: one record of the card's own log.
struct HistoryRecord {
    QString type;  // "load" | "purchase"
    qint64 amount = 0;
    std::optional<qint64> balanceAfter;
    QString terminalId;
    QString date;
    QString time;
    int atc = 0;
};

// topup.start's result.
struct TopupResult {
    QString orderId;
    qint64 amount = 0;
    qint64 balanceBefore = 0;
    qint64 balanceAfter = 0;
    QString tac;
    bool settled = false;
};

// ui.request: a question taplinkd asks the user through the trusted UI (docs/api.md).
struct TopupQuestion {
    QString orderId;
    qint64 amount = 0;
    QString currency;
    QString reader;
    QString scheme;
    QString serial;
};

struct UiRequest {
    QString id;        // as a key (see uiRequestKey)
    QJsonValue rawId;  // as taplinkd sent it, for ui.respond
    QString kind;      // "origin" | "topup"
    QString origin;
    QString transport;  // "websocket" | "native-messaging"
    QString extensionId;
    std::optional<TopupQuestion> topup;
    QDateTime expiresAt;

    bool isTopup() const { return kind == QLatin1String("topup"); }
};

QList<ReaderInfo> readersFromJson(const QJsonObject& result);
CardInfo cardInfoFromJson(const QJsonObject& result);
QList<HistoryRecord> historyFromJson(const QJsonObject& result);
TopupResult topupResultFromJson(const QJsonObject& result);
UiRequest uiRequestFromJson(const QJsonObject& params);
// A ui.request id (string or number) as a map key.
QString uiRequestKey(const QJsonValue& id);

}  // namespace taplink::gui
