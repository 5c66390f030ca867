// The card on the chosen reader: card.info and card.history, read again when a card comes,
// goes or is topped up. Chooses the reader by itself (the first card reader holding a card)
// until the user picks one.
#pragma once

#include <QObject>
#include <QString>
#include <optional>

#include "core/api_types.hpp"
#include "core/rpc_types.hpp"

namespace taplink::gui {

class DaemonConnection;
class HistoryModel;
class ReadersModel;

class CardWatcher : public QObject {
    Q_OBJECT

  public:
    enum class Status {
        Away,  // taplinkd is not running
        NoReader,
        NoCard,
        Reading,
        Ready,   // card() holds the card
        Failed,  // error() says why (unsupported card, busy reader...)
    };
    Q_ENUM(Status)

    CardWatcher(DaemonConnection& connection, ReadersModel& readers, HistoryModel& history,
                QObject* parent = nullptr);

    Status status() const { return status_; }
    const std::optional<CardInfo>& card() const { return card_; }
    const std::optional<RpcError>& error() const { return error_; }
    const QString& reader() const { return reader_; }

    // The user's choice of reader.
    void chooseReader(const QString& name);
    // Reads the card again (after a top-up).
    void refresh();

  signals:
    void changed();

  private:
    void onReadersChanged();
    QString pickReader() const;
    void readCard();
    void onCardInfo(quint64 generation, const RpcReply& reply);
    void readHistory(quint64 generation);
    void setStatus(Status status);

    DaemonConnection& connection_;
    ReadersModel& readers_;
    HistoryModel& history_;
    QString reader_;
    bool readerChosen_ = false;
    QString shownSerial_;  // the masked serial card_ was read for
    Status status_ = Status::Away;
    std::optional<CardInfo> card_;
    std::optional<RpcError> error_;
    quint64 generation_ = 0;
};

}  // namespace taplink::gui
