// Order codes as typed or scanned. A barcode or QR scanner types like a keyboard; its text may
// be the bare code or a link carrying it (…?orderId=ORD-…).
#pragma once

#include <QString>

namespace taplink::gui {

// The order code in what was typed or scanned: trimmed, taken from an orderId query item of
// a link. Empty when there is none.
QString extractOrderCode(const QString& input);

// Whether taplinkd could take it as an orderId (1 to 128 printable characters, no spaces).
bool isPlausibleOrderCode(const QString& code);

}  // namespace taplink::gui
