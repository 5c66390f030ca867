#include "core/readers_model.hpp"

#include <QJsonArray>
#include <QJsonObject>
#include <algorithm>
#include <string_view>
#include <utility>

#include "core/api_name.hpp"
#include "core/daemon_connection.hpp"

namespace taplink::gui {

namespace {

bool isWatched(const QString& method) {
    return std::any_of(api::kEvents.cbegin(), api::kEvents.cend(),
                       [&method](std::string_view event) { return method == apiName(event); });
}

QJsonArray watchedEvents() {
    QJsonArray events;
    for (const std::string_view event : api::kEvents) {
        events.append(apiName(event));
    }
    return events;
}

}  // namespace

QString describeCard(const QString& scheme, const QString& maskedSerial) {
    if (scheme == QLatin1String("city-epurse")) {
        return ReadersModel::tr("City card %1").arg(maskedSerial);
    }
    if (scheme == QLatin1String("bank-ec") || scheme == QLatin1String("bank-purchase")) {
        return ReadersModel::tr("Bank card %1").arg(maskedSerial);
    }
    return ReadersModel::tr("Unsupported card %1").arg(maskedSerial).trimmed();
}

ReadersModel::ReadersModel(DaemonConnection& connection, QObject* parent)
    : QAbstractTableModel(parent), connection_(connection) {
    connect(&connection_, &DaemonConnection::connected, this, &ReadersModel::onConnected);
    connect(&connection_, &DaemonConnection::notificationReceived, this,
            &ReadersModel::onNotification);
    connect(&connection_, &DaemonConnection::stateChanged, this, [this] {
        if (!connection_.isConnected()) {
            ++generation_;
            setReaders({});
        }
    });
}

const ReaderInfo* ReadersModel::find(const QString& name) const {
    for (const ReaderInfo& reader : readers_) {
        if (reader.name == name) {
            return &reader;
        }
    }
    return nullptr;
}

void ReadersModel::onConnected() {
    connection_.call(apiName(api::method::kEventsSubscribe), {{"events", watchedEvents()}}, this,
                     [](const RpcReply&) {});
    refresh();
}

void ReadersModel::onNotification(const QString& method, const QJsonObject&) {
    if (isWatched(method)) {
        refresh();
    }
}

void ReadersModel::refresh() {
    const quint64 generation = ++generation_;
    connection_.call(apiName(api::method::kReadersList), {}, this,
                     [this, generation](const RpcReply& reply) {
                         if (generation == generation_ && reply.ok()) {
                             refreshChip(generation);
                             setReaders(readersFromJson(reply.result));
                         }
                     });
}

void ReadersModel::refreshChip(quint64 generation) {
    connection_.call(apiName(api::method::kChipStatus), {}, this,
                     [this, generation](const RpcReply& reply) {
                         if (generation != generation_) {
                             return;
                         }
                         loadSamLifecycle_.clear();
                         paymentLifecycle_.clear();
                         const QJsonArray applets =
                             reply.ok() ? reply.result.value("applets").toArray() : QJsonArray();
                         for (const auto& applet : applets) {
                             const QJsonObject fields = applet.toObject();
                             const QString lifecycle = fields.value("lifecycle").toString();
                             (fields.value("applet").toString() == QLatin1String("load-sam")
                                  ? loadSamLifecycle_
                                  : paymentLifecycle_) = lifecycle;
                         }
                         setReaders(readers_);
                     });
}

void ReadersModel::setReaders(QList<ReaderInfo> readers) {
    beginResetModel();
    readers_ = std::move(readers);
    endResetModel();
    emit readersChanged();
}

int ReadersModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(readers_.size());
}

int ReadersModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString ReadersModel::statusText(const ReaderInfo& reader) const {
    if (reader.state == QLatin1String("unavailable")) {
        return tr("Not available");
    }
    if (!reader.hasCard()) {
        return tr("No card");
    }
    if (!reader.isCardReader()) {
        return chipText();
    }
    return describeCard(reader.cardScheme.value_or(QString()), reader.maskedSerial);
}

QString ReadersModel::chipText() const {
    if (loadSamLifecycle_ == QLatin1String("locked")) {
        return tr("Locked by its operator: nothing can be loaded");
    }
    if (loadSamLifecycle_ == QLatin1String("installed")) {
        return tr("Not activated by its operator yet");
    }
    if (loadSamLifecycle_.isEmpty()) {
        return tr("Ready");
    }
    if (paymentLifecycle_.isEmpty()) {
        return tr("Ready: load SAM operational");
    }
    return tr("Ready: load SAM operational, payment applet %1")
        .arg(paymentLifecycle_ == QLatin1String("operational") ? tr("operational")
             : paymentLifecycle_ == QLatin1String("locked")    ? tr("locked")
                                                               : tr("not activated"));
}

QVariant ReadersModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= readers_.size()) {
        return {};
    }
    const ReaderInfo& reader = readers_.at(index.row());
    if (role == Qt::UserRole) {
        return reader.name;
    }
    if (role != Qt::DisplayRole && role != Qt::AccessibleTextRole) {
        return {};
    }
    switch (index.column()) {
        case NameColumn:
            return reader.name;
        case KindColumn:
            return reader.isCardReader() ? tr("Card reader") : tr("Secure chip");
        case StatusColumn:
            return statusText(reader);
        default:
            return {};
    }
}

QVariant ReadersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case NameColumn:
            return tr("Reader");
        case KindColumn:
            return tr("Kind");
        case StatusColumn:
            return tr("Status");
        default:
            return {};
    }
}

}  // namespace taplink::gui
