// The API's method, notification and event names (taplink/protocol/api_names.hpp) as Qt
// takes them: the names are ASCII, so Latin-1 spells them exactly.
#pragma once

#include <QLatin1StringView>
#include <string_view>

#include "taplink/protocol/api_names.hpp"

namespace taplink::gui {

inline QLatin1StringView apiName(std::string_view name) {
    return {name.data(), static_cast<qsizetype>(name.size())};
}

}  // namespace taplink::gui
