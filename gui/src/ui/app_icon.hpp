// TapLink's icon (a card with contactless waves), drawn at each size so that it stays sharp on
// high-DPI screens and in the tray without an image file.
#pragma once

#include <QIcon>

namespace taplink::gui {

QIcon appIcon();

}  // namespace taplink::gui
