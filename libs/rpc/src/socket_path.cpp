#include "taplink/rpc/socket_path.hpp"

#include <unistd.h>

#include <cstdlib>

namespace taplink::api {

namespace {
std::string environment(const char* name) {
    // Read once at start-up, before any thread of ours runs.
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    return value == nullptr ? std::string() : std::string(value);
}
}  // namespace

std::string defaultSocketPath() {
    const std::string runtime = environment("XDG_RUNTIME_DIR");
    if (!runtime.empty() && runtime.front() == '/') {
        return runtime + "/taplink/taplinkd.sock";
    }
    return "/tmp/taplink-" + std::to_string(::geteuid()) + "/taplinkd.sock";
}

std::string socketPathFromEnvironment() {
    std::string path = environment("TAPLINK_SOCKET");
    return path.empty() ? defaultSocketPath() : path;
}

}  // namespace taplink::api
