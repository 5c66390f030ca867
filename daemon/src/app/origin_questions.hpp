// How often web pages may have the user asked about their origin (docs/api.md, "Origins"),
// so that a page cannot bury the user in dialogs, one per subdomain:
// - one open question per registrable domain (api/registrable_domain.hpp): while it is open,
//   another origin of the domain is answered busy; the same origin shares the dialog
//   (TrustedUi::ask);
// - once the user refused a domain's origin, or let the question expire, the domain is not
//   asked about again for a quiet time: its calls are refused without a dialog;
// - at most kMaxQuestionsPerDomain new questions a minute about one domain (a page that
//   withdraws its question and asks again), and kMaxQuestionsPerMinute in all; more are
//   answered busy.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "app/trusted_ui.hpp"

namespace taplink::app {

class OriginQuestions {
  public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    static constexpr std::size_t kMaxQuestionsPerDomain = 2;
    static constexpr std::size_t kMaxQuestionsPerMinute = 10;
    static constexpr std::chrono::seconds kQuietAfterRefusal{60};

    explicit OriginQuestions(Clock now = [] { return std::chrono::steady_clock::now(); })
        : now_(std::move(now)) {}

    // The right to ask the user about the (canonical) origin, held until the answer is in;
    // throws api::ApiError (busy, or origin_denied in a quiet time) when it may not be asked.
    std::shared_ptr<const void> turn(const std::string& origin);

    // The user's answer: a refusal or no answer in time starts the domain's quiet time.
    void answered(const std::string& origin, UiAnswer answer);

  private:
    struct Open {
        std::string origin;
        std::size_t askers = 0;
    };
    void checkLocked(const std::string& origin, const std::string& domain);
    void checkQuietLocked(const std::string& origin, const std::string& domain);
    void checkRateLocked(const std::string& domain);
    void release(const std::string& domain);

    Clock now_;
    std::mutex mutex_;
    std::map<std::string, Open> open_;  // by registrable domain
    std::map<std::string, std::chrono::steady_clock::time_point> quietUntil_;
    // The new questions of the last minute, and of whom.
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> asked_;
};

}  // namespace taplink::app
