// The operator commands' side of the admin API: one HTTP/1.1 request per connection over
// the admin Unix socket.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::server {

// The socket cannot be reached, or the answer is not HTTP with a JSON body.
class AdminClientError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct AdminReply {
    int status = 0;
    nlohmann::json body;
};

class AdminClient {
  public:
    explicit AdminClient(std::string socketPath) : socketPath_(std::move(socketPath)) {}

    // body nullptr: no body. Throws AdminClientError.
    AdminReply request(std::string_view method, std::string_view path,
                       const nlohmann::json& body = nullptr) const;

  private:
    std::string socketPath_;
};

}  // namespace taplink::server
