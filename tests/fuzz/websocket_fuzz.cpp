// taplinkd's checks of a browser's WebSocket handshake (daemon/src/api/websocket_checks.hpp,
// in taplink_websocket): the Host header, the Origin header and the connection shares,
// which read the origin's registrable domain through libpsl. The input is the header value.
#include <string>
#include <vector>

#include "api/websocket_checks.hpp"
#include "fuzz_support.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::api {
namespace {

using fuzz::require;

// A Host the daemon accepts names the loopback, so http://<host> is an origin.
void checkHost(std::string_view host) {
    const std::string origin = "http://" + std::string(host);
    if (isLoopbackHost(host) && origin.size() <= kMaxOriginBytes) {
        require(isWellFormedOrigin(origin), "a loopback Host makes a well-formed origin");
    }
}

// The shares are counted only for well-formed origins (the handshake refuses the others
// first): one more connection fits when none is open, and not past a share of one.
void checkShares(std::string_view text) {
    const std::string origin(text);
    if (!isWellFormedOrigin(origin)) {
        return;
    }
    const ConnectionShares oneEach{1, 1, 1, [](std::string_view) { return false; }};
    require(!exceededShare(oneEach, {}, origin), "shares: the first connection fits");
    const std::vector<std::string> open{origin};
    require(exceededShare(oneEach, open, origin).has_value(), "shares: the second does not");
    require(!exceededShare(ConnectionShares{}, open, origin), "shares: the default has room");
}

void checkInput(std::string_view text) {
    checkHost(text);
    checkShares(text);
}

}  // namespace
}  // namespace taplink::api

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::api::checkInput(taplink::fuzz::textOf(data, size));
    return 0;
}
