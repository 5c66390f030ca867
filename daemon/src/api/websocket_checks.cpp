#include "api/websocket_checks.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <utility>

#include "api/registrable_domain.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api {

namespace {

constexpr std::array<std::string_view, 3> kLoopbackNames{"localhost", "127.0.0.1", "[::1]"};
constexpr std::size_t kMaxPortDigits = 5;
constexpr unsigned kMaxPort = 65535;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A port as RFC 3986 writes it, restricted to what TCP can have: 1 to 5 digits, <= 65535.
bool isPort(std::string_view text) {
    if (text.empty() || text.size() > kMaxPortDigits ||
        !std::all_of(text.begin(), text.end(), isDigit)) {
        return false;
    }
    unsigned value = 0;
    for (const char c : text) {
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= kMaxPort;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Splits "host[:port]" (host possibly "[v6]") into the host and whether the rest is a valid
// ":port" or nothing.
struct HostAndPort {
    std::string_view host;
    bool validPort = true;
};

HostAndPort splitHostAndPort(std::string_view authority) {
    std::size_t hostEnd = authority.size();
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        hostEnd = close == std::string_view::npos ? authority.size() : close + 1;
    } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        hostEnd = colon;
    }
    const std::string_view rest = authority.substr(hostEnd);
    const bool validPort = rest.empty() || (rest.front() == ':' && isPort(rest.substr(1)));
    return {authority.substr(0, hostEnd), validPort};
}

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool isScheme(std::string_view text) {
    return !text.empty() && isAlpha(text.front()) &&
           std::all_of(text.begin(), text.end(), [](char c) {
               return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.';
           });
}

// A registered name or IPv4 address (unreserved characters and percent escapes), or an
// IPv6 literal in brackets.
bool isOriginHost(std::string_view host) {
    if (host.empty()) {
        return false;
    }
    if (host.front() == '[') {
        return host.size() > 2 && host.back() == ']' &&
               std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
                   return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
               });
    }
    return std::all_of(host.begin(), host.end(), [](char c) {
        return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
    });
}

}  // namespace

bool isLoopbackHost(std::string_view host) {
    const auto [name, validPort] = splitHostAndPort(host);
    return validPort && std::any_of(kLoopbackNames.begin(), kLoopbackNames.end(),
                                    [name = name](std::string_view loopback) {
                                        return equalsIgnoringCase(name, loopback);
                                    });
}

bool isWellFormedOrigin(std::string_view origin) {
    if (origin.size() > kMaxOriginBytes) {
        return false;
    }
    constexpr std::string_view kSeparator = "://";
    const auto separator = origin.find(kSeparator);
    if (separator == std::string_view::npos || !isScheme(origin.substr(0, separator))) {
        return false;
    }
    const auto [host, validPort] = splitHostAndPort(origin.substr(separator + kSeparator.size()));
    return validPort && isOriginHost(host);
}

namespace {

// What the shares need to know of an origin, asked once per distinct origin: the allow-list
// is read under taplinkd's settings lock.
struct OriginFacts {
    std::string domain;
    bool listed = true;
};

class OriginFactsCache {
  public:
    explicit OriginFactsCache(const ConnectionShares& shares) : shares_(shares) {}

    const OriginFacts& of(const std::string& origin) {
        const auto known = facts_.find(origin);
        if (known != facts_.end()) {
            return known->second;
        }
        OriginFacts facts{registrableDomain(origin), !shares_.isListed || shares_.isListed(origin)};
        return facts_.emplace(origin, std::move(facts)).first->second;
    }

  private:
    const ConnectionShares& shares_;
    std::map<std::string, OriginFacts, std::less<>> facts_;
};

}  // namespace

std::optional<std::string> exceededShare(const ConnectionShares& shares,
                                         std::span<const std::string> openOrigins,
                                         const std::string& origin) {
    OriginFactsCache facts(shares);
    const OriginFacts newcomer = facts.of(origin);
    std::size_t sameOrigin = 0;
    std::size_t sameDomain = 0;
    std::size_t unlisted = 0;
    for (const auto& open : openOrigins) {
        const OriginFacts& known = facts.of(open);
        sameOrigin += open == origin ? 1U : 0U;
        sameDomain += known.domain == newcomer.domain ? 1U : 0U;
        unlisted += known.listed ? 0U : 1U;
    }
    if (sameOrigin >= shares.perOrigin) {
        return "too many connections from " + origin;
    }
    if (sameDomain >= shares.perDomain) {
        return "too many connections from " + newcomer.domain;
    }
    if (!newcomer.listed && unlisted >= shares.unlisted) {
        return "too many connections from web pages that are not allowed";
    }
    return std::nullopt;
}

}  // namespace taplink::api
