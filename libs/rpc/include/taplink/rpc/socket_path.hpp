// Where taplinkd's Unix socket lives; the daemon and every client use this one function.
#pragma once

#include <string>

namespace taplink::api {

// $XDG_RUNTIME_DIR/taplink/taplinkd.sock, or /tmp/taplink-<uid>/taplinkd.sock when
// XDG_RUNTIME_DIR is unset, empty or not an absolute path.
std::string defaultSocketPath();

// $TAPLINK_SOCKET when set and not empty, defaultSocketPath() otherwise.
std::string socketPathFromEnvironment();

}  // namespace taplink::api
