#include "app/web_settings.hpp"

#include <algorithm>
#include <cctype>

namespace taplink::app {

namespace {

bool isLoopbackHost(std::string_view host) {
    return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// A DNS name (letters, digits, '-' and '.') or a bracketed IPv6 literal.
bool isHost(std::string_view host) {
    if (host.empty() || host.size() > 253) {
        return false;
    }
    if (host.front() == '[') {
        return host.size() > 2 && host.back() == ']' &&
               std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
                   return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
               });
    }
    // Labels of letters, digits and inner hyphens; no empty label, no trailing dot (which
    // names the same host and would make two spellings of one origin).
    std::size_t start = 0;
    while (start <= host.size()) {
        const std::size_t end = std::min(host.find('.', start), host.size());
        const std::string_view label = host.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
            !std::all_of(label.begin(), label.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
            })) {
            return false;
        }
        start = end + 1;
    }
    return true;
}

// "" (none) or 1..65535; the number without leading zeros.
std::optional<std::string> portOf(std::string_view text) {
    if (text.empty()) {
        return std::string();
    }
    if (text.size() > 5 || !std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
        return std::nullopt;
    }
    const long value = std::stol(std::string(text));
    if (value < 1 || value > 65535) {
        return std::nullopt;
    }
    return std::to_string(value);
}

}  // namespace

std::string_view toString(Confirmation confirmation) {
    return confirmation == Confirmation::Auto ? "auto" : "ask";
}

std::optional<Confirmation> confirmationFrom(std::string_view text) {
    if (text == "ask") {
        return Confirmation::Ask;
    }
    if (text == "auto") {
        return Confirmation::Auto;
    }
    return std::nullopt;
}

std::string_view toString(CardInfoAccess access) {
    switch (access) {
        case CardInfoAccess::Allow:
            return "allow";
        case CardInfoAccess::Deny:
            return "deny";
        case CardInfoAccess::Ask:
            break;
    }
    return "ask";
}

std::optional<CardInfoAccess> cardInfoAccessFrom(std::string_view text) {
    for (const auto access : {CardInfoAccess::Ask, CardInfoAccess::Allow, CardInfoAccess::Deny}) {
        if (text == toString(access)) {
            return access;
        }
    }
    return std::nullopt;
}

std::optional<std::string> canonicalOrigin(std::string_view origin) {
    std::string lower(origin);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string_view rest(lower);
    std::string scheme;
    if (rest.rfind("https://", 0) == 0) {
        scheme = "https";
    } else if (rest.rfind("http://", 0) == 0) {
        scheme = "http";
    } else {
        return std::nullopt;
    }
    rest.remove_prefix(scheme.size() + 3);
    // host[:port]; an IPv6 literal's colons are inside its brackets.
    const std::size_t bracket = rest.rfind(']');
    const std::size_t colon = rest.rfind(':');
    const bool hasPort =
        colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
    const std::string_view host = hasPort ? rest.substr(0, colon) : rest;
    const auto port = portOf(hasPort ? rest.substr(colon + 1) : std::string_view());
    if (!isHost(host) || !port || (hasPort && port->empty())) {
        return std::nullopt;
    }
    if (scheme == "http" && !isLoopbackHost(host)) {
        return std::nullopt;
    }
    const bool defaultPort =
        (scheme == "https" && *port == "443") || (scheme == "http" && *port == "80");
    std::string canonical = scheme + "://" + std::string(host);
    if (!port->empty() && !defaultPort) {
        canonical += ":" + *port;
    }
    return canonical;
}

}  // namespace taplink::app
