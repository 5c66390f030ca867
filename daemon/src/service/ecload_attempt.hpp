// One attempt at a bank card's EC load (圈存), from the server's order to the report:
//
//   fetch order (bank-ec) -> fetch + verify script -> journal order_fetched -> wait for card
//   -> select the application (the trusted UI chooses among several) -> read the card
//   (expiry, EC limit) -> [confirm] -> run script: journal arqc, server authorize, journal
//   authorized, second GENERATE AC, journal script_sending, issuer script, journal loaded
//   -> sign the result (TLE1, chip) -> report (server) -> journal reported
//
// The card's AAC, or a card gone before the script, is reversed (TLX1): the server refunds.
#pragma once

#include <string>
#include <vector>

#include "journal/ecload_journal.hpp"
#include "service/attempt_steps.hpp"
#include "service/bank_card_reader.hpp"
#include "service/ecload_recovery.hpp"
#include "service/ecload_types.hpp"

namespace taplink::service {

class EcLoadAttempt : private AttemptSteps {
  public:
    EcLoadAttempt(TopupPorts& ports, journal::EcLoadJournal& journal, EcLoadRecovery& recovery,
                  const std::vector<script::TrustedKey>& scriptKeys, const TopupSettings& settings,
                  RunningTopup& running, const TopupProgress& progress,
                  const ApplicationChoice& choice)
        : AttemptSteps(ports, scriptKeys, settings, running),
          journal_(journal),
          recovery_(recovery),
          progress_(progress),
          choice_(choice) {}

    // The whole attempt; failures propagate as the layers below throw them, or as
    // ServiceError. A record whose account was never debited is failed.
    EcLoadOutcome run(const std::string& reader);

  private:
    // Connects to the card and counts its time and commands (the outcome's timings).
    EcLoadOutcome load(const net::wire::Order& order, const script::Script& script,
                       const ReaderInfo& card);
    EcLoadOutcome loadCard(const net::wire::Order& order, const script::Script& script,
                           const ReaderInfo& card, apdu::ApduChannel& connection);
    BankCard readCard(apdu::ApduChannel& card, ByteView txDate);
    void confirm(const net::wire::Order& order, const ReaderInfo& card, const BankCard& bank);
    // `card` is the timed connection.
    script::Variables runScript(const net::wire::Order& order, const script::Script& script,
                                apdu::ApduChannel& card, const BankCard& bank);
    // The script stopped: what the journal and the card say happened.
    EcLoadOutcome afterScriptFailure(const std::exception_ptr& failure, apdu::ApduChannel& card);
    EcLoadOutcome afterArqc(const std::exception_ptr& failure);
    EcLoadOutcome outcome();

    journal::EcLoadJournal& journal_;
    EcLoadRecovery& recovery_;
    const TopupProgress& progress_;
    const ApplicationChoice& choice_;
    bool authorizeCalled_ = false;  // the server may have debited the account
};

}  // namespace taplink::service
