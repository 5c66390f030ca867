// What taplinkd lets web pages do (the "web" section of its configuration, docs/daemon.md):
// which origins may call it, whether their top-ups need the user's confirmation, whether
// they may read the card's details, and the
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

// What a web page's card.info may read (web.cardInfo; the card's balance, issuer and
// validity identify its holder across sites). "ask": the trusted UI asks the user once per
// origin, and the answer holds until taplinkd restarts; "allow": every page that passes the
// origin gate reads it (a kiosk); "deny": no page does. The owner's programs always may.
enum class CardInfoAccess { Ask, Allow, Deny };

std::string_view toString(CardInfoAccess access);
std::optional<CardInfoAccess> cardInfoAccessFrom(std::string_view text);

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
    CardInfoAccess cardInfo = CardInfoAccess::Ask;
    WebSocketSettings websocket;
};

// The origin in the one form TapLink compares: "https://host[:port]" with the host in lower
// case and no default port, or "http://" for localhost, 127.0.0.1 and [::1] only. nullopt
// for anything else ("null", file:, paths, user info, other schemes): such an origin is
// never allowed.
std::optional<std::string> canonicalOrigin(std::string_view origin);

}  // namespace taplink::app
