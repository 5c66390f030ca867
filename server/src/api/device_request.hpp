// What the device API's handlers (device_api.cpp, ecload_api.cpp) take from every request:
// the JSON body parsed strictly into the contract's type, and the time now.
#pragma once

#include <chrono>
#include <cstdint>

#include "api/api_error.hpp"
#include "http/http_message.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

inline std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Body::fromJson over the strictly parsed body; 400 malformed_request when it does not follow
// the contract.
template <class Body>
Body parseBody(const http::Request& request) {
    try {
        return Body::fromJson(net::wire::parseJson(request.body));
    } catch (const net::wire::WireFormatError& error) {
        throw ApiError(400, "malformed_request", error.what());
    }
}

}  // namespace taplink::server
