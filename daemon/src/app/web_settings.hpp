// What taplinkd lets web pages do (the "web" section of its configuration, docs/daemon.md):
// which origins may call it, whether their top-ups need the user's confirmation, and the
// loopback WebSocket they may use when the browser extension is not installed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace taplink::app {

// "ask": the trusted UI (taplink-gui) shows every web top-up to the user first.
// "auto": a kiosk whose own screen shows the amount; web top-ups from allowed origins go on.
enum class Confirmation { Ask, Auto };

std::string_view toString(Confirmation confirmation);
std::optional<Confirmation> confirmationFrom(std::string_view text);

struct WebSocketSettings {
    bool enabled = true;
    std::uint16_t port = 47631;
    std::size_t maxMessageBytes = std::size_t{64} * 1024;
    double messagesPerSecond = 20;
    std::size_t burst = 40;
    std::chrono::seconds pingInterval{30};
    std::chrono::seconds idleTimeout{120};
};

struct WebSettings {
    std::vector<std::string> allowedOrigins;  // canonical (see canonicalOrigin)
    Confirmation confirmation = Confirmation::Ask;
    WebSocketSettings websocket;
};

// The origin in the one form TapLink compares: "https://host[:port]" with the host in lower
// case and no default port, or "http://" for localhost, 127.0.0.1 and [::1] only. nullopt
// for anything else ("null", file:, paths, user info, other schemes): such an origin is
// never allowed.
std::optional<std::string> canonicalOrigin(std::string_view origin);

}  // namespace taplink::app
