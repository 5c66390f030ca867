#include "core/history_model.hpp"

#include <algorithm>
#include <utility>

#include "core/money.hpp"

namespace taplink::gui {

void HistoryModel::setRecords(QList<HistoryRecord> records) {
    beginResetModel();
    records_ = std::move(records);
    endResetModel();
}

bool HistoryModel::hasBalances() const {
    return std::any_of(records_.cbegin(), records_.cend(),
                       [](const HistoryRecord& record) { return record.balanceAfter.has_value(); });
}

int HistoryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(records_.size());
}

int HistoryModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString HistoryModel::cellText(const HistoryRecord& record, int column) const {
    switch (column) {
        case WhenColumn:
            return record.date + QLatin1Char(' ') + record.time;
        case TypeColumn:
            return record.type == QLatin1String("load") ? tr("Top-up") : tr("Purchase");
        case AmountColumn:
            return formatFen(record.amount);
        case BalanceColumn:
            return record.balanceAfter ? formatFen(*record.balanceAfter) : QString();
        case TerminalColumn:
            return record.terminalId.isEmpty() ? record.merchant : record.terminalId;
        default:
            return {};
    }
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= records_.size()) {
        return {};
    }
    if (role == Qt::TextAlignmentRole &&
        (index.column() == AmountColumn || index.column() == BalanceColumn)) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole) {
        return cellText(records_.at(index.row()), index.column());
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
        case WhenColumn:
            return tr("Date and time");
        case TypeColumn:
            return tr("Type");
        case AmountColumn:
            return tr("Amount");
        case BalanceColumn:
            return tr("Balance after");
        case TerminalColumn:
            return tr("Terminal");
        default:
            return {};
    }
}

}  // namespace taplink::gui
