#include "relay.hpp"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

#include "daemon_socket.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/api_names.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::nm {

namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
// Past this much unwritten output in one direction, stop reading what would add to it.
constexpr std::size_t kHighWater = std::size_t{4} << 20;

constexpr short kGone = POLLHUP | POLLERR | POLLNVAL;

}  // namespace

Relay::Relay(RelayOptions options)
    : options_(std::move(options)), browserOut_(options_.output, false) {}

int Relay::run() {
    while (phase_ != Phase::Done) {
        pollOnce();
    }
    return status_;
}

bool Relay::wantsFrames() const {
    return (phase_ == Phase::AwaitingHello || phase_ == Phase::Relaying) &&
           daemonOut_.size() < kHighWater && browserOut_.size() < kHighWater;
}

bool Relay::wantsLines() const {
    return (phase_ == Phase::AwaitingSessionHello || phase_ == Phase::Relaying ||
            phase_ == Phase::Draining) &&
           browserOut_.size() < kHighWater;
}

int Relay::pollTimeout() const {
    if (!deadline_) {
        return -1;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - Clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

void Relay::pollOnce() {
    const bool ending = phase_ == Phase::Ending;
    // While draining or ending, stdin is not watched: it closed, or the extension has been
    // told and its input no longer counts.
    const bool watchesInput = !ending && phase_ != Phase::Draining;
    std::array<pollfd, 3> fds{{
        {watchesInput ? options_.input : -1, static_cast<short>(wantsFrames() ? POLLIN : 0), 0},
        {ending ? -1 : daemon_.get(),
         static_cast<short>((wantsLines() ? POLLIN : 0) | (daemonOut_.empty() ? 0 : POLLOUT)), 0},
        {options_.output, static_cast<short>(browserOut_.empty() ? 0 : POLLOUT), 0},
    }};
    const int ready = ::poll(fds.data(), fds.size(), pollTimeout());
    if (ready < 0) {
        if (errno != EINTR) {
            finish(kExitSessionEnded, "poll: " + std::generic_category().message(errno));
        }
        return;
    }
    if (deadline_ && Clock::now() >= *deadline_) {
        if (phase_ == Phase::AwaitingSessionHello) {
            end(helloRefused(code::kTimeout, "taplinkd did not answer"),
                "taplinkd did not answer session.hello in time");
        } else if (phase_ == Phase::Draining) {
            finish(kExitBrowserLeft, "stdin closed; gave up waiting for " +
                                         std::to_string(pending_.size()) +
                                         " answers from taplinkd");
        } else {
            finish(status_, "the extension did not read the last message in time");
        }
        return;
    }
    const auto [input, daemon, output] = fds;
    if ((output.revents & kGone) != 0) {
        finish(kExitBrowserLeft, "the browser closed stdout");
        return;
    }
    if ((output.revents & POLLOUT) != 0) {
        flushBrowser();
    }
    if (phase_ != Phase::Done && daemon.revents != 0) {
        if ((daemon.revents & POLLOUT) != 0) {
            flushDaemon();
        }
        if ((daemon.revents & (POLLIN | kGone)) != 0 && phase_ != Phase::Done) {
            readDaemon();
        }
    }
    if ((phase_ == Phase::AwaitingHello || phase_ == Phase::AwaitingSessionHello ||
         phase_ == Phase::Relaying) &&
        input.revents != 0) {
        if ((input.events & POLLIN) == 0) {
            // Not reading it now (waiting for taplinkd, or output piled up), yet the browser
            // hung up.
            browserClosedInput("the browser closed stdin");
        } else {
            readBrowser();
        }
    }
}

void Relay::readBrowser() {
    std::string data;
    switch (readSome(options_.input, data, kReadChunk)) {
        case ReadStatus::Data:
            frames_.append(data.data(), data.size());
            takeFrames();
            return;
        case ReadStatus::Again:
            return;
        case ReadStatus::Eof:
            browserClosedInput(frames_.pending() > 0
                                   ? "the browser closed stdin in the middle of a message"
                                   : "the browser closed stdin");
            return;
        case ReadStatus::Failed:
            browserClosedInput("reading stdin: " + std::generic_category().message(errno));
            return;
    }
}

void Relay::browserClosedInput(std::string_view why) {
    if (phase_ != Phase::Relaying) {
        finish(kExitBrowserLeft, why);  // nothing relayed yet, so nothing to wait for
        return;
    }
    // Chromium closes the pipe right behind the last message: its answer must still go out.
    log::warning(why);
    phase_ = Phase::Draining;
    deadline_ = Clock::now() + options_.answersTimeout;
    flushBrowser();  // finishes at once when nothing is in flight
}

void Relay::takeFrames() {
    // Frames after the hello stay buffered until taplinkd has answered session.hello.
    while (phase_ == Phase::AwaitingHello || phase_ == Phase::Relaying) {
        auto frame = frames_.next();
        if (!frame) {
            break;
        }
        onFrame(std::move(*frame));
    }
    if (frames_.overflowed() && phase_ != Phase::Ending && phase_ != Phase::Done) {
        const std::string why = "a message of " + std::to_string(frames_.announcedBytes()) +
                                " bytes is over the limit of " + std::to_string(kMaxFrameBytes);
        end(invalidRequest(why), why);
    }
}

void Relay::onFrame(std::string frame) {
    if (phase_ == Phase::AwaitingHello) {
        onHello(frame);
        return;
    }
    const auto topLevel = readTopLevel(frame);
    if (topLevel.is_discarded()) {
        toBrowser(parseError("the message is not JSON (or not UTF-8)"));
        return;
    }
    pending_.requestSent(topLevel);
    daemonOut_.push(frameToLine(std::move(frame)));
    flushDaemon();
}

void Relay::onHello(std::string_view frame) {
    const auto parsed = parseHello(frame);
    if (!parsed) {
        toBrowser(parseError("the message is not JSON (or not UTF-8)"));
        return;
    }
    if (const auto* refusal = std::get_if<Refusal>(&*parsed)) {
        end(helloRefused(refusal->code, refusal->message), refusal->message);
        return;
    }
    auto connection = connectToDaemon(options_.socketPath);
    if (const auto* unreachable = std::get_if<Unreachable>(&connection)) {
        end(helloRefused(code::kNotRunning, unreachable->message), unreachable->message);
        return;
    }
    daemon_ = std::move(std::get<UniqueFd>(connection));
    daemonOut_ = OutputQueue(daemon_.get(), true);
    daemonOut_.push(sessionHelloLine(std::get<Hello>(*parsed), options_.extensionId));
    phase_ = Phase::AwaitingSessionHello;
    deadline_ = Clock::now() + options_.helloTimeout;
    flushDaemon();
}

void Relay::readDaemon() {
    std::string data;
    for (;;) {
        data.clear();
        switch (readSome(daemon_.get(), data, kReadChunk)) {
            case ReadStatus::Data:
                lines_.append(data.data(), data.size());
                takeLines();
                if (phase_ == Phase::Ending || phase_ == Phase::Done || !wantsLines()) {
                    return;
                }
                continue;  // the socket is non-blocking: read until it is empty
            case ReadStatus::Again:
                return;
            case ReadStatus::Eof:
                daemonGone("taplinkd closed the connection");
                return;
            case ReadStatus::Failed:
                daemonGone("reading from taplinkd: " + std::generic_category().message(errno));
                return;
        }
    }
}

void Relay::takeLines() {
    while (phase_ == Phase::AwaitingSessionHello || phase_ == Phase::Relaying ||
           phase_ == Phase::Draining) {
        const auto line = lines_.next();
        if (!line) {
            break;
        }
        if (line->empty()) {
            continue;
        }
        if (phase_ == Phase::AwaitingSessionHello) {
            onSessionHelloAnswer(*line);
            continue;
        }
        if (!pending_.empty()) {  // else no line can answer anything: not worth parsing
            pending_.replyReceived(readTopLevel(*line));
        }
        toBrowser(*line);
    }
    if (lines_.overflowed() && (phase_ == Phase::AwaitingSessionHello ||
                                phase_ == Phase::Relaying || phase_ == Phase::Draining)) {
        end(sessionError(code::kProtocolError, "taplinkd sent a message over 1 MiB"),
            "taplinkd sent a message over 1 MiB");
    }
}

void Relay::onSessionHelloAnswer(std::string_view line) {
    const auto answer = nlohmann::json::parse(line, nullptr, false);
    if (answer.is_object() && answer.contains("error")) {
        const api::ApiError error = api::apiErrorFromReply(answer["error"]);
        end(helloRefused(error.codeName(), error.what()),
            "taplinkd refused session.hello: " + std::string(error.what()));
        return;
    }
    if (!answer.is_object() || !answer.contains("result") || !answer["result"].is_object()) {
        end(helloRefused(code::kProtocolError, "taplinkd answered session.hello with nonsense"),
            "taplinkd answered session.hello with something that is not JSON-RPC");
        return;
    }
    const auto& result = answer["result"];
    const auto version = result.find("version");
    toBrowser(helloAccepted(version != result.end() && version->is_string()
                                ? version->get_ref<const std::string&>()
                                : std::string(api::kApiVersion)));
    phase_ = Phase::Relaying;
    deadline_.reset();
    takeFrames();  // any the extension sent right behind its hello
}

void Relay::daemonGone(std::string_view why) {
    if (phase_ == Phase::AwaitingSessionHello) {
        end(helloRefused(code::kNotRunning, "taplinkd closed the connection before it answered"),
            why);
    } else if (phase_ == Phase::Relaying) {
        end(sessionError(code::kNotRunning, "taplinkd closed the connection"), why);
    } else if (phase_ == Phase::Draining && daemon_) {
        // The port is closed already, nobody to tell; what was relayed still goes out.
        log::warning(why);
        daemon_.reset();
        daemonOut_ = OutputQueue(-1, true);
        pending_.clear();  // no answer comes any more
        flushBrowser();
    }
}

void Relay::toBrowser(std::string_view message) {
    browserOut_.push(encodeFrame(message));
    flushBrowser();
}

void Relay::flushBrowser() {
    if (phase_ == Phase::Done) {
        return;
    }
    const auto status = browserOut_.flush();
    if (status == OutputQueue::Status::Failed) {
        finish(kExitBrowserLeft, "the browser closed stdout");
    } else if (status == OutputQueue::Status::Done &&
               (phase_ == Phase::Ending || (phase_ == Phase::Draining && pending_.empty()))) {
        finish(status_, "");
    }
}

void Relay::flushDaemon() {
    if (daemonOut_.flush() == OutputQueue::Status::Failed) {
        const std::string why = "writing to taplinkd: " + std::generic_category().message(errno);
        readDaemon();  // what taplinkd said before it went (an error reply, perhaps)
        daemonGone(why);
    }
}

void Relay::end(std::string_view message, std::string_view why) {
    log::warning(why);
    status_ = kExitSessionEnded;
    phase_ = Phase::Ending;
    deadline_ = Clock::now() + options_.flushTimeout;
    daemon_.reset();  // taplinkd cancels whatever the extension had running
    daemonOut_ = OutputQueue(-1, true);
    toBrowser(message);
}

void Relay::finish(int status, std::string_view why) {
    if (!why.empty()) {
        log::warning(why);
    }
    status_ = status;
    phase_ = Phase::Done;
}

}  // namespace taplink::nm
