#include "core/card_watcher.hpp"

#include <QTimer>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"
#include "core/history_model.hpp"
#include "core/readers_model.hpp"

namespace taplink::gui {

namespace {
constexpr int kHistoryLimit = 50;
constexpr int kBusyRetryMs = 2000;
}  // namespace

CardWatcher::CardWatcher(DaemonConnection& connection, ReadersModel& readers, HistoryModel& history,
                         QObject* parent)
    : QObject(parent), connection_(connection), readers_(readers), history_(history) {
    connect(&readers_, &ReadersModel::readersChanged, this, &CardWatcher::onReadersChanged);
}

void CardWatcher::chooseReader(const QString& name) {
    readerChosen_ = true;
    if (name != reader_) {
        reader_ = name;
        shownSerial_.clear();
        onReadersChanged();
    }
}

QString CardWatcher::pickReader() const {
    if (readerChosen_ && readers_.find(reader_) != nullptr) {
        return reader_;
    }
    QString firstCardReader;
    for (const ReaderInfo& reader : readers_.readers()) {
        if (!reader.isCardReader()) {
            continue;
        }
        if (reader.hasCard()) {
            return reader.name;
        }
        if (firstCardReader.isEmpty()) {
            firstCardReader = reader.name;
        }
    }
    return firstCardReader;
}

void CardWatcher::onReadersChanged() {
    if (!connection_.isConnected()) {
        ++generation_;
        card_.reset();
        history_.setRecords({});
        shownSerial_.clear();
        setStatus(Status::Away);
        return;
    }
    reader_ = pickReader();
    const ReaderInfo* reader = readers_.find(reader_);
    if (reader == nullptr || !reader->hasCard()) {
        ++generation_;
        card_.reset();
        error_.reset();
        shownSerial_.clear();
        history_.setRecords({});
        setStatus(reader == nullptr ? Status::NoReader : Status::NoCard);
        return;
    }
    if (reader->maskedSerial != shownSerial_ || status_ == Status::Away) {
        shownSerial_ = reader->maskedSerial;
        readCard();
    }
}

void CardWatcher::refresh() {
    if (status_ == Status::Ready || status_ == Status::Failed || status_ == Status::Reading) {
        readCard();
    }
}

void CardWatcher::readCard() {
    const quint64 generation = ++generation_;
    setStatus(Status::Reading);
    connection_.call(apiName(api::method::kCardInfo), {{"reader", reader_}}, this,
                     [this, generation](const RpcReply& reply) { onCardInfo(generation, reply); });
}

void CardWatcher::onCardInfo(quint64 generation, const RpcReply& reply) {
    if (generation != generation_) {
        return;
    }
    if (!reply.ok()) {
        card_.reset();
        history_.setRecords({});
        error_ = reply.error;
        setStatus(Status::Failed);
        if (error_->code == FailureCode(api::ErrorCode::Busy)) {
            // Another caller (a web page's top-up) has the reader: read it when that is done.
            QTimer::singleShot(kBusyRetryMs, this, [this, generation] {
                if (generation == generation_) {
                    readCard();
                }
            });
        }
        return;
    }
    card_ = cardInfoFromJson(reply.result);
    error_.reset();
    readHistory(generation);
}

void CardWatcher::readHistory(quint64 generation) {
    connection_.call(apiName(api::method::kCardHistory),
                     {{"reader", reader_}, {"limit", kHistoryLimit}}, this,
                     [this, generation](const RpcReply& reply) {
                         if (generation != generation_) {
                             return;
                         }
                         history_.setRecords(reply.ok() ? historyFromJson(reply.result)
                                                        : QList<HistoryRecord>{});
                         if (status_ == Status::Ready) {
                             emit changed();  // the same status, a new balance
                         } else {
                             setStatus(Status::Ready);
                         }
                     });
}

void CardWatcher::setStatus(Status status) {
    if (status_ != status) {
        status_ = status;
        emit changed();
    }
}

}  // namespace taplink::gui
