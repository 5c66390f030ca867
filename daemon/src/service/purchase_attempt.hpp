// One attempt at a Tap & Pay purchase, from the server's order to the report:
//
//   fetch order (bank-purchase) -> the chip's payment parameters at least the order's
//   paramsVersion (one TSM sync, else chip_outdated) -> fetch + verify script -> journal
//   order_fetched -> wait for card -> select the application (the trusted UI chooses among several)
//   -> read the card (expiry, PIN try counter) -> [confirm: web callers] -> run script: BEGIN
//   PURCHASE on the chip, first GENERATE AC, PUT CARD DATA, [online PIN], SEAL, journal sealed,
//   server purchase-authorize, journal authorized, second GENERATE AC, journal completed
//   -> sign the result (TLP1, chip) -> report (server) -> journal reported
//
// The card's AAC, or a card gone after the approval, is reversed (TLQ1): the server refunds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journal/purchase_journal.hpp"
#include "service/attempt_steps.hpp"
#include "service/bank_attempt_support.hpp"
#include "service/bank_card_reader.hpp"
#include "service/purchase_recovery.hpp"
#include "service/purchase_types.hpp"
#include "service/topup_errors.hpp"

namespace taplink::service {

class PurchaseAttempt : private AttemptSteps {
  public:
    struct Asks {
        const TopupProgress& progress;
        const ApplicationChoice& choice;
        const PinEntry& pin;  // empty: a card asking online PIN cannot pay here
        // empty: the chip's parameter version is not checked (the server still is)
        const RequireParameters& parameters;
    };

    PurchaseAttempt(TopupPorts& ports, journal::PurchaseJournal& journal,
                    PurchaseRecovery& recovery, const std::vector<script::TrustedKey>& scriptKeys,
                    const TopupSettings& settings, RunningTopup& running, Asks asks)
        : AttemptSteps(ports, scriptKeys, settings, running),
          journal_(journal),
          recovery_(recovery),
          asks_(asks) {}

    // The whole attempt; failures propagate as the layers below throw them, or as
    // ServiceError. A record whose account was never debited is failed.
    PurchaseOutcome run(const std::string& reader);

  private:
    void requireParameters(const net::wire::Order& order);
    PurchaseOutcome pay(const net::wire::Order& order, const script::Script& script,
                        const ReaderInfo& card);
    BankCard readCard(apdu::ApduChannel& card, ByteView txDate);
    void confirm(const net::wire::Order& order, const ReaderInfo& card, const BankCard& bank);
    script::Variables runScript(const net::wire::Order& order, const script::Script& script,
                                apdu::ApduChannel& card, const BankCard& bank);
    script::SecretString askPin(const net::wire::Order& order, const BankCard& bank);
    // The script ran to its end: report a TC, reverse an AAC.
    PurchaseOutcome finish();
    // The script stopped: what the journal says happened.
    PurchaseOutcome afterScriptFailure(const std::exception_ptr& failure);
    PurchaseOutcome afterSealed(const std::exception_ptr& failure);
    PurchaseOutcome outcome();

    journal::PurchaseJournal& journal_;
    PurchaseRecovery& recovery_;
    Asks asks_;
    bool authorizeCalled_ = false;  // the server may have debited the account
};

// What an issuer's declining ARC (purchase_wire.hpp) means to the API: wrong_pin,
// pin_blocked, card_expired or declined with its reason.
ServiceError declineError(ByteView arc, std::optional<std::uint32_t> pinTriesLeft);

}  // namespace taplink::service
