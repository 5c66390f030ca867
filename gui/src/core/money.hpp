// Shows amounts. taplinkd sends integer fen (¥1.00 = 100); the GUI only formats them, it never
// computes with them.
#pragma once

#include <QLocale>
#include <QString>

namespace taplink::gui {

// "¥1,234.56" in the locale's digit grouping and decimal point; integer arithmetic only.
QString formatFen(qint64 fen, const QLocale& locale = QLocale());

}  // namespace taplink::gui
