#include "log.hpp"

#include <unistd.h>

#include <string>

namespace taplink::nm {

void logLine(std::string_view line) {
    std::string text = "taplink-nm: ";
    text.append(line);
    text += '\n';
    // Best effort: a closed stderr must not change what taplink-nm does.
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace taplink::nm
