#include "core/order_code.hpp"

#include <QUrl>
#include <QUrlQuery>
#include <algorithm>

namespace taplink::gui {

namespace {
constexpr qsizetype kMaxOrderCodeLength = 128;  // schema: OrderId maxLength
}  // namespace

QString extractOrderCode(const QString& input) {
    QString text = input.trimmed();
    if (text.contains(QLatin1String("://"))) {
        const QUrlQuery query(QUrl(text).query());
        return query.queryItemValue(QStringLiteral("orderId"), QUrl::FullyDecoded).trimmed();
    }
    return text;
}

bool isPlausibleOrderCode(const QString& code) {
    if (code.isEmpty() || code.size() > kMaxOrderCodeLength) {
        return false;
    }
    return std::all_of(code.cbegin(), code.cend(),
                       [](QChar c) { return c.isPrint() && !c.isSpace(); });
}

}  // namespace taplink::gui
