// The card readers taplinkd sees, kept live: after every (re)connect it subscribes to the
// reader and card events and lists the readers again on each of them. Empty while taplinkd is
// away. The secure chip's row says what its applets' lifecycles are (chip.status): ready,
// locked by the operator (the TSM), or not activated yet.
#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "core/api_types.hpp"

namespace taplink::gui {

class DaemonConnection;

class ReadersModel : public QAbstractTableModel {
    Q_OBJECT

  public:
    enum Column { NameColumn, KindColumn, StatusColumn, ColumnCount };

    explicit ReadersModel(DaemonConnection& connection, QObject* parent = nullptr);

    const QList<ReaderInfo>& readers() const { return readers_; }
    const ReaderInfo* find(const QString& name) const;

    // Lists the readers again.
    void refresh();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  signals:
    void readersChanged();

  private:
    void onConnected();
    void onNotification(const QString& method, const QJsonObject& params);
    void setReaders(QList<ReaderInfo> readers);
    void refreshChip(quint64 generation);
    QString statusText(const ReaderInfo& reader) const;
    QString chipText() const;

    DaemonConnection& connection_;
    QList<ReaderInfo> readers_;
    QString loadSamLifecycle_;  // chip.status: "installed", "operational", "locked"; "" unknown
    QString paymentLifecycle_;  // "" when the chip has no payment applet
    quint64 generation_ = 0;    // replies of superseded refreshes are dropped
};

// "City card …0042", the way the GUI names a card.
QString describeCard(const QString& scheme, const QString& maskedSerial);

}  // namespace taplink::gui
