// The card's own transaction log (card.history), newest first, as a table.
#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "core/api_types.hpp"

namespace taplink::gui {

class HistoryModel : public QAbstractTableModel {
    Q_OBJECT

  public:
    enum Column {
        WhenColumn,
        TypeColumn,
        AmountColumn,
        BalanceColumn,
        TerminalColumn,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRecords(QList<HistoryRecord> records);
    const QList<HistoryRecord>& records() const { return records_; }
    // Whether any record carries the balance after it (a city card's log does not).
    bool hasBalances() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  private:
    QString cellText(const HistoryRecord& record, int column) const;

    QList<HistoryRecord> records_;
};

}  // namespace taplink::gui
