// The registrable domain of a web page's origin ("https://pay.shop.example.cn:8443" →
// "example.cn", "https://a.github.io" → "a.github.io"), by the Public Suffix List (libpsl, with
// Debian's publicsuffix data): the unit one party controls, so that a page cannot multiply its
// shares of taplinkd, or the user's questions, with subdomains.
#pragma once

#include <string>
#include <string_view>

namespace taplink::api {

// The origin's registrable domain, in lower case. A host that has none (an IP address,
// "localhost", a public suffix itself) is its own.
std::string registrableDomain(std::string_view origin);

}  // namespace taplink::api
