// The local API's JSON-RPC 2.0 as taplinkd reads it from its Unix socket (libs/rpc): the line
// framing of a byte stream, each line as a request (or the error reply to send instead), the
// request's params as the handlers read them (daemon/src/api/params.hpp, in taplink_api), and
// an error reply as a client (the CLI, taplink-nm) reads it.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/params.hpp"
#include "fuzz_support.hpp"
#include "taplink/rpc/jsonrpc.hpp"
#include "taplink/rpc/line_buffer.hpp"

namespace taplink::api {
namespace {

using fuzz::require;

// Small, so that the fuzzer reaches the overflow.
constexpr std::size_t kMaxLine = 256;
// Reads come in pieces of any size; a prime splits lines at every offset.
constexpr std::size_t kReadSize = 7;

struct Lines {
    std::vector<std::string> lines;
    bool overflowed = false;
};

void drain(LineBuffer& buffer, Lines& out) {
    while (auto line = buffer.next()) {
        out.lines.push_back(std::move(*line));
    }
    out.overflowed = buffer.overflowed();
}

Lines linesReadAtOnce(std::string_view stream) {
    LineBuffer buffer(kMaxLine);
    Lines out;
    buffer.append(stream.data(), stream.size());
    drain(buffer, out);
    return out;
}

Lines linesReadInPieces(std::string_view stream) {
    LineBuffer buffer(kMaxLine);
    Lines out;
    for (std::size_t at = 0; at < stream.size(); at += kReadSize) {
        const std::string_view piece = stream.substr(at, kReadSize);
        buffer.append(piece.data(), piece.size());
        drain(buffer, out);
    }
    return out;
}

// A request as a client would send it again.
nlohmann::json messageOf(const Request& request) {
    nlohmann::json message{{"jsonrpc", "2.0"}, {"method", request.method}};
    message["params"] = request.params;
    if (request.id) {
        message["id"] = *request.id;
    }
    return message;
}

// Members of the kind the handlers read (card.info's reader, a top-up's amount, a list of
// AIDs); a refusal is always invalid_params.
void readParams(const nlohmann::json& params) {
    try {
        params::allowOnly(params, {"reader", "orderId", "amount", "aids"});
        params::optionalString(params, "reader");
        params::optionalInteger(params, "amount", 1, 100'000'000);
        if (params.contains("aids")) {
            params::requiredStringArray(params, "aids");
        }
        params::requiredString(params, "orderId");
    } catch (const ApiError& error) {
        require(error.code() == ErrorCode::InvalidParams, "params: refused as invalid_params");
    }
}

void checkRequest(const Request& request) {
    require(request.params.is_object(), "request: params is an object");
    const auto again = parseRequest(toLine(messageOf(request)));
    const auto* same = std::get_if<Request>(&again);
    require(same != nullptr && same->method == request.method && same->id == request.id &&
                same->params == request.params,
            "request: a parsed request sent again parses the same");
    readParams(request.params);
}

// The error reply taplinkd sends instead of a bad request: a JSON-RPC error object with a
// standard code, as the client reads it back.
void checkErrorReply(const nlohmann::json& reply) {
    require(reply.at("jsonrpc") == "2.0" && reply.contains("id"), "error reply: envelope");
    const nlohmann::json& error = reply.at("error");
    const int code = error.at("code").get<int>();
    require(code == static_cast<int>(RpcCode::ParseError) ||
                code == static_cast<int>(RpcCode::InvalidRequest) ||
                code == static_cast<int>(RpcCode::InvalidParams),
            "error reply: a standard code");
    require(nlohmann::json::parse(toLine(reply)) == reply, "error reply: the line reads back");
    apiErrorFromReply(error);
}

void checkLine(const std::string& line) {
    const auto parsed = parseRequest(line);
    if (const auto* request = std::get_if<Request>(&parsed)) {
        checkRequest(*request);
    } else {
        checkErrorReply(std::get<nlohmann::json>(parsed));
    }
    // A client reads whatever the daemon sent as a reply's error object.
    const auto reply = nlohmann::json::parse(line, nullptr, false);
    if (!reply.is_discarded() && reply.is_object() && reply.contains("error")) {
        apiErrorFromReply(reply["error"]);
    }
}

void checkInput(std::string_view stream) {
    const Lines atOnce = linesReadAtOnce(stream);
    const Lines inPieces = linesReadInPieces(stream);
    require(atOnce.lines == inPieces.lines && atOnce.overflowed == inPieces.overflowed,
            "line framing: the same lines however the stream is split");
    for (const std::string& line : atOnce.lines) {
        require(line.size() <= kMaxLine && line.find('\n') == std::string::npos,
                "line framing: bounded lines without their newline");
        checkLine(line);
    }
}

}  // namespace
}  // namespace taplink::api

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::api::checkInput(taplink::fuzz::textOf(data, size));
    return 0;
}
