// taplink pay's own parts: the PIN read on a real pseudo-terminal with echo off and the
// terminal's settings restored (after Enter, Ctrl-C, the question closed or expired, and
// Ctrl-\, SIGHUP, Ctrl-Z in a child process), the PIN prompt's text, the receipt, and the
// purchase error codes' exit codes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <thread>

#include "exit_status.hpp"
#include "human_output.hpp"
#include "pin_prompt.hpp"
#include "taplink/base/unique_fd.hpp"
#include "ui_answers.hpp"

namespace taplink::cli {
namespace {

struct Pty {
    Pty() : master(::posix_openpt(O_RDWR | O_NOCTTY)) {
        EXPECT_TRUE(master) << "no pseudo-terminal";
        ::grantpt(master.get());
        ::unlockpt(master.get());
        slave = UniqueFd(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY));
    }
    tcflag_t localFlags() const {
        termios now{};
        ::tcgetattr(slave.get(), &now);
        return now.c_lflag;
    }
    std::string drain() const {
        std::string seen;
        char buffer[256];
        const int flags = ::fcntl(master.get(), F_GETFL);
        ::fcntl(master.get(), F_SETFL, flags | O_NONBLOCK);
        for (ssize_t n = 0; (n = ::read(master.get(), buffer, sizeof buffer)) > 0;) {
            seen.append(buffer, static_cast<std::size_t>(n));
        }
        return seen;
    }
    UniqueFd master;
    UniqueFd slave;
};

// Reads what the prompt wrote until `text` has appeared `times` times (5 s at most).
bool waitForText(const Pty& pty, std::string& seen, const std::string& text, int times = 1) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const auto count = [&] {
        int found = 0;
        for (auto at = seen.find(text); at != std::string::npos; at = seen.find(text, at + 1)) {
            ++found;
        }
        return found;
    };
    while (count() < times && std::chrono::steady_clock::now() < deadline) {
        pollfd ready{pty.master.get(), POLLIN, 0};
        if (::poll(&ready, 1, 50) > 0) {
            char buffer[256];
            const ssize_t n = ::read(pty.master.get(), buffer, sizeof buffer);
            if (n > 0) {
                seen.append(buffer, static_cast<std::size_t>(n));
            }
        }
    }
    return count() >= times;
}

// Typed only once the prompt is on screen: echo is off by then and input flushed before.
std::thread typeAfterPrompt(const Pty& pty, std::string& seen, std::string typed) {
    return std::thread([&pty, &seen, typed = std::move(typed)] {
        if (waitForText(pty, seen, "PIN")) {
            EXPECT_EQ(::write(pty.master.get(), typed.data(), typed.size()),
                      static_cast<ssize_t>(typed.size()));
        }
    });
}

// readPinFrom on another thread, so that a prompt that never ends fails the test instead of
// hanging it (Enter is then typed to let it go).
PinReading readWithin(const Pty& pty, const PinStops& stops, std::chrono::seconds limit) {
    auto reading = std::async(std::launch::async,
                              [&] { return readPinFrom(pty.slave.get(), "PIN: ", stops); });
    if (reading.wait_for(limit) != std::future_status::ready) {
        ADD_FAILURE() << "the prompt did not end";
        EXPECT_EQ(::write(pty.master.get(), "\n", 1), 1);
    }
    return reading.get();
}

TEST(PinPrompt, ReadsThePinWithoutEchoAndRestoresTheTerminal) {
    Pty pty;
    ASSERT_NE(pty.localFlags() & ECHO, 0U);
    std::string shown;
    std::thread typist = typeAfterPrompt(pty, shown, "314159\n");
    const auto reading = readPinFrom(pty.slave.get(), "PIN: ", {});
    typist.join();
    ASSERT_EQ(reading.end, PinEnd::Entered);
    EXPECT_EQ(reading.pin, "314159");
    EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored";
    shown += pty.drain();
    EXPECT_NE(shown.find("PIN: "), std::string::npos) << shown;
    EXPECT_EQ(shown.find("314159"), std::string::npos) << "echoed: " << shown;
}

TEST(PinPrompt, AnInterruptRestoresTheTerminalAndLeavesTheSignalForTheCall) {
    Pty pty;
    int interrupt[2];
    ASSERT_EQ(::pipe(interrupt), 0);
    const UniqueFd readEnd(interrupt[0]);
    const UniqueFd writeEnd(interrupt[1]);
    ASSERT_EQ(::write(writeEnd.get(), "x", 1), 1);  // as the SIGINT handler writes it
    EXPECT_EQ(readPinFrom(pty.slave.get(), "PIN: ", {readEnd.get(), -1, std::nullopt}).end,
              PinEnd::Interrupted);
    EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored after Ctrl-C";
    char byte = 0;
    EXPECT_EQ(::read(readEnd.get(), &byte, 1), 1) << "the interrupt is still there for the call";
}

