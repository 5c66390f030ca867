// What a bank card's EC load and purchase do alike around the kernel and the script: the
// trusted UI's choice among the card's applications, the same application again when the
// card comes back, which failure stopped a script, and the SHA-256 the chip and the server
// identify an order by. EcLoadAttempt, PurchaseAttempt and their recoveries build on it.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "script/script_error.hpp"
#include "service/topup_types.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/emv/selection.hpp"

namespace taplink::service {

class RunningTopup;

// The trusted UI's choice among several applications (ui.request kind "application"): the
// chosen AID, or nullopt when the cardholder declines. Throws ServiceError to stop.
using ApplicationChoice = std::function<std::optional<Bytes>(
    const std::string& orderId, const std::vector<emv::Candidate>& candidates,
    const std::function<bool()>& cancelled)>;

// The kernel's chooser, asking the trusted UI (or taking the first when nobody can be).
class UiChooser final : public emv::ApplicationChooser {
  public:
    UiChooser(const ApplicationChoice& choice, RunningTopup& running, const TopupProgress& progress)
        : choice_(choice), running_(running), progress_(progress) {}

    std::optional<std::size_t> choose(const std::vector<emv::Candidate>& candidates) override;

  private:
    const ApplicationChoice& choice_;
    RunningTopup& running_;
    const TopupProgress& progress_;
};

// Picks the application an earlier attempt used (recovery, with the card back).
class SameApplication final : public emv::ApplicationChooser {
  public:
    explicit SameApplication(Bytes aid) : aid_(std::move(aid)) {}
    std::optional<std::size_t> choose(const std::vector<emv::Candidate>& candidates) override;

  private:
    Bytes aid_;
};

// Whether `failure`, or the cause a ScriptError carries, satisfies `probe`.
bool failedWith(const std::exception_ptr& failure,
                const std::function<bool(const std::exception&)>& probe);

template <class Error>
bool failedWith(const std::exception_ptr& failure) {
    return failedWith(failure, [](const std::exception& error) {
        return dynamic_cast<const Error*>(&error) != nullptr;
    });
}

// The script's named outcome that stopped it ("declined"), or "" for another failure.
std::string scriptOutcome(const std::exception_ptr& failure);

}  // namespace taplink::service
