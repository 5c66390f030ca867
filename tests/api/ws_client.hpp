// A small blocking WebSocket client (RFC 6455) for the tests and the benchmark of taplinkd's
// WebSocket: it sends exactly what the caller chooses, malformed things included (any Host,
// any Origin or none, binary frames, fragments, oversize messages), and reads frames raw so
// that a test sees pings and close codes. Every read gives up after a timeout instead of
// hanging.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/unique_fd.hpp"

namespace taplink::api::test {

// The server sent nothing within the client's timeout.
class WsTimeout : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class WsOpcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

struct WsFrame {
    WsOpcode opcode = WsOpcode::Text;
    bool fin = true;
    std::string payload;
};

// What the opening handshake sends; a header left empty (nullopt) is not sent at all.
struct WsHandshake {
    std::optional<std::string> host = std::nullopt;  // default "127.0.0.1:<port>"; "": none
    std::optional<std::string> origin = std::nullopt;
    std::optional<std::string> subprotocol = std::nullopt;
    std::string path = "/";
};

struct WsHandshakeResponse {
    int status = 0;                              // 101 when upgraded
    std::map<std::string, std::string> headers;  // names in lower case
};

class WsClient {
  public:
    // Connects to a numeric IPv4 or IPv6 address. Throws std::system_error.
    WsClient(const std::string& address, std::uint16_t port,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

    // Sends the handshake and reads the answer; on 101 checks Sec-WebSocket-Accept (throws
    // std::runtime_error when it is wrong).
    WsHandshakeResponse handshake(const WsHandshake& request);
    // The status line and headers of an HTTP response (after sendRaw() of a request).
    WsHandshakeResponse readHttpResponse();
    // handshake() that must succeed (throws otherwise).
    void open(const std::string& origin);

    // One frame, masked as a client must (RFC 6455 section 5.3).
    void sendFrame(WsOpcode opcode, std::string_view payload, bool fin = true);
    void sendText(std::string_view text) { sendFrame(WsOpcode::Text, text); }
    void sendJson(const nlohmann::json& message) { sendText(message.dump()); }
    // Raw bytes, for what no frame helper builds.
    void sendRaw(std::string_view bytes);

    // The next frame as it arrives. Throws WsTimeout on timeout, std::runtime_error on EOF.
    WsFrame readFrame();
    // The next text message (fragments joined), answering pings on the way. Throws when a
    // close frame, EOF or the timeout comes first.
    std::string readText();
    nlohmann::json readJson() { return nlohmann::json::parse(readText()); }
    // Reads up to the server's close frame, keeping the text messages before it; the close
    // code, or nothing when the connection ended without one (or had none in it).
    std::optional<int> readClose(std::vector<std::string>* textBefore = nullptr);
    // True when the connection ends (EOF or reset) before the timeout, whatever came first.
    bool waitForEof();

    // Answer pings with pongs inside readText()/readClose() (on by default).
    bool answerPings = true;
    // Pings seen so far.
    int pingsSeen = 0;

    void close() { fd_.reset(); }

  private:
    // Reads more bytes into the buffer; false on EOF or reset. Throws on timeout.
    bool fill();
    std::optional<WsFrame> parseFrame();

    UniqueFd fd_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    std::string buffer_;
};

}  // namespace taplink::api::test
