// taplink-nm's connection to taplinkd's Unix socket (docs/api.md, "The Unix socket").
#pragma once

#include <string>
#include <variant>

#include "taplink/base/unique_fd.hpp"

namespace taplink::nm {

// Why taplinkd cannot be reached, for the extension and for stderr.
struct Unreachable {
    std::string message;
};

// Connects to the socket at `path` and makes the connection non-blocking.
std::variant<UniqueFd, Unreachable> connectToDaemon(const std::string& path);

}  // namespace taplink::nm
