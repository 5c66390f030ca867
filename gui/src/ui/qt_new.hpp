// Qt's ownership model: an object made with a parent, or put into a layout, window or
// wizard, is deleted by its parent. This is the one place the GUI writes `new` for that.
#pragma once

#include <utility>

namespace taplink::gui {

template <typename T, typename... Args>
T* qtNew(Args&&... args) {
    return new T(std::forward<Args>(args)...);  // NOLINT(cppcoreguidelines-owning-memory)
}

}  // namespace taplink::gui
