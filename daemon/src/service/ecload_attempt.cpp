#include "service/ecload_attempt.hpp"

#include <string_view>

#include "script/engine.hpp"
#include "script/script_error.hpp"
#include "service/ecload_checkpoints.hpp"
#include "service/timed_channel.hpp"
#include "service/topup_attempt.hpp"
#include "service/topup_errors.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/ec_checks.hpp"

namespace taplink::service {

namespace {

using journal::EcLoadState;
using nlohmann::json;
namespace wire = net::wire;

constexpr std::string_view kApprovedArcHex = "3030";  // 8A "00", EMV Book 4 A6

// The issuer's answer to the ARQC was not "approved" (e.g. 51, insufficient funds): the
// server debited nothing (docs/server.md, ecload/authorize).
class IssuerDeclined : public std::runtime_error {
  public:
    explicit IssuerDeclined(const std::string& arc)
        : std::runtime_error("the issuer declined the load (ARC " + arc + ")") {}
};

// The script's one server step, mapped to the device API; notes that it was asked.
class EcOrderExchange final : public script::ServerExchange {
  public:
    EcOrderExchange(net::TopupServer& server, journal::EcLoadJournal& journal, std::string orderId,
                    bool& called)
        : server_(server), journal_(journal), orderId_(std::move(orderId)), called_(called) {}

    json call(std::string_view name, const json& request) override {
        if (name != "ecload-authorize") {
            throw std::invalid_argument("the daemon has no EC-load server call '" +
                                        std::string(name) + "'");
        }
        json kept = request;
        kept.erase("pan");  // re-read from the card when the request must be sent again
        journal_.save(orderId_, {{"authorizeRequest", kept}});
        called_ = true;
        json answer = server_.exchange(orderId_, std::string(name), request);
        const std::string arc = answer.value("arc", "");
        if (toHex(fromHex(arc)) != kApprovedArcHex) {
            throw IssuerDeclined(arc);
        }
        return answer;
    }

