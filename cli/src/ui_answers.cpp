#include "ui_answers.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "human_output.hpp"
#include "pin_prompt.hpp"
#include "taplink/base/pipe.hpp"
#include "taplink/protocol/api_names.hpp"

namespace taplink::cli {

namespace {

using nlohmann::json;

// taplinkd's own answer timeout (TrustedUi), for a question whose expiry does not parse.
constexpr auto kDefaultAnswerTimeout = std::chrono::seconds(60);

void respond(const CommandContext& context, const json& answer) {
    auto client = context.connect();
    client.call(api::method::kUiRespond, answer);
}

void writeTo(int fd, const std::string& text) {
    [[maybe_unused]] const ssize_t written = ::write(fd, text.data(), text.size());
}

// The PIN goes into the answer's one string; both copies are wiped once sent (or not).
void sendPin(const CommandContext& context, const std::string& id, std::string& pin) {
    json answer{{"id", id}, {"decision", "allow"}, {"choice", pin}};
    OPENSSL_cleanse(pin.data(), pin.size());
    struct Wipe {
        json& answer;
        ~Wipe() {
            auto& sent = answer.at("choice").get_ref<std::string&>();
            OPENSSL_cleanse(sent.data(), sent.size());
        }
    } wipe{answer};
    respond(context, answer);
}

// ui.request.closed's reason, for the cardholder (docs/api.md, "Trusted UI").
std::string closedBecause(const std::string& reason) {
    if (reason == "answered") {
        return "answered in another TapLink window";
    }
    if (reason == "timeout") {
        return "no PIN in time";
    }
    if (reason == "cancelled") {
        return "the payment was cancelled";
    }
    return "the payment ended";
}

// On the prompt's thread: the terminal, then ui.respond. Nothing may escape a thread.
void askPin(const CommandContext& context, const json& request, int closedFd) noexcept {
    const std::string id = request.value("id", "");
    try {
        const PinStops stops{context.interruptFd, closedFd, questionDeadline(request)};
        PinReading reading =
            readPin(formatAsker(request) + formatPinPrompt(request.at("pin")), stops);
        switch (reading.end) {
            case PinEnd::Entered:
                sendPin(context, id, reading.pin);
                break;
            case PinEnd::Gone:  // no terminal to ask on: say so at once
                respond(context, {{"id", id}, {"decision", "deny"}});
                break;
            default:  // closed, expired (said on the terminal) or Ctrl-C (the call cancels)
                break;
        }
    } catch (const std::exception& error) {  // stderr itself: the call's thread writes err
        writeTo(STDERR_FILENO, std::string("taplink: the PIN could not be handed to taplinkd: ") +
                                   error.what() + "\n");
    }
}

// The candidates come in the kernel's order: the highest priority first (EMV Book 1 12.4).
void answerApplication(const CommandContext& context, const json& request) {
    const json& candidates = request.at("application").at("candidates");
    json answer{{"id", request.at("id")}, {"decision", candidates.empty() ? "deny" : "allow"}};
    if (!candidates.empty()) {
        answer["choice"] = candidates.front().at("aid");
    }
    respond(context, answer);
}

std::optional<std::chrono::system_clock::time_point> parseUtc(const std::string& text) {
    std::tm utc{};
    char zulu = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &utc.tm_year, &utc.tm_mon,
                    &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &zulu) != 7 ||
        zulu != 'Z') {
        return std::nullopt;
    }
    utc.tm_year -= 1900;
    utc.tm_mon -= 1;
    return std::chrono::system_clock::from_time_t(::timegm(&utc));
}

}  // namespace

std::chrono::steady_clock::time_point questionDeadline(const json& request) {
    const auto now = std::chrono::steady_clock::now();
    const auto expires = parseUtc(request.value("expiresAt", ""));
    if (!expires) {
        return now + kDefaultAnswerTimeout;
    }
    return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     *expires - std::chrono::system_clock::now());
}

UiAnswers::UiAnswers(const CommandContext& context, std::string orderId)
    : context_(context), orderId_(std::move(orderId)) {}

UiAnswers::~UiAnswers() {
    closePrompt("ended");
}

bool UiAnswers::isOurs(const json& request) const {
    const std::string kind = request.value("kind", "");
    const auto details = request.find(kind);
    return details != request.end() && details->is_object() &&
           details->value("orderId", "") == orderId_;
}

bool UiAnswers::handle(const api::Notification& notification) {
    if (notification.method == api::notification::kUiRequestClosed) {
        if (notification.params.value("id", "") == prompt_.id) {
            closePrompt(notification.params.value("reason", ""));
        }
        return true;
    }
    if (notification.method != api::notification::kUiRequest) {
        return false;
    }
    const json& request = notification.params;
    if (!isOurs(request)) {
        return true;  // another caller's question: another UI may answer it
    }
    const std::string kind = request.value("kind", "");
    if (kind == "pin") {
        startPrompt(request);
    } else if (kind == "application") {
        answerApplication(context_, request);
    }
    return true;
}

void UiAnswers::startPrompt(const json& request) {
    closePrompt("ended");  // one PIN at a time: a new question replaces an old one
    Pipe closed = makePipe(O_CLOEXEC);
    prompt_.closedRead = std::move(closed.read);
    prompt_.closedWrite = std::move(closed.write);
    prompt_.id = request.value("id", "");
    prompt_.thread = std::thread(askPin, std::cref(context_), request, prompt_.closedRead.get());
}

void UiAnswers::closePrompt(const std::string& reason) {
    if (!prompt_.thread.joinable()) {
        return;
    }
    writeTo(prompt_.closedWrite.get(), closedBecause(reason));
    prompt_.thread.join();
    prompt_ = Prompt{};
}

}  // namespace taplink::cli
