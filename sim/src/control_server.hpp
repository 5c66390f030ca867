// Serves the control protocol (control_protocol.hpp) on a Unix socket.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "control_protocol.hpp"
#include "slot.hpp"
#include "taplink/base/unix_socket.hpp"

namespace taplink::sim {

class ControlServer {
  public:
    // Binds the socket (owner-only); throws std::system_error.
    explicit ControlServer(std::string path, SimSettings settings = {});
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    ~ControlServer();

    // Serves until a "shutdown" request or until stopFd becomes readable.
    void run(std::vector<std::unique_ptr<Slot>>& slots, int stopFd);

  private:
    std::string path_;
    SimSettings settings_;
    UniqueFd listener_;
};

}  // namespace taplink::sim
