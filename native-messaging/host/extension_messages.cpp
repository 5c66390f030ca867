#include "extension_messages.hpp"

#include <algorithm>

#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::nm {

namespace {

std::string dump(const nlohmann::json& message) {
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json errorObject(std::string_view code, std::string_view message) {
    return {{"code", code}, {"message", message}};
}

}  // namespace

std::optional<std::variant<Hello, Refusal>> parseHello(std::string_view frame) {
    const auto message = nlohmann::json::parse(frame, nullptr, false);
    if (message.is_discarded()) {
        return std::nullopt;
    }
    const auto refuse = [](std::string why) -> std::variant<Hello, Refusal> {
        return Refusal{code::kInvalidRequest, std::move(why)};
    };
    if (!message.is_object() || message.value("type", nlohmann::json()) != "hello") {
        return refuse(R"(the first message must be {"type":"hello","origin":...})");
    }
    const auto origin = message.find("origin");
    if (origin == message.end() || !origin->is_string() ||
        origin->get_ref<const std::string&>().empty()) {
        return refuse("hello: origin must be a non-empty string");
    }
    if (origin->get_ref<const std::string&>().size() > api::kMaxOriginBytes) {
        return refuse("hello: origin is too long");
    }
    return Hello{origin->get<std::string>()};
}

std::string helloAccepted(std::string_view version) {
    return dump({{"type", "hello"}, {"ok", true}, {"version", version}});
}

std::string helloRefused(std::string_view code, std::string_view message) {
    return dump({{"type", "hello"}, {"ok", false}, {"error", errorObject(code, message)}});
}

std::string sessionError(std::string_view code, std::string_view message) {
    return dump({{"type", "error"}, {"error", errorObject(code, message)}});
}

std::string parseError(std::string_view why) {
    return dump(
        api::makeError(nullptr, api::RpcCode::ParseError, "parse error: " + std::string(why)));
}

std::string invalidRequest(std::string_view why) {
    return dump(api::makeError(nullptr, api::RpcCode::InvalidRequest,
                               "invalid request: " + std::string(why)));
}

std::string sessionHelloLine(const Hello& hello, std::string_view extensionId) {
    return api::toLine({{"jsonrpc", "2.0"},
                        {"id", kSessionHelloId},
                        {"method", api::method::kSessionHello},
                        {"params",
                         {{"transport", api::kNativeMessagingTransport},
                          {"origin", hello.origin},
                          {"extensionId", extensionId}}}});
}

std::string frameToLine(std::string frame) {
    std::replace_if(
        frame.begin(), frame.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    frame += '\n';
    return frame;
}

}  // namespace taplink::nm
