#include "ws_fixture.hpp"

#include "api/call_admission.hpp"

namespace taplink::api::test {

WebSocketFixture::WebSocketFixture() {
    registerTestMethods();
    dispatcher.setCallerGate([](const Request&, CallContext& context) {
        if (context.peer().origin != kAllowedOrigin) {
            throw ApiError(ErrorCode::OriginDenied, "origin not allowed",
                           {{"origin", context.peer().origin}});
        }
    });
}

void WebSocketFixture::registerTestMethods() {
    dispatcher.add(
        "test.echo", [](const nlohmann::json& params, CallContext&) { return params; },
        Access::Web);
    dispatcher.add(
        "test.whoami",
        [](const nlohmann::json&, CallContext& context) {
            const Peer& peer = context.peer();
            return nlohmann::json{{"transport", peer.transport},
                                  {"caller", peer.caller == Caller::Web ? "web" : "owner"},
                                  {"origin", peer.origin}};
        },
        Access::Web);
    dispatcher.add(
        "test.block",
        [this](const nlohmann::json&, CallContext& context) {
            if (!gate.wait(context)) {
                throw ApiError(ErrorCode::Cancelled, "the call was cancelled");
            }
            return nlohmann::json("released");
        },
        Access::Web);
    dispatcher.add("test.owner", [](const nlohmann::json&, CallContext&) { return true; });
}

WebSocketServerOptions WebSocketFixture::options() {
    WebSocketServerOptions options;
    options.port = 0;
    options.messagesPerSecond = 1000;
    options.burst = 1000;
    options.log = [this](log::Level /*level*/, std::string_view line) { log(line); };
    options.shares = {options.maxConnections, options.maxConnections, options.maxConnections, {}};
    options.webCalls =
        std::make_shared<WebCallLimit>(WebCallLimit::kMaxWebCalls, WebCallLimit::kMaxWebCalls);
    return options;
}

void WebSocketFixture::start(WebSocketServerOptions serverOptions) {
    server = std::make_unique<WebSocketServer>(dispatcher, std::move(serverOptions));
}

WsClient WebSocketFixture::connect(const std::string& address) const {
    return WsClient(address, server->port(), kGuard);
}

WsClient WebSocketFixture::open(std::string_view origin, const std::string& address) const {
    WsClient client = connect(address);
    client.open(std::string(origin));
    return client;
}

void WebSocketFixture::log(std::string_view line) {
    const std::lock_guard lock(logMutex);
    logLines.emplace_back(line);
}

std::string WebSocketFixture::loggedText() {
    const std::lock_guard lock(logMutex);
    std::string text;
    for (const auto& line : logLines) {
        text += line + "\n";
    }
    return text;
}

}  // namespace taplink::api::test
