#include "api/websocket_context.hpp"

#include <algorithm>
#include <limits>
#include <mutex>
#include <string>

#include "taplink/base/log.hpp"
#include "taplink/base/log_folding.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::api {

namespace {

constexpr const char* kIpv4Loopback = "127.0.0.1";
constexpr const char* kIpv6Loopback = "::1";
// Seconds lws allows for a handshake (and other round trips) before it drops the peer:
// short, since a connection that never finishes its handshake holds a descriptor.
constexpr unsigned kHandshakeSeconds = 5;
// Descriptors lws keeps in its poll table besides connections: two listeners and the
// wake-up pipe, plus the slot at which it stops accepting (fd_limit_per_thread - 1).
constexpr std::size_t kLwsOwnSlots = 4;

// libwebsockets logs process-wide; errors and warnings only, never per-message detail.
// Folded: a failing accept() ("accept: errno 24") is logged on every poll.
void emitLwsLog(int /*level*/, const char* line) {
    static const log::Sink folded = log::foldRepeats(log::processSink());
    std::string text(line != nullptr ? line : "");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    folded(log::Level::Warning, "libwebsockets: " + text);
}

void quietenLwsLogs() {
    static std::once_flag once;
    std::call_once(once, [] { lws_set_log_level(LLL_ERR | LLL_WARN, emitLwsLog); });
}

std::uint16_t toIdleSeconds(std::chrono::seconds seconds) {
    constexpr auto kMax = std::numeric_limits<std::uint16_t>::max();
    return static_cast<std::uint16_t>(
        std::clamp<std::chrono::seconds::rep>(seconds.count(), 1, kMax));
}

lws_context_creation_info contextInfo(const LwsContextOptions& options) {
    lws_context_creation_info info{};
    info.port = CONTEXT_PORT_NO_LISTEN;  // the vhosts listen, each on its address
    // Text frames must be UTF-8 (RFC 6455 section 8.1): lws closes with 1007 otherwise. lws
    // 4.1 honours this on the context only, although the header marks it a vhost option.
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_VALIDATE_UTF8;
    info.user = options.user;
    info.timeout_secs = kHandshakeSeconds;
    // lws counts every socket it polls, handshake done or not, and stops accepting when full.
    info.fd_limit_per_thread = static_cast<unsigned>(options.maxSockets + kLwsOwnSlots);
    info.gid = -1;  // never change identity
    info.uid = -1;
    info.count_threads = 1;
    return info;
}

lws_context_creation_info vhostInfo(const LwsContextOptions& options, const lws_retry_bo_t& idle,
                                    const char* address, int port) {
    lws_context_creation_info info{};
    info.vhost_name = address;
    info.iface = address;
    info.port = port;
    info.protocols = options.protocols;
    info.user = options.user;
    info.retry_and_idle_policy = &idle;
    info.timeout_secs = kHandshakeSeconds;
    info.timeout_secs_ah_idle = kHandshakeSeconds;  // headers trickled in byte by byte
    // Fail rather than defer (until the address appears) when it cannot be bound.
    info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND |
                   LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
    return info;
}

}  // namespace

LwsContext::LwsContext(const LwsContextOptions& options) {
    quietenLwsLogs();
    idlePolicy_.secs_since_valid_ping = toIdleSeconds(options.pingInterval);
    idlePolicy_.secs_since_valid_hangup = toIdleSeconds(options.idleTimeout);

    const auto info = contextInfo(options);
    context_.reset(lws_create_context(&info));
    if (!context_) {
        throw TransportError("WebSocket: could not create the libwebsockets context");
    }

    auto ipv4 = vhostInfo(options, idlePolicy_, kIpv4Loopback, options.port);
    ipv4.options |= LWS_SERVER_OPTION_DISABLE_IPV6;  // else lws 4.1 binds *:port
    lws_vhost* const ipv4Host = lws_create_vhost(context_.get(), &ipv4);
    if (ipv4Host == nullptr) {
        throw TransportError("WebSocket: cannot listen on 127.0.0.1:" +
                             std::to_string(options.port) + " (is the port in use?)");
    }
    port_ = static_cast<std::uint16_t>(lws_get_vhost_listen_port(ipv4Host));

    auto ipv6 = vhostInfo(options, idlePolicy_, kIpv6Loopback, port_);
    ipv6.options |= LWS_SERVER_OPTION_IPV6_V6ONLY_MODIFY | LWS_SERVER_OPTION_IPV6_V6ONLY_VALUE;
    ipv6_ = lws_create_vhost(context_.get(), &ipv6) != nullptr;
    if (!ipv6_) {
        options.log(log::Level::Warning,
                    "WebSocket: not listening on [::1]:" + std::to_string(port_) +
                        " (no IPv6 loopback here?); 127.0.0.1 only");
    }
}

LwsContext::~LwsContext() = default;

}  // namespace taplink::api
