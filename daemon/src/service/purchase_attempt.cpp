#include "service/purchase_attempt.hpp"

#include <array>
#include <chrono>
#include <string_view>
#include <utility>

#include "script/engine.hpp"
#include "script/script_error.hpp"
#include "service/purchase_checkpoints.hpp"
#include "service/topup_attempt.hpp"
#include "taplink/crypto/digest.hpp"
#include "taplink/emv/ec_checks.hpp"

namespace taplink::service {

namespace {

using journal::PurchaseState;
using nlohmann::json;
namespace wire = net::wire;
namespace arc = wire::purchase_arc;

constexpr std::string_view kAuthorizeCall = "purchase-authorize";

// The script's one server step, mapped to the device API: the request (the chip's sealed
// bytes, ciphertext only) and the issuer's answer are journaled around it.
class PurchaseExchange final : public script::ServerExchange {
  public:
    PurchaseExchange(net::TopupServer& server, journal::PurchaseJournal& journal,
                     std::string orderId, bool& called)
        : server_(server), journal_(journal), orderId_(std::move(orderId)), called_(called) {}

    json call(std::string_view name, const json& request) override {
        if (name != kAuthorizeCall) {
            throw std::invalid_argument("the daemon has no purchase server call '" +
                                        std::string(name) + "'");
        }
        // Read by the contract: only the seal (ciphertext) and the terminal are journaled and
        // sent; a script's other field is refused before either.
        const json sent = wire::toJson(wire::PurchaseAuthorizeRequest::fromJson(request));
        journal_.save(orderId_, {{"authorizeRequest", sent}});
        called_ = true;
        json answer = server_.exchange(orderId_, std::string(name), sent);
        recordAuthorization(journal_, orderId_, answer);
        return answer;  // a decline goes on to the card's AAC (the script's declinedWhen)
    }

