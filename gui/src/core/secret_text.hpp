// The cardholder's online PIN on its way from the PIN dialog to taplinkd (ui.respond's
// choice, docs/api.md "Trusted UI"): checked, then overwritten as soon as it is sent, so that
// no copy the GUI made stays in freed memory. Never logged.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace taplink::gui {

// 4 to 12 ASCII digits (ISO 9564-1 5.1; taplinkd refuses anything else as invalid_params).
bool isPinDigits(QByteArrayView digits);

// Overwrites the characters (OPENSSL_cleanse: the compiler may not drop it) and empties the
// buffer. A copy that still shares the buffer is detached first and so not reached: wipe
// the only copy.
void wipe(QByteArray& secret);
void wipe(QString& secret);

}  // namespace taplink::gui
