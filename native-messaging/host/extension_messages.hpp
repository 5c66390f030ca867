// The messages between the extension and taplink-nm that are not relayed JSON-RPC
// (docs/native-messaging.md, "Protocol"): the extension's hello, taplink-nm's answer to it,
// its session errors, and the JSON-RPC errors it answers bad frames with itself.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace taplink::nm {

// Codes of the "error" objects taplink-nm sends (besides those taplinkd gives session.hello).
namespace code {
inline constexpr std::string_view kNotRunning = "not_running";
inline constexpr std::string_view kInvalidRequest = "invalid_request";
inline constexpr std::string_view kTimeout = "timeout";
inline constexpr std::string_view kProtocolError = "protocol_error";
}  // namespace code

// The extension's first message: {"type":"hello","origin":"<page origin>"}.
struct Hello {
    std::string origin;
};

// A refusal with the code and message to send back.
struct Refusal {
    std::string_view code;
    std::string message;
};

// Reads the first frame. Nothing when it is not JSON at all (answered with parseError()).
std::optional<std::variant<Hello, Refusal>> parseHello(std::string_view frame);

// {"type":"hello","ok":true,"version":...}
std::string helloAccepted(std::string_view version);
// {"type":"hello","ok":false,"error":{"code","message"}}
std::string helloRefused(std::string_view code, std::string_view message);
// {"type":"error","error":{"code","message"}}: the session ends (taplinkd went away, ...).
std::string sessionError(std::string_view code, std::string_view message);
// JSON-RPC errors with id null: -32700 (not JSON) and -32600 (frame over the limit).
std::string parseError(std::string_view why);
std::string invalidRequest(std::string_view why);

// session.hello, the first line taplink-nm sends taplinkd (docs/api.md, "Callers").
inline constexpr int kSessionHelloId = 0;
std::string sessionHelloLine(const Hello& hello, std::string_view extensionId);

// A frame already known to be JSON (readTopLevel() took it) as one line for taplinkd's
// socket. The text goes on unchanged but for line breaks, which valid JSON can only hold as
// whitespace between tokens: they become spaces.
std::string frameToLine(std::string frame);

}  // namespace taplink::nm
