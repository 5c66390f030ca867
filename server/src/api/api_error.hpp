// A refusal of the server's APIs: the HTTP status, the snake_case error code of the contract
// (docs/server.md) and plain words, plus any members the answer carries besides "error".
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>

#include "http/http_message.hpp"

namespace taplink::server {

class ApiError : public std::runtime_error {
  public:
    ApiError(int status, std::string code, const std::string& message,
             nlohmann::json extra = nullptr)
        : std::runtime_error(message),
          status_(status),
          code_(std::move(code)),
          extra_(std::move(extra)) {}

    int status() const { return status_; }
    const std::string& code() const { return code_; }
    const nlohmann::json& extra() const { return extra_; }

    http::Response response() const { return http::errorResponse(status_, code_, what(), extra_); }

  private:
    int status_;
    std::string code_;
    nlohmann::json extra_;
};

}  // namespace taplink::server
