// taplink-nm's diagnostics go to stderr (the browser logs it); stdout carries frames only.
#pragma once

#include <string_view>

namespace taplink::nm {

// Writes "taplink-nm: <line>\n" to stderr in one write.
void logLine(std::string_view line);

}  // namespace taplink::nm
