#include "taplink/rpc/jsonrpc.hpp"

#include <array>
#include <utility>

namespace taplink::api {

namespace {

constexpr std::string_view kVersion = "2.0";

nlohmann::json invalidRequest(std::string_view why, const nlohmann::json& id = nullptr) {
    return makeError(id, RpcCode::InvalidRequest, "invalid request: " + std::string(why));
}

bool isValidId(const nlohmann::json& id) {
    // Section 4: a string, a number or null. Fractional numbers are discouraged but legal.
    return id.is_string() || id.is_number() || id.is_null();
}

// The request's id if it is usable in an error reply, null otherwise (section 5).
nlohmann::json replyIdOf(const nlohmann::json& message) {
    const auto it = message.find("id");
    if (it != message.end() && isValidId(*it)) {
        return *it;
    }
    return nullptr;
}

bool isKnownMember(const std::string& key) {
    return key == "jsonrpc" || key == "id" || key == "method" || key == "params";
}

// Section 4: every rule of a Request object except the params type, which the caller checks
// so that it can answer -32602 rather than -32600.
std::optional<std::string> requestProblem(const nlohmann::json& message) {
    const auto version = message.find("jsonrpc");
    if (version == message.end() || !version->is_string() || *version != kVersion) {
        return "\"jsonrpc\" must be \"2.0\"";
    }
    const auto method = message.find("method");
    if (method == message.end() || !method->is_string()) {
        return "\"method\" must be a string";
    }
    const auto id = message.find("id");
    if (id != message.end() && !isValidId(*id)) {
        return "\"id\" must be a string, a number or null";
    }
    for (const auto& [key, value] : message.items()) {
        if (!isKnownMember(key)) {
            return "unexpected member \"" + key + "\"";
        }
    }
    return std::nullopt;
}

ErrorCode standardCode(int code) {
    switch (static_cast<RpcCode>(code)) {
        case RpcCode::ParseError:
            return ErrorCode::ParseError;
        case RpcCode::InvalidRequest:
            return ErrorCode::InvalidRequest;
        case RpcCode::MethodNotFound:
            return ErrorCode::MethodNotFound;
        case RpcCode::InvalidParams:
            return ErrorCode::InvalidParams;
        case RpcCode::InternalError:
        case RpcCode::Application:
            break;
    }
    return ErrorCode::Internal;
}

// An error's data.code, whether this build knows it or not.
ApiError applicationError(const std::string& name, const std::string& message,
                          nlohmann::json details) {
    if (const auto known = errorCodeFromName(name)) {
        return {*known, message, std::move(details)};
    }
    return ApiError::unknownCode(name, message, std::move(details));
}

}  // namespace

ApiError::ApiError(ErrorCode code, const std::string& message, nlohmann::json details)
    : std::runtime_error(message), code_(code), details_(std::move(details)) {}

ApiError ApiError::unknownCode(std::string name, const std::string& message,
                               nlohmann::json details) {
    ApiError error(ErrorCode::Internal, message, std::move(details));
    error.unknownName_ = std::move(name);
    return error;
}

std::string_view ApiError::codeName() const {
    return unknownName_.empty() ? errorCodeName(code_) : std::string_view(unknownName_);
}

RpcCode ApiError::rpcCode() const {
    if (code_ == ErrorCode::InvalidParams) {
        return RpcCode::InvalidParams;
    }
    if (code_ == ErrorCode::Internal) {
        return RpcCode::InternalError;
    }
    return RpcCode::Application;
}

std::variant<Request, nlohmann::json> parseRequest(std::string_view text) {
    // Invalid UTF-8 inside strings is a parse error too (nlohmann validates it).
    auto message = nlohmann::json::parse(text, nullptr, false);
    if (message.is_discarded()) {
        return makeError(nullptr, RpcCode::ParseError, "parse error: not a JSON text");
    }
    if (message.is_array()) {
        return invalidRequest("batches are not supported; send one request per line");
    }
    if (!message.is_object()) {
        return invalidRequest("a request must be a JSON object");
    }
    if (const auto problem = requestProblem(message)) {
        return invalidRequest(*problem, replyIdOf(message));
    }
    if (const auto params = message.find("params");
        params != message.end() && !params->is_object()) {
        return makeError(replyIdOf(message), RpcCode::InvalidParams,
                         "invalid params: \"params\" must be an object",
                         {{"code", errorCodeName(ErrorCode::InvalidParams)}});
    }
    Request request;
    request.method = message["method"].get<std::string>();
    if (message.contains("id")) {
        request.id = std::move(message["id"]);
    }
    if (message.contains("params")) {
        request.params = std::move(message["params"]);
    }
    return request;
}

nlohmann::json makeResult(const nlohmann::json& id, nlohmann::json result) {
    return {{"jsonrpc", kVersion}, {"id", id}, {"result", std::move(result)}};
}

nlohmann::json makeError(const nlohmann::json& id, RpcCode code, std::string_view message,
                         nlohmann::json data) {
    nlohmann::json error{{"code", static_cast<int>(code)}, {"message", message}};
    if (!data.is_null()) {
        error["data"] = std::move(data);
    }
    return {{"jsonrpc", kVersion}, {"id", id}, {"error", std::move(error)}};
}

nlohmann::json makeError(const nlohmann::json& id, const ApiError& error) {
    nlohmann::json data{{"code", error.codeName()}};
    if (!error.details().is_null()) {
        data["details"] = error.details();
    }
    return makeError(id, error.rpcCode(), error.what(), std::move(data));
}

nlohmann::json makeNotification(std::string_view method, nlohmann::json params) {
    return {{"jsonrpc", kVersion}, {"method", method}, {"params", std::move(params)}};
}

std::string toLine(const nlohmann::json& message) {
    return message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

ApiError apiErrorFromReply(const nlohmann::json& error) {
    if (!error.is_object()) {
        return ApiError(ErrorCode::Internal, "malformed error reply");
    }
    const auto text = error.find("message");
    const std::string message = text != error.end() && text->is_string()
                                    ? text->get<std::string>()
                                    : "error without a message";
    const auto data = error.find("data");
    if (data != error.end() && data->is_object()) {
        const auto code = data->find("code");
        if (code != data->end() && code->is_string()) {
            const auto details = data->find("details");
            return applicationError(code->get<std::string>(), message,
                                    details != data->end() ? *details : nlohmann::json());
        }
    }
    const auto code = error.find("code");
    const int number = code != error.end() && code->is_number_integer() ? code->get<int>() : 0;
    return ApiError(standardCode(number), message);
}

}  // namespace taplink::api
