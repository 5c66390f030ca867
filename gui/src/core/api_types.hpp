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

// card.info: a city card's, or a bank card's (scheme "bank-ec": its masked PAN as the serial,
// its EC balance as the balance).
struct CardInfo {
    QString reader;
    QString scheme;
    QString serial;       // masked: "…0042"
    QString application;  // bank cards: the application's label, e.g. "PBOC DEBIT"
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
    QString merchant;  // a bank card's EC log names no terminal, maybe the merchant
    QString date;
    QString time;
    int atc = 0;
};

// topup.start's result, or ecload.start's (a bank card's EC balance, its masked PAN and
// application instead of the TAC).
struct TopupResult {
    QString orderId;
    qint64 amount = 0;
    qint64 balanceBefore = 0;
    qint64 balanceAfter = 0;
    QString tac;
    bool settled = false;
    QString cardScheme;  // "bank-ec" for an EC load; empty for a top-up
    QString pan;         // masked: "…1234"
    QString application;

    bool isEcload() const { return cardScheme == QLatin1String("bank-ec"); }
};

// ui.request: a question taplinkd asks the user through the trusted UI (docs/api.md). A
// top-up's and an EC load's confirmation (for a bank card the serial is the masked PAN).
struct TopupQuestion {
    QString orderId;
    qint64 amount = 0;
    QString currency;
    QString reader;
    QString scheme;
    QString serial;
    QString application;  // EC load only
};

// ui.request kind "application": which of the card's applications (AIDs) to use.
struct ApplicationCandidate {
    QString aid;  // hex
    QString label;
    int priority = 0;  // EMV Book 1 12.2.3: 1 is the highest; 0 means none given
};

struct ApplicationQuestion {
    QString orderId;
    QList<ApplicationCandidate> candidates;  // in the order to offer them (by priority)
};

// ui.request kinds "pay" (a web page's purchase: the card with its reader, scheme
// "bank-purchase" and application) and "pin" (the card's online PIN: no reader, scheme or
// application). The PAN comes masked ("…1234"); amounts are fen.
struct PurchaseQuestion {
    QString orderId;
    qint64 amount = 0;
    QString currency;
    QString merchant;
    QString pan;
    QString reader;       // kind pay only
    QString scheme;       // kind pay only
    QString application;  // kind pay only
    // Kind pin, after this order's last attempt failed with wrong_pin: the tries the issuer
    // said were left.
    std::optional<int> pinTriesLeft;
};

struct UiRequest {
    QString id;        // as a key (see uiRequestKey)
    QJsonValue rawId;  // as taplinkd sent it, for ui.respond
    // "origin" | "cardinfo" | "topup" | "ecload" | "application" | "pay" | "pin"
    QString kind;
    QString origin;
    QString transport;  // "websocket" | "native-messaging"
    // True only when the browser vouched for the origin (our extension over native
    // messaging); a WebSocket's origin is merely claimed by some local program.
    bool originVouched = false;
    QString extensionId;
    QString cardReader;                  // kind cardinfo: the reader whose card the page reads
    std::optional<TopupQuestion> topup;  // kinds topup and ecload
    std::optional<ApplicationQuestion> application;
    std::optional<PurchaseQuestion> purchase;  // kinds pay and pin
    QDateTime expiresAt;

    bool isOrigin() const { return kind == QLatin1String("origin"); }
    bool isCardInfo() const { return kind == QLatin1String("cardinfo"); }
    bool isTopup() const { return kind == QLatin1String("topup"); }
    bool isEcload() const { return kind == QLatin1String("ecload"); }
    bool isApplication() const { return kind == QLatin1String("application"); }
    bool isPay() const { return kind == QLatin1String("pay"); }
    bool isPin() const { return kind == QLatin1String("pin"); }
};

QList<ReaderInfo> readersFromJson(const QJsonObject& result);
CardInfo cardInfoFromJson(const QJsonObject& result);
QList<HistoryRecord> historyFromJson(const QJsonObject& result);
TopupResult topupResultFromJson(const QJsonObject& result);
UiRequest uiRequestFromJson(const QJsonObject& params);
// The candidates by priority: 1 first, those without one (0) last, ties as taplinkd sent them.
QList<ApplicationCandidate> byPriority(QList<ApplicationCandidate> candidates);
// A ui.request id (string or number) as a map key.
QString uiRequestKey(const QJsonValue& id);

}  // namespace taplink::gui
