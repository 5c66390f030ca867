#include "api/registrable_domain.hpp"

#include <libpsl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace taplink::api {

namespace {

struct PslFree {
    void operator()(psl_ctx_t* context) const { psl_free(context); }
};

// The newest list of the built-in one and the system's file (Debian's publicsuffix package),
// loaded once for the process. Lookups only read it.
const psl_ctx_t* suffixList() {
    static const std::unique_ptr<psl_ctx_t, PslFree> latest(psl_latest(nullptr));
    return latest ? latest.get() : psl_builtin();
}

// "scheme://host[:port]" → host; an IPv6 literal keeps its brackets.
std::string_view hostOf(std::string_view origin) {
    const std::size_t scheme = origin.find("://");
    if (scheme != std::string_view::npos) {
        origin.remove_prefix(scheme + 3);
    }
    if (origin.starts_with('[')) {
        return origin.substr(0, origin.find(']') + 1);
    }
    return origin.substr(0, origin.find(':'));
}

bool isIpAddress(std::string_view host) {
    return host.starts_with('[') || std::all_of(host.begin(), host.end(), [](char c) {
               return c == '.' || std::isdigit(static_cast<unsigned char>(c)) != 0;
           });
}

}  // namespace

std::string registrableDomain(std::string_view origin) {
    std::string host(hostOf(origin));
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (isIpAddress(host)) {
        return host;
    }
    const psl_ctx_t* list = suffixList();
    const char* domain = list != nullptr ? psl_registrable_domain(list, host.c_str()) : nullptr;
    return domain != nullptr ? std::string(domain) : host;
}

}  // namespace taplink::api
