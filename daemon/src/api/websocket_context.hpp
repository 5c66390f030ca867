// The owner of taplinkd's libwebsockets context: one context, one service thread, and a vhost
// per loopback address (127.0.0.1 and ::1) on the same port. libwebsockets 4.1 binds a vhost
// whose iface is "127.0.0.1" to every address (*:port) unless IPv6 is disabled on that vhost,
// so the IPv4 vhost disables it and the IPv6 one is bound to "::1" explicitly.
#pragma once

#include <libwebsockets.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "api/dispatcher.hpp"

namespace taplink::api {

struct LwsContextOptions {
    std::uint16_t port = 0;                    // 0: any free port
    const lws_protocols* protocols = nullptr;  // must outlive the context
    void* user = nullptr;                      // lws_context_user()
    std::chrono::seconds pingInterval{30};     // silent this long: ping
    std::chrono::seconds idleTimeout{120};     // silent this long: hang up
    // Connections in any state, handshake or not: past it lws stops accepting (the peers
    // wait in the kernel's backlog) until one closes.
    std::size_t maxSockets = 64;
    log::Sink log = log::processSink();
};

class LwsContext {
  public:
    // Creates the context and both vhosts. Throws TransportError when 127.0.0.1 cannot be
    // listened on (port taken, ...); logs and goes on without ::1 when that one fails (a
    // host without IPv6 loopback).
    explicit LwsContext(const LwsContextOptions& options);
    LwsContext(const LwsContext&) = delete;
    LwsContext& operator=(const LwsContext&) = delete;
    ~LwsContext();

    lws_context* get() const { return context_.get(); }
    std::uint16_t port() const { return port_; }
    bool listensOnIpv6() const { return ipv6_; }

  private:
    struct Destroy {
        void operator()(lws_context* context) const { lws_context_destroy(context); }
    };

    lws_retry_bo_t idlePolicy_{};  // lws keeps a pointer: lives as long as the context
    std::unique_ptr<lws_context, Destroy> context_;
    std::uint16_t port_ = 0;
    bool ipv6_ = false;
};

}  // namespace taplink::api
