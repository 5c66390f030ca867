// taplink-nm, the browser's native-messaging host (native-messaging/host, in
// taplink_nm_core): the frames read from stdin, the extension's hello, the top-level reading
// of a relayed message (its id, for the answers still owed) and the line it becomes for
// taplinkd's socket.
#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

#include "extension_messages.hpp"
#include "frame_codec.hpp"
#include "fuzz_support.hpp"
#include "pending_answers.hpp"

namespace taplink::nm {
namespace {

using fuzz::require;

// The browser writes in pieces of any size; a prime splits frames at every offset.
constexpr std::size_t kReadSize = 13;

std::vector<std::string> framesOf(std::string_view stream, std::size_t readSize) {
    FrameDecoder decoder;
    std::vector<std::string> frames;
    for (std::size_t at = 0; at < stream.size(); at += readSize) {
        const std::string_view piece = stream.substr(at, readSize);
        decoder.append(piece.data(), piece.size());
        while (auto frame = decoder.next()) {
            frames.push_back(std::move(*frame));
        }
    }
    return frames;
}

// Frames encoded again decode to the same frames, however the stream is split.
void checkFraming(std::string_view stream, const std::vector<std::string>& frames) {
    require(framesOf(stream, stream.size() + 1) == frames, "frames: the same however split");
    std::string encoded;
    for (const std::string& frame : frames) {
        require(frame.size() <= kMaxFrameBytes, "frames: within the limit");
        encoded += encodeFrame(frame);
    }
    require(framesOf(encoded, kReadSize) == frames, "frames: decode(encode(f)) == f");
}

void checkHello(const std::string& frame) {
    const auto hello = parseHello(frame);
    if (!hello) {
        return;
    }
    if (const auto* accepted = std::get_if<Hello>(&*hello)) {
        require(!accepted->origin.empty(), "hello: an origin");
        const auto line = nlohmann::json::parse(sessionHelloLine(*accepted, "extension"));
        require(line.at("params").at("origin") == accepted->origin, "hello: the origin passed on");
    }
}

// A message the relay takes (JSON) goes to taplinkd as one line that reads as the same JSON;
// a request sent and its reply received leave no answer owed.
void checkRelayed(const std::string& frame) {
    const auto topLevel = readTopLevel(frame);
    require(topLevel.is_discarded() == nlohmann::json::parse(frame, nullptr, false).is_discarded(),
            "relay: readTopLevel takes exactly the JSON texts");
    if (topLevel.is_discarded()) {
        return;
    }
    const std::string line = frameToLine(frame);
    require(line.find('\n') == line.size() - 1, "relay: one line");
    require(nlohmann::json::parse(line) == nlohmann::json::parse(frame), "relay: the same JSON");
    PendingAnswers pending;
    pending.requestSent(topLevel);
    pending.replyReceived(topLevel);
    require(pending.empty(), "relay: a reply with the request's id answers it");
}

void checkInput(std::string_view stream) {
    const auto frames = framesOf(stream, kReadSize);
    checkFraming(stream, frames);
    for (const std::string& frame : frames) {
        checkHello(frame);
        checkRelayed(frame);
    }
}

}  // namespace
}  // namespace taplink::nm

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    taplink::nm::checkInput(taplink::fuzz::textOf(data, size));
    return 0;
}
