// HTTP/1.1 messages as the top-up server sees them (RFC 9112): a request read off a
// connection and the JSON response written back.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace taplink::server::http {

struct Request {
    std::string method;   // "GET", "POST", ...
    std::string target;   // as sent, e.g. "/v1/orders/ORD-1?x=1"
    std::string path;     // the target without its query
    std::string version;  // "HTTP/1.1" or "HTTP/1.0"
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;
    bool keepAlive = true;  // what the client asked for (version and Connection)

    // The first header of that name (lower case), without surrounding blanks.
    std::optional<std::string_view> header(std::string_view lowerCaseName) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Response {
    int status = 200;
    std::string body;
    std::string contentType = "application/json";
    HeaderList headers;  // more header fields, written after the standard ones
    bool close = false;  // end the connection after this response
};

// Whether the request's Content-Type names mediaType (lower case): compared without its
// parameters (charset, ...) and in any case. False without a Content-Type.
bool hasMediaType(const Request& request, std::string_view mediaType);

// The reason phrase of a status code ("Not Found"); "Unknown" for codes this server never uses.
std::string_view reasonPhrase(int status);

// Status line, Content-Type, Content-Length, Cache-Control, the response's own headers,
// Connection and the body.
std::string serialize(const Response& response, bool keepAlive);

// A JSON body (invalid UTF-8 in strings is replaced, never thrown about).
Response jsonResponse(int status, const nlohmann::json& body);
// {"error":{"code":code,"message":message}}, merged with extra's members when it is an object.
Response errorResponse(int status, std::string_view code, std::string_view message,
                       const nlohmann::json& extra = nullptr);

// A request the server will not read further: the status and error code to answer with;
// the connection closes after the answer.
class HttpError : public std::runtime_error {
  public:
    HttpError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), status_(status), code_(std::move(code)) {}
    int status() const { return status_; }
    const std::string& code() const { return code_; }

  private:
    int status_;
    std::string code_;
};

}  // namespace taplink::server::http
