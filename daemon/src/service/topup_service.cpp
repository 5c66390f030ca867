#include "service/topup_service.hpp"

#include <utility>

#include "service/ecload_attempt.hpp"
#include "service/purchase_attempt.hpp"
#include "service/topup_attempt.hpp"
#include "service/topup_timing.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::service {

namespace {
// A resume pass is short; another top-up is not worth waiting for.
constexpr auto kRunSlotWait = std::chrono::seconds(15);
}  // namespace

TopupService::TopupService(CardPort& cards, ReaderRegistry& readers, ChipSession& chip,
                           journal::TopupJournal& journal, ServerFactory serverFactory,
                           std::vector<script::TrustedKey> scriptKeys, TopupSettings settings,
                           std::function<void()> requireChipReady,
                           RequireParameters requireParameters)
    : ports_{cards, readers, chip, journal,
             [this] {
                 // Lock order: the chip, then what the factory locks (it reads the device
                 // identity through the chip, as the TLS handshake signs through it).
                 const auto chipHold = ports_.chip.hold();
                 return std::make_shared<TimedTopupServer>(server(), ports_.chip, serverBusy_);
             }},
      serverFactory_(std::move(serverFactory)),
      scriptKeys_(std::move(scriptKeys)),
      settings_(std::move(settings)),
      requireChipReady_(std::move(requireChipReady)),
      requireParameters_(std::move(requireParameters)),
      recovery_(ports_),
      ecJournal_(journal),
      ecRecovery_(ports_, ecJournal_),
      purchaseJournal_(journal),
      purchaseRecovery_(ports_, purchaseJournal_) {}

std::shared_ptr<net::TopupServer> TopupService::server() {
    std::uint64_t generation = 0;
    {
        const std::lock_guard lock(stateMutex_);
        if (client_) {
            return client_;
        }
        generation = serverGeneration_;
    }
    // Called with the chip held (ports_.server). The factory reads the device identity under
    // the chip's lock; holding stateMutex_ across it would take the two in the opposite
    // order to a report (chip, then state).
    auto created = serverFactory_();
    const std::lock_guard lock(stateMutex_);
    if (generation != serverGeneration_) {
        return created;  // settings changed meanwhile: use it for this call, never keep it
    }
    if (!client_) {
        client_ = std::move(created);
    }
    return client_;
}

void TopupService::requireChipReady() const {
    if (requireChipReady_) {
        requireChipReady_();
    }
}

void TopupService::dropServerClient() {
    const std::lock_guard lock(stateMutex_);
    client_.reset();
    ++serverGeneration_;
}

template <class Body>
auto TopupService::runExclusive(const std::string& orderId, const std::function<bool()>& cancelled,
                                const Confirm& confirm, const std::string& doing, Body body) {
    std::unique_lock runLock(runSlot_, std::defer_lock);
    if (!runLock.try_lock_for(kRunSlotWait)) {
        throw ServiceError(api::ErrorCode::Busy,
                           "another top-up is in progress; try again when it is done");
    }
    RunningTopup running(orderId, cancelled, confirm);
    {
        const std::lock_guard lock(stateMutex_);
        running_ = &running;
    }
    struct ClearRunning {
        TopupService& service;
        ~ClearRunning() {
            const std::lock_guard lock(service.stateMutex_);
            service.running_ = nullptr;
        }
    } clear{*this};
    try {
        if (!net::wire::isValidOrderId(orderId)) {
            throw ServiceError(api::ErrorCode::InvalidParams,
                               "'" + orderId + "' is not an order id");
        }
        return body(running);
    } catch (...) {
        throw describeFailure(std::current_exception(), doing + " of order " + orderId);
    }
}

TopupOutcome TopupService::run(const std::string& orderId, const std::string& reader,
                               const Progress& progress, const std::function<bool()>& cancelled,
                               const Confirm& confirm) {
    return runExclusive(orderId, cancelled, confirm, "top-up", [&](RunningTopup& running) {
        return runAdmitted(orderId, reader, progress, running);
    });
}

