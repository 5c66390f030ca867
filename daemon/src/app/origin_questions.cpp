#include "app/origin_questions.hpp"

#include <algorithm>

#include "api/registrable_domain.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::app {

namespace {

constexpr std::chrono::minutes kRateWindow{1};

[[noreturn]] void busy(const std::string& why) {
    throw api::ApiError(api::ErrorCode::Busy, "taplinkd is busy: " + why);
}

}  // namespace

std::shared_ptr<const void> OriginQuestions::turn(const std::string& origin) {
    const std::string domain = api::registrableDomain(origin);
    {
        const std::lock_guard lock(mutex_);
        checkLocked(origin, domain);
        Open& open = open_[domain];
        if (open.askers++ == 0) {
            open.origin = origin;
            asked_.emplace_back(now_(), domain);
        }
    }
    return {this, [domain](OriginQuestions* questions) { questions->release(domain); }};
}

void OriginQuestions::checkLocked(const std::string& origin, const std::string& domain) {
    checkQuietLocked(origin, domain);
    if (const auto open = open_.find(domain); open != open_.end()) {
        if (open->second.origin != origin) {
            busy("the user is being asked about another page of " + domain);
        }
        return;  // the same question: its dialog is shared
    }
    checkRateLocked(domain);
}

void OriginQuestions::checkQuietLocked(const std::string& origin, const std::string& domain) {
    const auto now = now_();
    std::erase_if(quietUntil_, [now](const auto& entry) { return entry.second <= now; });
    if (quietUntil_.contains(domain)) {
        throw api::ApiError(api::ErrorCode::OriginDenied,
                            "the web page's origin " + origin + " was refused: the user " +
                                "refused a page of " + domain + " a moment ago",
                            {{"origin", origin}});
    }
}

void OriginQuestions::checkRateLocked(const std::string& domain) {
    const auto now = now_();
    while (!asked_.empty() && now - asked_.front().first >= kRateWindow) {
        asked_.pop_front();
    }
    const auto ofDomain = std::count_if(asked_.begin(), asked_.end(),
                                        [&](const auto& asked) { return asked.second == domain; });
    if (static_cast<std::size_t>(ofDomain) >= kMaxQuestionsPerDomain) {
        busy("the pages of " + domain + " asked for access too often; try again in a minute");
    }
    if (asked_.size() >= kMaxQuestionsPerMinute) {
        busy("too many web pages asked for access; try again in a minute");
    }
}

void OriginQuestions::release(const std::string& domain) {
    const std::lock_guard lock(mutex_);
    const auto open = open_.find(domain);
    if (open != open_.end() && --open->second.askers == 0) {
        open_.erase(open);
    }
}

void OriginQuestions::answered(const std::string& origin, UiAnswer answer) {
    if (answer != UiAnswer::Deny && answer != UiAnswer::Timeout) {
        return;
    }
    const std::lock_guard lock(mutex_);
    quietUntil_[api::registrableDomain(origin)] = now_() + kQuietAfterRefusal;
}

}  // namespace taplink::app
