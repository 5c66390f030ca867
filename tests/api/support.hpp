// Helpers of the API tests: a raw socket client that sends exactly the
// bytes a test chooses, a gate that long-running handlers wait on, and bounded waits (a
// bug makes a test fail after the guard time rather than hang; no test asserts timing).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink::api::test {

inline constexpr std::chrono::seconds kGuard{10};

// True once the predicate holds; false if it still does not after kGuard.
bool waitUntil(const std::function<bool()>& predicate);

class RawConnection {
  public:
    explicit RawConnection(const std::string& path);  // throws std::system_error

    void send(std::string_view bytes);
    void sendJson(const nlohmann::json& message);
    // The next line without '\n'; nothing at EOF. Throws std::runtime_error after kGuard.
    std::optional<std::string> readLine();
    // The next line as JSON; throws at EOF.
    nlohmann::json readJson();
    // True when the server closed the connection (EOF, or reset) with nothing more to read.
    bool readsEof();
    void shutdownWrite();
    void close() { fd_.reset(); }

  private:
    UniqueFd fd_;
    std::string buffer_;
};

// What handlers that last wait on: released by the test, or cancelled.
class Gate {
  public:
    // In a handler: true when released, false when the call was cancelled.
    bool wait(const CallContext& context);
    void release();
    // The test side: true once `count` handlers entered wait() / were cancelled (kGuard).
    bool waitStarted(int count);
    bool waitCancelled(int count);

  private:
    std::mutex mutex_;
    std::condition_variable_any changed_;
    int started_ = 0;
    int cancelled_ = 0;
    bool released_ = false;
};

nlohmann::json request(const nlohmann::json& id, std::string_view method,
                       nlohmann::json params = nlohmann::json::object());

// The error a fake handler throws for a code given by name, known to this build or not.
inline ApiError apiErrorNamed(const std::string& name, const std::string& message,
                              nlohmann::json details = {}) {
    const auto known = errorCodeFromName(name);
    return known ? ApiError(*known, message, std::move(details))
                 : ApiError::unknownCode(name, message, std::move(details));
}

}  // namespace taplink::api::test
