#include "http/http_message.hpp"

#include <array>
#include <cctype>

namespace taplink::server::http {

namespace {
constexpr std::array<std::pair<int, std::string_view>, 20> kReasons{{
    {100, "Continue"},
    {200, "OK"},
    {201, "Created"},
    {400, "Bad Request"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {409, "Conflict"},
    {411, "Length Required"},
    {413, "Content Too Large"},
    {415, "Unsupported Media Type"},
    {417, "Expectation Failed"},
    {422, "Unprocessable Content"},
    {429, "Too Many Requests"},
    {431, "Request Header Fields Too Large"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {505, "HTTP Version Not Supported"},
}};
}  // namespace

std::optional<std::string_view> Request::header(std::string_view lowerCaseName) const {
    for (const auto& [name, value] : headers) {
        if (name == lowerCaseName) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

bool hasMediaType(const Request& request, std::string_view mediaType) {
    const auto type = request.header("content-type");
    if (!type) {
        return false;
    }
    std::string given(type->substr(0, type->find(';')));
    while (!given.empty() && (given.back() == ' ' || given.back() == '\t')) {
        given.pop_back();
    }
    for (char& c : given) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return given == mediaType;
}

std::string_view reasonPhrase(int status) {
    for (const auto& [code, reason] : kReasons) {
        if (code == status) {
            return reason;
        }
    }
    return "Unknown";
}

std::string serialize(const Response& response, bool keepAlive) {
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
    out += reasonPhrase(response.status);
    out += "\r\nContent-Type: " + response.contentType;
    out += "\r\nContent-Length: " + std::to_string(response.body.size());
    out += "\r\nCache-Control: no-store";
    for (const auto& [name, value] : response.headers) {
        out.append("\r\n").append(name).append(": ").append(value);
    }
    out += keepAlive ? "\r\nConnection: keep-alive" : "\r\nConnection: close";
    out += "\r\n\r\n";
    out += response.body;
    return out;
}

Response jsonResponse(int status, const nlohmann::json& body) {
    Response response;
    response.status = status;
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response errorResponse(int status, std::string_view code, std::string_view message,
                       const nlohmann::json& extra) {
    nlohmann::json body = extra.is_object() ? extra : nlohmann::json::object();
    body["error"] = {{"code", code}, {"message", message}};
    return jsonResponse(status, body);
}

}  // namespace taplink::server::http
