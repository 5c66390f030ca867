// What the admin and merchant APIs do alike with a call: route it to a member handler, answer
// an ApiError with its refusal, read the JSON body, and find the order a path names.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "api/api_error.hpp"
#include "http/router.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::server {

// A Router route that calls api's member handler.
template <class Api, class Call>
auto memberRoute(Api* api, http::Response (Api::*handler)(const http::Request&, Call&,
                                                          const http::PathParams&)) {
    return [api, handler](const http::Request& request, Call& call, const http::PathParams& path) {
        return (api->*handler)(request, call, path);
    };
}

// The router's answer to the request; an ApiError becomes its refusal. Never throws for
// anything a client sends.
template <class Call>
http::Response answer(const http::Router<Call>& router, const http::Request& request) {
    Call call;
    try {
        return router.dispatch(request, call);
    } catch (const ApiError& error) {
        return error.response();
    }
}

// The request's body parsed as strict JSON; 400 malformed_request when it is not.
inline nlohmann::json jsonBody(const http::Request& request) {
    try {
        return net::wire::parseJson(request.body);
    } catch (const net::wire::WireFormatError& error) {
        throw ApiError(400, "malformed_request", error.what());
    }
}

// Runs read on the body's object (what names it in errors) and refuses any member read did
// not take; whatever breaks the contract (a WireFormatError) is 400 malformed_request.
template <class Read>
auto readBody(const http::Request& request, const char* what, Read read) {
    const nlohmann::json body = jsonBody(request);  // the object reader keeps a pointer to it
    try {
        net::wire::StrictObject in(body, what);
        auto value = read(in);
        in.finish();
        return value;
    } catch (const net::wire::WireFormatError& error) {
        throw ApiError(400, "malformed_request", error.what());
    }
}

// The order orderId names; 404 order_not_found when there is none.
inline OrderRecord existingOrder(ServerStore& store, const std::string& orderId) {
    auto order = net::wire::isValidOrderId(orderId) ? store.findOrder(orderId) : std::nullopt;
    if (!order) {
        throw ApiError(404, net::wire::refusal::kOrderNotFound, "no order " + orderId);
    }
    return std::move(*order);
}

}  // namespace taplink::server