TEST(PinPrompt, TheQuestionClosedByTaplinkdEndsThePromptAndSaysWhy) {
    Pty pty;
    int closed[2];
    ASSERT_EQ(::pipe(closed), 0);
    const UniqueFd readEnd(closed[0]);
    const UniqueFd writeEnd(closed[1]);
    std::string shown;
    std::thread closer([&] {
        if (waitForText(pty, shown, "PIN")) {
            const std::string why = "answered in another TapLink window";
            EXPECT_EQ(::write(writeEnd.get(), why.data(), why.size()),
                      static_cast<ssize_t>(why.size()));
        }
    });
    const auto reading =
        readWithin(pty, {-1, readEnd.get(), std::nullopt}, std::chrono::seconds(5));
    closer.join();
    EXPECT_EQ(reading.end, PinEnd::Closed);
    EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored";
    shown += pty.drain();
    EXPECT_NE(shown.find("PIN entry closed: answered in another TapLink window / "
                         "\u5bc6\u7801\u8f93\u5165\u5df2\u5173\u95ed"),
              std::string::npos)
        << shown;
}

TEST(PinPrompt, TheQuestionsExpiryEndsThePrompt) {
    Pty pty;
    const auto start = std::chrono::steady_clock::now();
    const auto reading =
        readWithin(pty, {-1, -1, start + std::chrono::milliseconds(300)}, std::chrono::seconds(5));
    EXPECT_EQ(reading.end, PinEnd::Expired);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
    EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored";
    const std::string shown = pty.drain();
    EXPECT_NE(shown.find("PIN entry closed: no PIN in time"), std::string::npos) << shown;
}

// A child process prompts on the pty (the signal's default action ends or stops it).
pid_t promptInChild(const Pty& pty, const std::string& expectedPin) {
    const pid_t child = ::fork();
    if (child == 0) {
        ::setpgid(0, 0);  // its own group, not orphaned: SIGTSTP's default stop applies
        const rlimit noCore{0, 0};
        ::setrlimit(RLIMIT_CORE, &noCore);  // SIGQUIT's default dumps core
        const auto reading = readPinFrom(pty.slave.get(), "PIN: ", {});
        ::_exit(reading.end == PinEnd::Entered && reading.pin == expectedPin ? 0 : 3);
    }
    return child;
}

// Until the child's prompt waits in poll(), as a person presses the key at a waiting prompt
// (5 s at most). A signal in the gap between the prompt's write and its poll is caught in a
// plain build, but a ThreadSanitizer build can hold the handler until the thread's next
// intercepted call, and the poll then waits with the signal held.
bool waitUntilPolling(pid_t child) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    const std::string path = "/proc/" + std::to_string(child) + "/syscall";
    while (std::chrono::steady_clock::now() < deadline) {
        long number = -1;
        std::ifstream(path) >> number;  // the syscall the process is blocked in, first
        if (number == SYS_poll || number == SYS_ppoll) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

TEST(PinPrompt, CtrlBackslashAndHangupRestoreTheTerminalThenEndTheProcess) {
    for (const int signal : {SIGQUIT, SIGHUP}) {
        Pty pty;
        std::string shown;
        const pid_t child = promptInChild(pty, "0000");
        ASSERT_GT(child, 0);
        ASSERT_TRUE(waitForText(pty, shown, "PIN"));
        ASSERT_EQ(pty.localFlags() & ECHO, 0U) << "echo off while the PIN is typed";
        ASSERT_TRUE(waitUntilPolling(child));
        ASSERT_EQ(::kill(child, signal), 0);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal) << strsignal(signal);
        EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored on " << strsignal(signal);
    }
}

TEST(PinPrompt, CtrlZRestoresTheTerminalWhileStoppedAndPromptsAgainOnContinue) {
    Pty pty;
    std::string shown;
    const pid_t child = promptInChild(pty, "2718");
    ASSERT_GT(child, 0);
    ASSERT_TRUE(waitForText(pty, shown, "PIN"));
    ASSERT_TRUE(waitUntilPolling(child));
    ASSERT_EQ(::kill(child, SIGTSTP), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, WUNTRACED), child);
    EXPECT_TRUE(WIFSTOPPED(status)) << status;
    EXPECT_NE(pty.localFlags() & ECHO, 0U) << "echo restored while stopped";
    ASSERT_EQ(::kill(child, SIGCONT), 0);
    ASSERT_TRUE(waitForText(pty, shown, "PIN: ", 2)) << "prompted again: " << shown;
    EXPECT_EQ(pty.localFlags() & ECHO, 0U) << "echo off again";
    ASSERT_EQ(::write(pty.master.get(), "2718\n", 5), 5);
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_NE(pty.localFlags() & ECHO, 0U);
}

