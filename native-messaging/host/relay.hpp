// taplink-nm's one session: the extension's frames on stdin/stdout on one side, taplinkd's
// newline-delimited JSON-RPC socket on the other (docs/native-messaging.md). One poll() loop,
// nothing ever blocks it:
//   1. the first frame must be the extension's hello with the page origin; taplink-nm then
//      connects and sends session.hello (that origin, the extension id from its command
//      line) and reads no further frame until taplinkd has answered;
//   2. then each frame goes to taplinkd as one line and each line comes back as one frame,
//      both ways at once, with no change but for whitespace line breaks;
//   3. once stdin closes, it reads no more frames but still relays the answers to the
//      requests taplinkd has not answered yet (PendingAnswers), for at most
//      kAnswersAfterEofTimeout.
// Bad frames are answered by taplink-nm itself; anything that ends the session is told to the
// extension first.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "byte_stream.hpp"
#include "extension_messages.hpp"
#include "frame_codec.hpp"
#include "pending_answers.hpp"
#include "taplink/base/output_queue.hpp"
#include "taplink/base/unique_fd.hpp"
#include "taplink/rpc/line_buffer.hpp"

namespace taplink::nm {

// taplink-nm's exit statuses.
inline constexpr int kExitBrowserLeft = 0;   // stdin closed or stdout gone: the port closed
inline constexpr int kExitSessionEnded = 1;  // ended by taplink-nm, after telling the extension
inline constexpr int kExitUsage = 2;         // no extension id on the command line

// After stdin closes, how long taplink-nm still waits for the answers to the requests it
// relayed: Chromium closes the pipe right behind the last message, whose answer would be lost.
inline constexpr std::chrono::milliseconds kAnswersAfterEofTimeout{5'000};

struct RelayOptions {
    std::string socketPath;   // taplinkd's (api::socketPathFromEnvironment())
    std::string extensionId;  // from the command line
    std::chrono::milliseconds helloTimeout{10'000};  // for taplinkd's answer to session.hello
    std::chrono::milliseconds flushTimeout{2'000};   // for the last message to the extension
    int input = 0;                                   // stdin
    int output = 1;                                  // stdout
    // For the answers still awaited once stdin closed.
    std::chrono::milliseconds answersTimeout = kAnswersAfterEofTimeout;
};

class Relay {
  public:
    explicit Relay(RelayOptions options);
    // Runs the session to its end; returns the exit status.
    int run();

  private:
    // Draining: stdin closed, answers still relayed. Ending: the extension is told why the
    // session ends.
    enum class Phase { AwaitingHello, AwaitingSessionHello, Relaying, Draining, Ending, Done };
    using Clock = std::chrono::steady_clock;

    void pollOnce();
    int pollTimeout() const;
    bool wantsFrames() const;
    bool wantsLines() const;

    void readBrowser();
    void browserClosedInput(std::string_view why);
    void takeFrames();
    void onFrame(std::string frame);
    void onHello(std::string_view frame);
    void readDaemon();
    void takeLines();
    void onSessionHelloAnswer(std::string_view line);
    void daemonGone(std::string_view why);

    void toBrowser(std::string_view message);
    void flushBrowser();
    void flushDaemon();
    void end(std::string_view message, std::string_view why);
    void finish(int status, std::string_view why);

    RelayOptions options_;
    Phase phase_ = Phase::AwaitingHello;
    int status_ = kExitBrowserLeft;
    std::optional<Clock::time_point> deadline_;
    FrameDecoder frames_;
    api::LineBuffer lines_{kMaxFrameBytes};
    UniqueFd daemon_;
    OutputQueue browserOut_;
    OutputQueue daemonOut_{-1, true};
    PendingAnswers pending_;
};

}  // namespace taplink::nm