EcLoadOutcome TopupService::runEcLoad(const std::string& orderId, const std::string& reader,
                                      const Progress& progress,
                                      const std::function<bool()>& cancelled,
                                      const Confirm& confirm, const ApplicationChoice& choice) {
    return runExclusive(orderId, cancelled, confirm, "EC load", [&](RunningTopup& running) {
        return runEcAdmitted(orderId, reader, progress, running, choice);
    });
}

EcLoadOutcome TopupService::runEcAdmitted(const std::string& orderId, const std::string& reader,
                                          const Progress& progress, RunningTopup& running,
                                          const ApplicationChoice& choice) {
    if (auto earlier = ecRecovery_.finishEarlierAttempt(orderId)) {
        return *earlier;
    }
    requireChipReady();
    const TopupStopwatch stopwatch(ports_.chip, serverBusy_);
    EcLoadAttempt attempt(ports_, ecJournal_, ecRecovery_, scriptKeys_, settings_, running,
                          progress, choice);
    EcLoadOutcome outcome = attempt.run(reader);
    if (outcome.timings) {
        outcome.timings = stopwatch.timings(running.cardBusy, running.waiting);
    }
    return outcome;
}

std::optional<journal::EcLoadRecord> TopupService::ecStatus(const std::string& orderId) {
    return ecJournal_.find(orderId);
}

PurchaseOutcome TopupService::runPurchase(const std::string& orderId, const std::string& reader,
                                          const Progress& progress,
                                          const std::function<bool()>& cancelled,
                                          const Confirm& confirm, const ApplicationChoice& choice,
                                          const PinEntry& pin) {
    return runExclusive(orderId, cancelled, confirm, "purchase", [&](RunningTopup& running) {
        if (auto earlier = purchaseRecovery_.finishEarlierAttempt(orderId)) {
            return *earlier;
        }
        // No load SAM check: the payment applet answers for itself (6985: chip_locked).
        PurchaseAttempt attempt(ports_, purchaseJournal_, purchaseRecovery_, scriptKeys_, settings_,
                                running, {progress, choice, pin, requireParameters_});
        return attempt.run(reader);
    });
}

std::optional<journal::PurchaseRecord> TopupService::purchaseStatus(const std::string& orderId) {
    return purchaseJournal_.find(orderId);
}

TopupOutcome TopupService::runAdmitted(const std::string& orderId, const std::string& reader,
                                       const Progress& progress, RunningTopup& running) {
    if (auto earlier = recovery_.finishEarlierAttempt(orderId)) {
        return *earlier;
    }
    requireChipReady();
    const TopupStopwatch stopwatch(ports_.chip, serverBusy_);
    TopupAttempt attempt(ports_, recovery_, scriptKeys_, settings_, running, progress);
    TopupOutcome outcome = attempt.run(reader);
    if (outcome.timings) {
        outcome.timings = stopwatch.timings(running.cardBusy, running.waiting);
    }
    return outcome;
}

void TopupService::cancel(const std::string& orderId) {
    const std::lock_guard lock(stateMutex_);
    if (running_ == nullptr || running_->orderId() != orderId) {
        throw ServiceError(api::ErrorCode::NotFound,
                           "order " + orderId + " is not being topped up now");
    }
    running_->requestCancel();
}

bool TopupService::knowsOrder(const std::string& orderId) {
    return ports_.journal.find(orderId) || ecStatus(orderId) || purchaseStatus(orderId);
}

journal::TopupRecord TopupService::status(const std::string& orderId) {
    auto record = ports_.journal.find(orderId);
    if (!record) {
        throw ServiceError(api::ErrorCode::NotFound,
                           "no top-up of order " + orderId + " in the journal");
    }
    return *record;
}

std::size_t TopupService::resume() noexcept {
    std::unique_lock runLock(runSlot_, std::try_to_lock);
    if (!runLock.owns_lock()) {
        return 1;  // a top-up runs; it finishes its own order, the next pass does the rest
    }
    return recovery_.resumeAll() + ecRecovery_.resumeAll() + purchaseRecovery_.resumeAll();
}

}  // namespace taplink::service
