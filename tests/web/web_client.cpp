#include "web_client.hpp"

#include <functional>
#include <stdexcept>

namespace taplink::testbed::web {

using nlohmann::json;

std::string Answer::code() const {
    if (error.is_null()) {
        return {};
    }
    if (error.contains("data") && error["data"].contains("code")) {
        return error["data"]["code"].get<std::string>();
    }
    return std::to_string(error.at("code").get<int>());
}

namespace {

// Reads messages until the reply to `id`, keeping the notifications that come before it.
Answer answerTo(int id, const std::function<json()>& nextMessage) {
    Answer answer;
    for (;;) {
        json message = nextMessage();
        if (!message.contains("id")) {
            answer.notifications.push_back(std::move(message));
            continue;
        }
        if (message["id"] != id) {
            throw std::runtime_error("unexpected reply " + message.dump());
        }
        if (message.contains("error")) {
            answer.error = message["error"];
        } else {
            answer.result = message["result"];
        }
        return answer;
    }
}

}  // namespace

Answer LineCaller::call(const std::string& method, const json& params) {
    const int id = ++nextId_;
    connection_.sendJson(api::test::request(id, method, params));
    return answerTo(id, [this] { return connection_.readJson(); });
}

WebPage::WebPage(const std::string& socketPath, const std::string& origin)
    : LineCaller(socketPath) {
    connection().sendJson(api::test::request(
        0, "session.hello",
        {{"transport", "native-messaging"}, {"origin", origin}, {"extensionId", kExtensionId}}));
    hello_ = connection().readJson();
}

WebSocketPage::WebSocketPage(std::uint16_t port, const std::string& origin)
    : client_("127.0.0.1", port) {
    client_.open(origin);
}

Answer WebSocketPage::call(const std::string& method, const json& params) {
    const int id = ++nextId_;
    client_.sendJson(api::test::request(id, method, params));
    return answerTo(id, [this] { return client_.readJson(); });
}

TrustedUiClient::TrustedUiClient(const std::string& socketPath) : LineCaller(socketPath) {
    const Answer attached = call("ui.attach");
    if (!attached.ok()) {
        throw std::runtime_error("ui.attach failed: " + attached.error.dump());
    }
}

json TrustedUiClient::nextRequest() {
    for (;;) {
        json message = next();
        if (message.value("method", "") == "ui.request") {
            return message["params"];
        }
    }
}

Answer TrustedUiClient::respond(const std::string& id, const std::string& decision, bool remember) {
    return call("ui.respond", {{"id", id}, {"decision", decision}, {"remember", remember}});
}

}  // namespace taplink::testbed::web
