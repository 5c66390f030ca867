#include "core/api_types.hpp"

#include <QJsonArray>
#include <QJsonValue>
#include <algorithm>

namespace taplink::gui {

namespace {

qint64 amountOf(const QJsonObject& object, const char* key) {
    return object.value(QLatin1String(key)).toInteger();
}

QString textOf(const QJsonObject& object, const char* key) {
    return object.value(QLatin1String(key)).toString();
}

ReaderInfo readerFromJson(const QJsonObject& object) {
    ReaderInfo reader;
    reader.name = textOf(object, "name");
    reader.role = textOf(object, "role");
    reader.state = textOf(object, "state");
    const QJsonValue card = object.value("card");
    if (card.isObject()) {
        reader.cardScheme = textOf(card.toObject(), "scheme");
        reader.maskedSerial = textOf(card.toObject(), "maskedSerial");
    }
    return reader;
}

HistoryRecord recordFromJson(const QJsonObject& object) {
    HistoryRecord record;
    record.type = textOf(object, "type");
    record.amount = amountOf(object, "amount");
    if (object.contains("balanceAfter")) {
        record.balanceAfter = amountOf(object, "balanceAfter");
    }
    record.terminalId = textOf(object, "terminalId");
    record.merchant = textOf(object, "merchant");
    record.date = textOf(object, "date");
    record.time = textOf(object, "time");
    record.atc = object.value("atc").toInt();
    return record;
}

TopupQuestion topupQuestionFromJson(const QJsonObject& object) {
    TopupQuestion question;
    question.orderId = textOf(object, "orderId");
    question.amount = amountOf(object, "amount");
    question.currency = textOf(object, "currency");
    const QJsonObject card = object.value("card").toObject();
    question.reader = textOf(card, "reader");
    question.scheme = textOf(card, "scheme");
    // A bank card's number comes masked as "pan" (docs/api.md, ui.request kind ecload).
    question.serial = card.contains("pan") ? textOf(card, "pan") : textOf(card, "serial");
    question.application = textOf(card, "application");
    return question;
}

ApplicationQuestion applicationQuestionFromJson(const QJsonObject& object) {
    ApplicationQuestion question;
    question.orderId = textOf(object, "orderId");
    for (const auto& value : object.value("candidates").toArray()) {
        const QJsonObject candidate = value.toObject();
        question.candidates.append({textOf(candidate, "aid"), textOf(candidate, "label"),
                                    candidate.value("priority").toInt()});
    }
    question.candidates = byPriority(question.candidates);
    return question;
}

// Kind "pay" nests the card ({reader, scheme, pan, application}); kind "pin" has the masked
// PAN beside the amount (docs/api.md, "Trusted UI").
PurchaseQuestion purchaseQuestionFromJson(const QJsonObject& object) {
    PurchaseQuestion question;
    question.orderId = textOf(object, "orderId");
    question.amount = amountOf(object, "amount");
    question.currency = textOf(object, "currency");
    question.merchant = textOf(object, "merchant");
    const QJsonObject card = object.value("card").toObject();
    question.pan = object.contains("card") ? textOf(card, "pan") : textOf(object, "pan");
    question.reader = textOf(card, "reader");
    question.scheme = textOf(card, "scheme");
    question.application = textOf(card, "application");
    if (object.contains("pinTriesLeft")) {
        question.pinTriesLeft = object.value("pinTriesLeft").toInt();
    }
    return question;
}

// The question's object: under the request's kind ("topup", "ecload", "application", "pay",
// "pin").
QJsonObject questionOf(const QJsonObject& params, const QString& kind) {
    return params.value(kind).toObject();
}

}  // namespace

QList<ReaderInfo> readersFromJson(const QJsonObject& result) {
    QList<ReaderInfo> readers;
    for (const auto& reader : result.value("readers").toArray()) {
        readers.append(readerFromJson(reader.toObject()));
    }
    return readers;
}

CardInfo cardInfoFromJson(const QJsonObject& result) {
    CardInfo card;
    card.reader = textOf(result, "reader");
    card.scheme = textOf(result, "scheme");
    const bool bank = result.contains("pan");
    card.serial = bank ? textOf(result, "pan") : textOf(result, "serial");
    card.application = textOf(result, "application");
    card.issuerId = textOf(result, "issuerId");
    card.validFrom = textOf(result, "validFrom");
    card.validUntil = textOf(result, "validUntil");
    card.balance = bank ? amountOf(result, "ecBalance") : amountOf(result, "balance");
    card.currency = textOf(result, "currency");
    return card;
}

QList<HistoryRecord> historyFromJson(const QJsonObject& result) {
    QList<HistoryRecord> records;
    for (const auto& record : result.value("records").toArray()) {
        records.append(recordFromJson(record.toObject()));
    }
    return records;
}

TopupResult topupResultFromJson(const QJsonObject& result) {
    TopupResult topup;
    topup.orderId = textOf(result, "orderId");
    topup.amount = amountOf(result, "amount");
    topup.balanceBefore = amountOf(result, "balanceBefore");
    topup.balanceAfter = amountOf(result, "balanceAfter");
    topup.tac = textOf(result, "tac");
    topup.settled = result.value("settled").toBool();
    const QJsonObject card = result.value("card").toObject();
    topup.cardScheme = textOf(card, "scheme");
    topup.pan = textOf(card, "pan");
    topup.application = textOf(card, "application");
    return topup;
}

QList<ApplicationCandidate> byPriority(QList<ApplicationCandidate> candidates) {
    const auto rank = [](const ApplicationCandidate& candidate) {
        return candidate.priority == 0 ? std::numeric_limits<int>::max() : candidate.priority;
    };
    std::stable_sort(candidates.begin(), candidates.end(),
                     [&rank](const auto& a, const auto& b) { return rank(a) < rank(b); });
    return candidates;
}

QString uiRequestKey(const QJsonValue& id) {
    return id.isDouble() ? QString::number(id.toInteger()) : id.toString();
}

UiRequest uiRequestFromJson(const QJsonObject& params) {
    UiRequest request;
    request.rawId = params.value("id");
    request.id = uiRequestKey(request.rawId);
    request.kind = textOf(params, "kind");
    request.origin = textOf(params, "origin");
    request.transport = textOf(params, "transport");
    request.originVouched = params.value("originVouched").toBool(false);  // absent: claimed
    request.extensionId = textOf(params, "extensionId");
    if (request.isTopup() || request.isEcload()) {
        request.topup = topupQuestionFromJson(questionOf(params, request.kind));
    } else if (request.isApplication()) {
        request.application = applicationQuestionFromJson(questionOf(params, request.kind));
    } else if (request.isPay() || request.isPin()) {
        request.purchase = purchaseQuestionFromJson(questionOf(params, request.kind));
    } else if (request.isCardInfo()) {
        request.cardReader = textOf(questionOf(params, request.kind), "reader");
    }
    request.expiresAt = QDateTime::fromString(textOf(params, "expiresAt"), Qt::ISODate);
    return request;
}

}  // namespace taplink::gui