TEST(PinPrompt, TheDeadlineIsTheQuestionsExpiryElseTaplinkdsAnswerTimeout) {
    using std::chrono::seconds;
    const auto now = std::chrono::steady_clock::now();
    const std::time_t in30 = std::time(nullptr) + 30;
    std::tm utc{};
    gmtime_r(&in30, &utc);
    char expires[32];
    std::strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const auto fromExpiry = questionDeadline({{"expiresAt", expires}}) - now;
    EXPECT_GT(fromExpiry, seconds(28));
    EXPECT_LT(fromExpiry, seconds(32));
    const auto fallback = questionDeadline({{"expiresAt", "soon"}}) - now;
    EXPECT_GT(fallback, seconds(58));
    EXPECT_LT(fallback, seconds(62));
}

TEST(PayOutput, ThePromptShowsAmountMerchantAndMaskedPanOnly) {
    const nlohmann::json pin{{"orderId", "ORD-P"},
                             {"amount", 50000},
                             {"currency", "CNY"},
                             {"merchant", "Demo Shop"},
                             {"pan", "\u20261234"}};
    EXPECT_EQ(formatPinPrompt(pin), "Pay \u00a5500.00 to Demo Shop with card \u20261234\nPIN: ");
}

// docs/api.md "Trusted UI": originVouched true only when the browser vouched for the origin.
TEST(PayOutput, ThePromptSaysWhetherTheBrowserVouchedForTheWebPage) {
    nlohmann::json request{{"id", "u1"},
                           {"kind", "pin"},
                           {"origin", "https://shop.example"},
                           {"transport", "native-messaging"},
                           {"originVouched", true}};
    EXPECT_EQ(formatAsker(request),
              "Web page https://shop.example\n"
              "  \u5df2\u7531\u6d4f\u89c8\u5668\u9a8c\u8bc1 \u00b7 verified by your browser\n");
    request["transport"] = "websocket";
    request["originVouched"] = false;
    const std::string claimed =
        "Web page https://shop.example\n"
        "  warning: \u7531\u672c\u673a\u7a0b\u5e8f\u58f0\u660e\uff0c\u672a\u7ecf\u6d4f"
        "\u89c8\u5668\u9a8c\u8bc1 \u00b7 claimed by a local program; not verified by the "
        "browser\n";
    EXPECT_EQ(formatAsker(request), claimed);
    request.erase("originVouched");  // never shown as vouched without taplinkd saying so
    EXPECT_EQ(formatAsker(request), claimed);
    request["origin"] = "https://a\x1b[2Jb";  // no terminal controls reach the screen
    EXPECT_EQ(formatAsker(request).substr(0, 24), "Web page https://a?[2Jb\n");
    request["origin"] = "";  // the owner's own question: nobody else to name
    EXPECT_EQ(formatAsker(request), "");
}

TEST(PayOutput, AfterAWrongPinThePromptAndTheErrorSayTheTriesLeft) {
    const nlohmann::json pin{{"orderId", "ORD-P"},      {"amount", 50000},     {"currency", "CNY"},
                             {"merchant", "Demo Shop"}, {"pan", "\u20261234"}, {"pinTriesLeft", 2}};
    EXPECT_EQ(formatPinPrompt(pin),
              "Pay \u00a5500.00 to Demo Shop with card \u20261234\n"
              "\u8fd8\u53ef\u5c1d\u8bd5 2 \u6b21 \u00b7 2 tries left\nPIN: ");
    const api::ApiError wrongPin(api::ErrorCode::WrongPin, "the issuer said 55",
                                 {{"pinTriesLeft", 1}});
    EXPECT_EQ(messageFor(wrongPin),
              "the PIN was wrong; nothing was charged; 1 try left (the issuer said 55)");
}

TEST(PayOutput, TheReceiptNamesTheMerchantCardAndAuthorisationCode) {
    const nlohmann::json result{
        {"orderId", "ORD-P"},
        {"status", "approved"},
        {"amount", 5000},
        {"currency", "CNY"},
        {"merchant", "Demo Shop"},
        {"authCode", "A1B2C3"},
        {"card", {{"scheme", "bank-purchase"}, {"pan", "\u20261234"}, {"application", "PBOC"}}},
        {"settled", true},
        {"receipt", {{"receiptId", "RCP-1"}}}};
    const std::string text = formatPayReceipt(result);
    EXPECT_NE(text.find("paid \u00a550.00 to Demo Shop with card \u20261234 PBOC (order ORD-P)"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("authorization code A1B2C3"), std::string::npos) << text;
    EXPECT_NE(text.find("receiptId: RCP-1"), std::string::npos) << text;
}

TEST(PayExitCodes, WrongPinHasItsOwnAndTheLimitIsADecline) {
    EXPECT_EQ(exitCodeFor(api::ErrorCode::WrongPin), 10);
    EXPECT_EQ(exitCodeFor(api::ErrorCode::LimitExceeded), 7);
    EXPECT_EQ(exitCodeFor(api::ErrorCode::PinBlocked), 5);
    EXPECT_EQ(exitCodeFor(api::ErrorCode::Declined), 7);
    EXPECT_EQ(exitCodeFor(api::ErrorCode::ChipLocked), 9);
}

}  // namespace
}  // namespace taplink::cli
