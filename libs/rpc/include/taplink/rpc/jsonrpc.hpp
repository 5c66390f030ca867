// JSON-RPC 2.0 messages (https://www.jsonrpc.org/specification) as taplinkd speaks them on
// every transport: strict parsing of what a client sends, and the one place replies,
// notifications and error objects are built.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "taplink/protocol/error_code.hpp"

namespace taplink::api {

// Standard error codes (JSON-RPC 2.0 section 5.1) and the one application code.
enum class RpcCode : int {
    ParseError = -32700,
    InvalidRequest = -32600,
    MethodNotFound = -32601,
    InvalidParams = -32602,
    InternalError = -32603,
    Application = -32000,  // data.code says which (see ApiError)
};

// What a handler throws to answer with an application error. On the wire:
//   {"code":-32000,"message":message,"data":{"code":code,"details":details}}
// ("details" only when not null); code invalid_params is sent as -32602 and internal as
// -32603, each with the same data.
class ApiError : public std::runtime_error {
  public:
    ApiError(ErrorCode code, const std::string& message, nlohmann::json details = {});
    // A data.code this build does not know (a newer daemon's): Internal, as docs/api.md
    // "Versioning" says, but its name is kept for what the caller reports.
    static ApiError unknownCode(std::string name, const std::string& message,
                                nlohmann::json details = {});

    ErrorCode code() const { return code_; }
    std::string_view codeName() const;
    const nlohmann::json& details() const { return details_; }
    RpcCode rpcCode() const;

  private:
    ErrorCode code_;
    std::string unknownName_;
    nlohmann::json details_;
};

// A request as received. `id` is absent for a notification (no reply is sent) and may be a
// string, a number or null otherwise. `params` is always an object ({} when absent).
struct Request {
    std::optional<nlohmann::json> id;
    std::string method;
    nlohmann::json params = nlohmann::json::object();

    bool isNotification() const { return !id.has_value(); }
};

// Parses one message. A message that is not a valid request yields the error reply to send
// instead: -32700 for text that is not JSON, -32600 for anything else that is not a single
// request object (batches are refused), -32602 for params that are not an object.
std::variant<Request, nlohmann::json> parseRequest(std::string_view text);

// Replies and notifications, ready to serialise.
nlohmann::json makeResult(const nlohmann::json& id, nlohmann::json result);
nlohmann::json makeError(const nlohmann::json& id, RpcCode code, std::string_view message,
                         nlohmann::json data = nullptr);
nlohmann::json makeError(const nlohmann::json& id, const ApiError& error);
nlohmann::json makeNotification(std::string_view method, nlohmann::json params);

// One line of the line-framed transports: compact JSON, invalid UTF-8 replaced rather than
// thrown, '\n' appended.
std::string toLine(const nlohmann::json& message);

// The client side: the ApiError an error reply stands for. Application errors keep their
// data.code (see unknownCode for one this build does not know); standard ones get
// ParseError, InvalidRequest, MethodNotFound, InvalidParams or Internal.
ApiError apiErrorFromReply(const nlohmann::json& error);

}  // namespace taplink::api
