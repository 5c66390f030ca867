#include "service/bank_attempt_support.hpp"

#include "service/bank_card_reader.hpp"
#include "service/timed_channel.hpp"
#include "service/topup_attempt.hpp"

namespace taplink::service {

std::optional<std::size_t> UiChooser::choose(const std::vector<emv::Candidate>& candidates) {
    if (!choice_) {
        return FirstApplication().choose(candidates);
    }
    progress_("choosing_application");
    const ScopedTimer waiting(running_.waiting);  // the cardholder's time is not the daemon's
    const auto aid =
        choice_(running_.orderId(), candidates, [this] { return running_.cancelled(); });
    for (std::size_t i = 0; aid && i < candidates.size(); ++i) {
        if (candidates[i].aid == *aid) {
            return i;
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> SameApplication::choose(const std::vector<emv::Candidate>& candidates) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i].aid == aid_) {
            return i;
        }
    }
    return std::nullopt;
}

bool failedWith(const std::exception_ptr& failure,
                const std::function<bool(const std::exception&)>& probe) {
    try {
        std::rethrow_exception(failure);
    } catch (const script::ScriptError& error) {
        return probe(error) || (error.cause() && failedWith(error.cause(), probe));
    } catch (const std::exception& error) {
        return probe(error);
    }
}

std::string scriptOutcome(const std::exception_ptr& failure) {
    std::string outcome;
    failedWith(failure, [&outcome](const std::exception& error) {
        const auto* scriptError = dynamic_cast<const script::ScriptError*>(&error);
        if (scriptError != nullptr && !scriptError->outcome().empty()) {
            outcome = scriptError->outcome();
            return true;
        }
        return false;
    });
    return outcome;
}

}  // namespace taplink::service
