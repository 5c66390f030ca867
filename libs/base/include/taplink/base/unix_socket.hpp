// Unix stream sockets for the owner-only control channels (taplink-sim's control socket,
// taplink-server's admin socket).
#pragma once

#include <string>

#include "taplink/base/unique_fd.hpp"

namespace taplink {

// A listening socket at `path` (an old socket file there is replaced), reachable by its owner
// only. Throws std::system_error.
UniqueFd listenUnix(const std::string& path);
// Throws std::system_error.
UniqueFd connectUnix(const std::string& path);

}  // namespace taplink