  private:
    net::TopupServer& server_;
    journal::PurchaseJournal& journal_;
    std::string orderId_;
    bool& called_;
};

// The declines that are "declined" with a reason (docs/api.md, "pay.start").
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDeclineReasons{{
    {arc::kInsufficientFunds, "insufficient_funds"},
    {arc::kOverLimit, "over_limit"},
    {arc::kDoNotHonour, "do_not_honour"},
    {arc::kNoAccount, "no_account"},
    {arc::kExpiredCard, "card_expired"},
}};

ServiceError cardDeclined() {
    return ServiceError(api::ErrorCode::Declined, "the card declined the purchase",
                        {{"reason", "card_declined"}});
}

}  // namespace

ServiceError declineError(ByteView arcBytes, std::optional<std::uint32_t> pinTriesLeft) {
    const std::string code(arcBytes.begin(), arcBytes.end());
    if (code == arc::kIncorrectPin) {
        const std::uint32_t left = pinTriesLeft.value_or(0);
        return ServiceError(api::ErrorCode::WrongPin,
                            "the PIN is wrong; " + std::to_string(left) + " tries left",
                            {{"pinTriesLeft", left}});
    }
    if (code == arc::kPinTriesExceeded) {
        return ServiceError(api::ErrorCode::PinBlocked,
                            "the PIN is blocked (too many wrong PINs); nothing was charged");
    }
    for (const auto& [declined, reason] : kDeclineReasons) {
        if (code == declined) {
            return ServiceError(api::ErrorCode::Declined,
                                "the issuer declined the purchase (" + std::string(reason) + ")",
                                {{"reason", reason}});
        }
    }
    return ServiceError(api::ErrorCode::Declined,
                        "the issuer declined the purchase (ARC " + toHex(arcBytes) + ")",
                        {{"reason", "do_not_honour"}});
}

PurchaseOutcome PurchaseAttempt::run(const std::string& reader) {
    const wire::Order order = fetchOrder(wire::kBankPurchaseScheme, api::ErrorCode::WrongScheme);
    requireParameters(order);  // before the journal and the card: nothing to undo
    const script::Script script = fetchScript(order);
    journal_.recordOrderFetched(running_.orderId(), order.amount);
    try {
        journal_.save(running_.orderId(), {{"merchant", order.merchant.value_or("")}});
        asks_.progress("waiting_for_card");
        return pay(order, script, waitForCard(reader));
    } catch (...) {
        recovery_.failIfOpen(running_.orderId(),
                             describeFailure(std::current_exception(), "").what());
        throw;
    }
}

void PurchaseAttempt::requireParameters(const wire::Order& order) {
    if (order.paramsVersion && asks_.parameters) {
        asks_.parameters(*order.paramsVersion);
    }
}

PurchaseOutcome PurchaseAttempt::pay(const wire::Order& order, const script::Script& script,
                                     const ReaderInfo& card) {
    // Exclusive: nothing else may talk to the card between the two GENERATE ACs.
    const auto connection = ports_.cards.connect(card.name, CardAccess::Exclusive);
    const auto [date, time] = transactionDateTime();
    const Bytes txDate(date.begin() + 1, date.end());  // 9A is YYMMDD
    const BankCard bank = readCard(*connection, txDate);
    confirm(order, card, bank);
    journal_.save(running_.orderId(), {{"aid", toHex(bank.aid)},
                                       {"application", bank.application},
                                       {"panMasked", bank.panMasked},
                                       {"psn", toHex(Bytes{bank.psn})},
                                       {"txDate", toHex(txDate)},
                                       {"txTime", toHex(time)}});
    const auto chipHold = ports_.chip.hold();
    try {
        runScript(order, script, *connection, bank);
    } catch (...) {
        return afterScriptFailure(std::current_exception());
    }
    return finish();
}

BankCard PurchaseAttempt::readCard(apdu::ApduChannel& card, ByteView txDate) {
    UiChooser chooser(asks_.choice, running_, asks_.progress);
    BankCard bank = readBankCard(card, chooser, txDate);
    if (bank.expired) {
        throw ServiceError(api::ErrorCode::CardExpired,
                           "the card's application expired on " + expiryForDisplay(bank.expiry));
    }
    emv::Tvr tvr;  // decides only: the script sends its own TVR in CDOL1
    emv::checkPinTryCounter(bank.pinTryCounter, tvr);
    emv::refuseBlockedPinForLoad(tvr);  // pin_blocked before any cryptogram
    return bank;
}

void PurchaseAttempt::confirm(const wire::Order& order, const ReaderInfo& card,
                              const BankCard& bank) {
    if (!running_.confirm()) {
        return;
    }
    asks_.progress("awaiting_confirmation");
    const ScopedTimer waiting(running_.waiting);  // the user's time is not the daemon's
    const ConfirmedCard shown{std::string(wire::kBankPurchaseScheme), panForDisplay(bank.panMasked),
                              bank.application};
    ConfirmationRequest request{running_.orderId(), order.amount, card.name, shown};
    request.merchant = order.merchant;
    running_.confirm()(request, [this] { return running_.cancelled(); });
    requireSameCard(card);
}

script::SecretString PurchaseAttempt::askPin(const wire::Order& order, const BankCard& bank) {
    asks_.progress("entering_pin");
    const ScopedTimer waiting(running_.waiting);
    return asks_.pin(PinRequest{running_.orderId(), order.amount, order.merchant.value_or(""),
                                panForDisplay(bank.panMasked)},
                     [this] { return running_.cancelled(); });
}

script::Variables PurchaseAttempt::runScript(const wire::Order& order, const script::Script& script,
                                             apdu::ApduChannel& card, const BankCard& bank) {
    const auto device = ports_.chip.identity();
    const auto server = ports_.server();
    const auto record = journal_.find(running_.orderId());
    PurchaseExchange exchange(*server, journal_, running_.orderId(), authorizeCalled_);
    PurchaseCheckpoints checkpoints(journal_, running_.orderId(),
                                    {{"terminalId", toHex(device->terminalId)}},
                                    [this] { running_.startWriting(); });
    script::RunContext scriptRun(card, ports_.chip.channel(), exchange, checkpoints);
    scriptRun.progress = [this](std::string_view stage) { asks_.progress(std::string(stage)); };
    scriptRun.cancelled = [this] { return !running_.writing() && running_.cancelled(); };
    // The run-time limit is the daemon's, not the cardholder's: the PIN typing (counted in
    // running_.waiting by askPin) does not use it up.
    scriptRun.clock = [this] {
        return std::chrono::steady_clock::now() - std::chrono::nanoseconds(running_.waiting.load());
    };
    if (asks_.pin) {
        scriptRun.pinEntry = [this, &order, &bank] { return askPin(order, bank); };
    }
    const Bytes orderId = asciiBytes(running_.orderId());
    scriptRun.inputs.setBytes("orderId", orderId);
    scriptRun.inputs.setBytes("orderReference", crypto::sha256(orderId));  // DF21
    scriptRun.inputs.setInteger("amount", order.amount);
    scriptRun.inputs.setBytes("aid", bank.aid);
    scriptRun.inputs.setBytes("terminalId", device->terminalId);
    scriptRun.inputs.setBytes("txDate", record->bytes("txDate"));
    return script::run(script, scriptRun);
}

PurchaseOutcome PurchaseAttempt::finish() {
    const auto record = journal_.find(running_.orderId());
    if (record->state != PurchaseState::Completed) {
        throw ServiceError(api::ErrorCode::Internal,
                           "the purchase script ended without its completed checkpoint");
    }
    recovery_.complete(running_.orderId());
    const auto after = journal_.find(running_.orderId());
    if (after->state == PurchaseState::Reversed ||
        (after->state == PurchaseState::Completed && after->details.contains("reversal"))) {
        throw cardDeclined();
    }
    return outcome();
}

PurchaseOutcome PurchaseAttempt::afterScriptFailure(const std::exception_ptr& failure) {
    const auto record = journal_.find(running_.orderId());
    switch (record->state) {
        case PurchaseState::Sealed:
            return afterSealed(failure);
        case PurchaseState::Authorized: {
            // A named outcome is the card's AAC; anything else: the card went away.
            const bool declined = !scriptOutcome(failure).empty();
            recovery_.reverse(record->orderId, declined ? wire::ReversalReason::CardDeclined
                                                        : wire::ReversalReason::CardGone);
            if (declined) {
                throw cardDeclined();
            }
            break;
        }
        case PurchaseState::Completed:  // the card paid or declined; only the end failed
            return finish();
        default:
            break;
    }
    std::rethrow_exception(failure);
}

PurchaseOutcome PurchaseAttempt::afterSealed(const std::exception_ptr& failure) {
    const auto record = journal_.find(running_.orderId());
    if (record->has("nonce")) {  // approved, then the card went before authorized
        recovery_.reverse(record->orderId, wire::ReversalReason::CardGone);
        std::rethrow_exception(failure);
    }
    // A 5xx, a lost answer or an unknown refusal may hide a debit: the record stays sealed
    // and the resumer sends the same sealed bytes again until the server answers.
    const bool noDebit =
        !authorizeCalled_ || record->has("arc") || failedWith(failure, isPreDebitRefusal);
    if (noDebit) {
        journal_.recordFailed(running_.orderId(), describeFailure(failure, "").what());
    }
    if (record->has("arc")) {
        const auto tries = record->has("pinTriesLeft")
                               ? std::optional<std::uint32_t>(
                                     static_cast<std::uint32_t>(record->integer("pinTriesLeft")))
                               : std::nullopt;
        throw declineError(record->bytes("arc"), tries);
    }
    std::rethrow_exception(failure);
}

PurchaseOutcome PurchaseAttempt::outcome() {
    return purchaseOutcomeOf(*journal_.find(running_.orderId()));
}

}  // namespace taplink::service
