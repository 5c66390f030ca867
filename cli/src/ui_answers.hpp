// What `taplink pay` answers while it is attached to taplinkd's trusted UI for its call: the
// card's online PIN (ui.request kind "pin"), typed on the terminal, and the application
// when the card has several (the highest priority, as taplinkd takes without a UI) — for
// its own order only. Other questions (another caller's order, a web page's) are left to
// the TapLink app, if one runs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "command_context.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink::cli {

class UiAnswers {
  public:
    UiAnswers(const CommandContext& context, std::string orderId);
    UiAnswers(const UiAnswers&) = delete;
    UiAnswers& operator=(const UiAnswers&) = delete;
    // A PIN prompt still open is closed ("the payment ended") and waited for.
    ~UiAnswers();

    // ui.request: answers it when it is about this order; ui.request.closed: ends the PIN
    // prompt for that question. Returns whether the notification was one of these.
    bool handle(const api::Notification& notification);

  private:
    // The PIN prompt runs on its own thread so that the call keeps reading taplinkd's
    // notifications (ui.request.closed) and its answer while the cardholder types.
    struct Prompt {
        std::string id;
        UniqueFd closedRead;
        UniqueFd closedWrite;  // gets the reason taplinkd closed the question
        std::thread thread;
    };

    bool isOurs(const nlohmann::json& request) const;
    void startPrompt(const nlohmann::json& request);
    void closePrompt(const std::string& reason);

    const CommandContext& context_;
    std::string orderId_;
    Prompt prompt_;
};

// The deadline ui.request's expiresAt (RFC 3339, UTC) gives, on the steady clock; without
// one that parses, taplinkd's default answer timeout (60 s) from now.
std::chrono::steady_clock::time_point questionDeadline(const nlohmann::json& request);

}  // namespace taplink::cli
