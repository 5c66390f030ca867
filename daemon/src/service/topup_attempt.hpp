// One attempt at a top-up, from the server's order to the report:
//
//   fetch order (server) -> fetch + verify script -> journal order_fetched -> wait for card
//   -> [confirm] -> run script: read card, INITIALIZE FOR LOAD, server authorize, journal
//      authorized, chip MAC2, journal card_initialized, CREDIT FOR LOAD, journal credited
//   -> sign result (chip) -> report (server) -> journal reported
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "script/script.hpp"
#include "script/signed_script.hpp"
#include "service/attempt_steps.hpp"
#include "service/timed_channel.hpp"
#include "service/topup_recovery.hpp"
#include "service/topup_types.hpp"

namespace taplink::service {

// What a running top-up shares with tx.cancel: cancel and the start of writing decide under
// one lock, so a cancel answered "cancelled" can never be followed by a write.
class RunningTopup {
  public:
    RunningTopup(std::string orderId, std::function<bool()> clientCancelled, TopupConfirm confirm)
        : orderId_(std::move(orderId)),
          clientCancelled_(std::move(clientCancelled)),
          confirm_(std::move(confirm)) {}

    const std::string& orderId() const { return orderId_; }
    const TopupConfirm& confirm() const { return confirm_; }
    // The caller left or cancelled, or tx.cancel asked.
    bool cancelled() const;
    bool writing() const { return writing_.load(); }
    // tx.cancel: ServiceError(too_late) once the card is being written.
    void requestCancel();
    // Before card_initialized: ServiceError(cancelled) if cancelled; else no cancel from now.
    void startWriting();

    Nanos cardBusy{0};  // time in exchanges with the card
    Nanos waiting{0};   // time waiting for the card and the user: not the daemon's

  private:
    std::string orderId_;
    std::function<bool()> clientCancelled_;
    TopupConfirm confirm_;
    mutable std::mutex decision_;
    std::atomic<bool> cancelRequested_{false};
    std::atomic<bool> writing_{false};
};

class TopupAttempt : private AttemptSteps {
  public:
    TopupAttempt(TopupPorts& ports, TopupRecovery& recovery,
                 const std::vector<script::TrustedKey>& scriptKeys, const TopupSettings& settings,
                 RunningTopup& running, const TopupProgress& progress)
        : AttemptSteps(ports, scriptKeys, settings, running),
          recovery_(recovery),
          progress_(progress) {}

    // The whole attempt; failures propagate as the layers below throw them (run() of
    // TopupService describes them). A record that never reached the card is failed.
    TopupOutcome run(const std::string& reader);

  private:
    void confirm(const net::wire::Order& order, const ReaderInfo& card);
    TopupOutcome writeCard(const net::wire::Order& order, const script::Script& script,
                           const ReaderInfo& card);
    void runScript(const net::wire::Order& order, const script::Script& script,
                   apdu::ApduChannel& card);
    // The script failed: what the journal and the card say happened.
    TopupOutcome afterScriptFailure(const std::exception_ptr& failure, apdu::ApduChannel& card);
    TopupOutcome reported();

    TopupRecovery& recovery_;
    const TopupProgress& progress_;
};

}  // namespace taplink::service
