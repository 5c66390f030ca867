// Callers of a real taplinkd as a web page reaches it through taplink-nm (a Unix-socket
// connection opened with session.hello), and the trusted UI (taplink-gui) answering its
// questions: raw JSON lines, so a test sees every notification in order.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support.hpp"
#include "ws_client.hpp"

namespace taplink::testbed::web {

inline constexpr const char* kExtensionId = "chrome-extension://cgdhkmfheednbofpimeandjmpnkjkgjf/";

// A call's outcome on a raw connection: the result or the error, and the notifications that
// came before the reply.
struct Answer {
    nlohmann::json result;
    nlohmann::json error;  // null on success
    std::vector<nlohmann::json> notifications;

    bool ok() const { return error.is_null(); }
    std::string code() const;  // error.data.code, or the JSON-RPC code as text
};

class LineCaller {
  public:
    explicit LineCaller(const std::string& socketPath) : connection_(socketPath) {}

    // Sends the request and reads until its reply, keeping the notifications on the way.
    Answer call(const std::string& method, const nlohmann::json& params = nlohmann::json::object());
    // The next message (a notification, for a UI waiting for ui.request).
    nlohmann::json next() { return connection_.readJson(); }
    api::test::RawConnection& connection() { return connection_; }

  private:
    api::test::RawConnection connection_;
    int nextId_ = 0;
};

// A page at `origin`, the way taplink-nm connects it.
class WebPage : public LineCaller {
  public:
    WebPage(const std::string& socketPath, const std::string& origin);
    const nlohmann::json& hello() const { return hello_; }

  private:
    nlohmann::json hello_;
};

// A page at `origin` on taplinkd's loopback WebSocket (the handshake's Origin is its origin).
class WebSocketPage {
  public:
    WebSocketPage(std::uint16_t port, const std::string& origin);

    // Sends the request and reads until its reply, keeping the notifications on the way.
    Answer call(const std::string& method, const nlohmann::json& params = nlohmann::json::object());

  private:
    api::test::WsClient client_;
    int nextId_ = 0;
};

// The trusted UI: attached at construction.
class TrustedUiClient : public LineCaller {
  public:
    explicit TrustedUiClient(const std::string& socketPath);
    // Waits for the next ui.request and returns its params.
    nlohmann::json nextRequest();
    Answer respond(const std::string& id, const std::string& decision, bool remember = false);
};

}  // namespace taplink::testbed::web