  private:
    net::TopupServer& server_;
    journal::EcLoadJournal& journal_;
    std::string orderId_;
    bool& called_;
};

}  // namespace

EcLoadOutcome EcLoadAttempt::run(const std::string& reader) {
    const wire::Order order = fetchOrder(wire::kBankEcScheme, api::ErrorCode::WrongScheme);
    const script::Script script = fetchScript(order);
    journal_.recordOrderFetched(running_.orderId(), order.amount);
    try {
        progress_("waiting_for_card");
        return load(order, script, waitForCard(reader));
    } catch (...) {
        recovery_.failIfOpen(running_.orderId(),
                             describeFailure(std::current_exception(), "").what());
        throw;
    }
}

EcLoadOutcome EcLoadAttempt::load(const wire::Order& order, const script::Script& script,
                                  const ReaderInfo& card) {
    // Exclusive: nothing else may talk to the card between the two GENERATE ACs.
    const auto connection = ports_.cards.connect(card.name, CardAccess::Exclusive);
    TimedChannel timedCard(*connection, running_.cardBusy);
    EcLoadOutcome outcome = loadCard(order, script, card, timedCard);
    outcome.timings.emplace();  // it ran now: TopupService::runEcLoad() fills them in
    outcome.cardApdus = timedCard.commands();
    return outcome;
}

EcLoadOutcome EcLoadAttempt::loadCard(const wire::Order& order, const script::Script& script,
                                      const ReaderInfo& card, apdu::ApduChannel& connection) {
    const auto [date, time] = transactionDateTime();
    const Bytes txDate(date.begin() + 1, date.end());  // 9A is YYMMDD
    const BankCard bank = readCard(connection, txDate);
    if (bank.ecBalance + order.amount > bank.ecBalanceLimit) {
        throw ServiceError(api::ErrorCode::EcLimitExceeded,
                           "the card's electronic cash would pass its limit of " +
                               std::to_string(bank.ecBalanceLimit) + " fen");
    }
    confirm(order, card, bank);
    journal_.save(running_.orderId(), {{"aid", toHex(bank.aid)},
                                       {"application", bank.application},
                                       {"txDate", toHex(txDate)},
                                       {"txTime", toHex(time)}});
    const auto chipHold = ports_.chip.hold();
    try {
        const script::Variables outputs = runScript(order, script, connection, bank);
        recovery_.report(running_.orderId(), outputs.integer("balanceAfter"));
        return outcome();
    } catch (...) {
        return afterScriptFailure(std::current_exception(), connection);
    }
}

BankCard EcLoadAttempt::readCard(apdu::ApduChannel& card, ByteView txDate) {
    UiChooser chooser(choice_, running_, progress_);
    BankCard bank = readBankCard(card, chooser, txDate);
    if (bank.expired) {
        throw ServiceError(api::ErrorCode::CardExpired,
                           "the card's application expired on " + expiryForDisplay(bank.expiry));
    }
    emv::Tvr tvr;  // decides only: the script sends its own TVR in CDOL1
    emv::checkPinTryCounter(bank.pinTryCounter, tvr);
    emv::refuseBlockedPinForLoad(tvr);  // pin_blocked (topup_errors) before any cryptogram
    return bank;
}

void EcLoadAttempt::confirm(const wire::Order& order, const ReaderInfo& card,
                            const BankCard& bank) {
    if (!running_.confirm()) {
        return;
    }
    progress_("awaiting_confirmation");
    const ScopedTimer waiting(running_.waiting);  // the user's time is not the daemon's
    const ConfirmedCard shown{std::string(wire::kBankEcScheme), panForDisplay(bank.panMasked),
                              bank.application};
    running_.confirm()(ConfirmationRequest{running_.orderId(), order.amount, card.name, shown},
                       [this] { return running_.cancelled(); });
    requireSameCard(card);
}

script::Variables EcLoadAttempt::runScript(const wire::Order& order, const script::Script& script,
                                           apdu::ApduChannel& card, const BankCard& bank) {
    const auto device = ports_.chip.identity();
    const auto server = ports_.server();
    const auto record = journal_.find(running_.orderId());
    EcOrderExchange exchange(*server, journal_, running_.orderId(), authorizeCalled_);
    EcLoadCheckpoints checkpoints(journal_, running_.orderId(),
                                  {{"terminalId", toHex(device->terminalId)}},
                                  [this] { running_.startWriting(); });
    script::RunContext scriptRun(card, ports_.chip.channel(), exchange, checkpoints);
    scriptRun.progress = [this](std::string_view stage) { progress_(std::string(stage)); };
    scriptRun.cancelled = [this] { return !running_.writing() && running_.cancelled(); };
    scriptRun.inputs.setBytes("orderId", asciiBytes(running_.orderId()));
    scriptRun.inputs.setInteger("amount", order.amount);
    scriptRun.inputs.setBytes("aid", bank.aid);
    scriptRun.inputs.setBytes("terminalId", device->terminalId);
    scriptRun.inputs.setBytes("txDate", record->bytes("txDate"));
    scriptRun.inputs.setBytes("unpredictableNumber", crypto::randomBytes(4));  // 9F37
    return script::run(script, scriptRun);
}

EcLoadOutcome EcLoadAttempt::afterScriptFailure(const std::exception_ptr& failure,
                                                apdu::ApduChannel& card) {
    const auto record = journal_.find(running_.orderId());
    switch (record->state) {
        case EcLoadState::Arqc:
            return afterArqc(failure);
        case EcLoadState::Authorized: {
            const bool declined = failedWith<CardDeclinedLoad>(failure);
            const bool refunded =
                recovery_.reverse(record->orderId, declined ? wire::ReversalReason::CardDeclined
                                                            : wire::ReversalReason::CardGone);
            if (declined) {
                throw ServiceError(api::ErrorCode::Declined,
                                   refunded ? "the card declined the load; the account is refunded"
                                            : "the card declined the load; taplinkd refunds the "
                                              "account as soon as the server can be reached");
            }
            break;
        }
        case EcLoadState::ScriptSending:
            try {  // the card may still be here to say whether the script ran
                recovery_.settleOnCard(card, *record);
            } catch (...) {  // NOLINT(bugprone-empty-catch): it left; resume() asks later
            }
            if (journal_.find(running_.orderId())->state == EcLoadState::ScriptSending) {
                throw ServiceError(api::ErrorCode::CardRemoved,
                                   "the card was taken away while it was being loaded; present "
                                   "card " +
                                       panForDisplay(record->details.value("panMasked", "")) +
                                       " again to finish");
            }
            return outcome();
        case EcLoadState::Loaded:  // only the balance read back failed
            recovery_.report(record->orderId);
            return outcome();
        default:
            break;
    }
    std::rethrow_exception(failure);
}

EcLoadOutcome EcLoadAttempt::afterArqc(const std::exception_ptr& failure) {
    const bool noDebit = !authorizeCalled_ || failedWith<IssuerDeclined>(failure) ||
                         failedWith<net::ServerRefusal>(failure);
    if (noDebit) {
        journal_.recordFailed(running_.orderId(), describeFailure(failure, "").what());
    }
    if (failedWith<IssuerDeclined>(failure)) {
        throw ServiceError(api::ErrorCode::Declined, describeFailure(failure, "").what());
    }
    std::rethrow_exception(failure);
}

EcLoadOutcome EcLoadAttempt::outcome() {
    return ecOutcomeOf(*journal_.find(running_.orderId()));
}

}  // namespace taplink::service
