#include "core/money.hpp"

namespace taplink::gui {

QString formatFen(qint64 fen, const QLocale& locale) {
    constexpr qint64 kFenPerYuan = 100;
    const bool negative = fen < 0;
    const quint64 magnitude = negative ? 0 - static_cast<quint64>(fen) : static_cast<quint64>(fen);
    const QString yuan = locale.toString(magnitude / kFenPerYuan);
    const QString cents =
        QString::number(magnitude % kFenPerYuan).rightJustified(2, QLatin1Char('0'));
    const QString sign = negative ? locale.negativeSign() : QString();
    return sign + QStringLiteral("¥") + yuan + locale.decimalPoint() + cents;
}

}  // namespace taplink::gui
