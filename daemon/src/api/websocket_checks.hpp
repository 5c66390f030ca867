// What the WebSocket handshake requires of a browser's request before taplinkd upgrades it
// (docs/websocket.md, "Security checks"). Pure functions, so they are tested on their own.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace taplink::api {

// The Host header names the loopback by a name no DNS answer can rebind: "localhost",
// "127.0.0.1" or "[::1]", optionally with ":port" (RFC 7230 section 5.4). A page that got
// "evil.example" resolved to 127.0.0.1 still sends "Host: evil.example", and is refused.
bool isLoopbackHost(std::string_view host);

// The Origin header is a serialised origin, scheme "://" host [":" port] (RFC 6454
// section 6.2), no longer than kMaxOriginBytes. Whether the origin may call is the
// dispatcher's CallerGate's business; this only refuses what is not an origin at all
// ("null", paths, user info, control characters).
bool isWellFormedOrigin(std::string_view origin);

// How many upgraded connections web pages may hold, so that no page, or party, takes what
// the others need: each origin its share, each registrable domain its share (subdomains do
// not multiply it), and the origins not on the allow-list a share of their own together.
struct ConnectionShares {
    std::size_t perOrigin = 8;
    std::size_t perDomain = 16;
    std::size_t unlisted = 32;
    // Whether an origin is on the allow-list; none: every origin is.
    std::function<bool(std::string_view origin)> isListed;
};

// Why one more connection of `origin` would exceed a share, given the origins of the
// connections open; nothing when it fits.
std::optional<std::string> exceededShare(const ConnectionShares& shares,
                                         std::span<const std::string> openOrigins,
                                         const std::string& origin);

}  // namespace taplink::api
