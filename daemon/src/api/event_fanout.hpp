// Event delivery shared by the transports: an event goes to every session subscribed to it.
// The subscribers are picked under the server's lock and sent to outside it, so a slow send
// never holds up connections coming and going.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::api {

template <class SessionType>
void sendToSubscribers(std::mutex& sessionsMutex,
                       const std::vector<std::shared_ptr<SessionType>>& sessions,
                       std::string_view event, const nlohmann::json& params) {
    std::vector<std::shared_ptr<SessionType>> subscribers;
    {
        const std::lock_guard lock(sessionsMutex);
        for (const auto& session : sessions) {
            if (session->isSubscribed(event)) {
                subscribers.push_back(session);
            }
        }
    }
    const nlohmann::json message = makeNotification(event, params);
    for (const auto& session : subscribers) {
        session->send(message);
    }
}

}  // namespace taplink::api
