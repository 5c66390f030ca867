// What the WebSocket handshake requires of a browser's request before taplinkd upgrades it
// (docs/websocket.md, "Security checks"). Pure functions, so they are tested on their own.
#pragma once

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

}  // namespace taplink::api
