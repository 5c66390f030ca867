#include "service/ecload_recovery.hpp"

#include "service/bank_card_reader.hpp"
#include "service/journal_recovery.hpp"
#include "service/topup_errors.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/log.hpp"

namespace taplink::service {

namespace {

using journal::EcLoadRecord;
using journal::EcLoadState;
using nlohmann::json;
namespace wire = net::wire;

constexpr std::uint8_t kScriptPerformedMask = 0xF0;  // 9F5B result byte, upper nibble
constexpr std::uint8_t kScriptPerformed = 0x20;      // EMV Book 4 A5: 2 = script performed

constexpr std::uint32_t kScriptResultTag = 0xDF31;  // the script step's results (docs/scripts.md)

// The first script's 9F5B entry (result byte || script id) of the step's DF31 object; 00 and
// no id (not performed) when the record has none.
Bytes scriptResultEntry(const EcLoadRecord& record) {
    if (!record.has("scriptResult")) {
        return Bytes(wire::kScriptResultSize);
    }
    const Bytes object = record.bytes("scriptResult");
    const auto parsed = tlv::parse(object);
    const tlv::Tlv* results = tlv::find(parsed, kScriptResultTag);
    if (results == nullptr || results->value.size() < wire::kScriptResultSize) {
        return Bytes(wire::kScriptResultSize);
    }
    return Bytes(results->value.begin(),
                 results->value.begin() + static_cast<std::ptrdiff_t>(wire::kScriptResultSize));
}

// The script ran (loaded) but its balance read back was lost: the card's result byte says
// whether the PUT DATA of the new balance was performed.
std::uint64_t balanceByScriptResult(const EcLoadRecord& record) {
    const bool performed =
        (scriptResultEntry(record).at(0) & kScriptPerformedMask) == kScriptPerformed;
    return performed ? record.integer("newBalance") : record.integer("balanceBefore");
}

// TLE1 (docs/server.md, "ecload/result"). A record resolved from the card's balance has no
// script result; the balance decides.
Bytes resultMessage(const EcLoadRecord& record, std::uint64_t balanceAfter) {
    auto result = journaledResult<wire::EcLoadResult>(record);
    result.scriptResult = scriptResultEntry(record);
    result.ecBalanceAfter = static_cast<std::uint32_t>(balanceAfter);
    return wire::encodeEcLoadResult(result);
}

// TLX1 (docs/server.md, "ecload/reverse").
Bytes reversalMessage(const EcLoadRecord& record, wire::ReversalReason reason) {
    return wire::encodeEcLoadReversal(journaledReversal(record, reason));
}

bool isReversible(EcLoadState state) {
    return state == EcLoadState::Arqc || state == EcLoadState::Authorized ||
           state == EcLoadState::ScriptSending;
}

}  // namespace

EcLoadOutcome ecOutcomeOf(const EcLoadRecord& record) {
    EcLoadOutcome outcome;
    outcome.orderId = record.orderId;
    outcome.amount = record.amount;
    const auto value = [&](const char* name) {
        return record.has(name) ? static_cast<std::uint32_t>(record.integer(name)) : 0U;
    };
    outcome.balanceBefore = value("balanceBefore");
    outcome.balanceAfter = record.has("balanceAfter") ? value("balanceAfter") : value("newBalance");
    outcome.pan = record.has("panMasked")
                      ? panForDisplay(record.details.at("panMasked").get<std::string>())
                      : "";
    outcome.application = record.details.value("application", "");
    outcome.settled = record.state == EcLoadState::Reported;
    outcome.receipt = record.details.value("receipt", json(nullptr));
    return outcome;
}

json EcLoadRecovery::signedMessage(const Bytes& message) {
    return {{"message", toHex(message)}, {"signature", toHex(ports_.chip.sign(message))}};
}

bool EcLoadRecovery::send(const std::string& orderId, net::EcReport kind, const json& message) {
    const net::EcReportOutcome outcome = ports_.server()->reportEcLoad(
        orderId, kind, fromHex(message.at("message").get<std::string>()),
        fromHex(message.at("signature").get<std::string>()));
    const EcLoadState decided =
        outcome.receipt.status == "settled" ? EcLoadState::Reported : EcLoadState::Reversed;
    journal_.advance(orderId, decided, {{"receipt", wire::toJson(outcome.receipt)}});
    return true;
}

bool EcLoadRecovery::report(const std::string& orderId, std::optional<std::uint64_t> balanceAfter) {
    const auto chipHold = ports_.chip.hold();  // lock order: the chip, then the HTTPS client
    auto record = journal_.find(orderId);
    if (!record || record->state != EcLoadState::Loaded) {
        return record && journal::isFinal(record->state);
    }
    if (!record->has("result")) {  // built once: a report is sent again byte for byte
        const std::uint64_t balance = balanceAfter.value_or(balanceByScriptResult(*record));
        journal_.save(orderId, {{"balanceAfter", balance},
                                {"result", signedMessage(resultMessage(*record, balance))}});
        record = journal_.find(orderId);
    }
    try {
        return send(orderId, net::EcReport::Result, record->details.at("result"));
    } catch (const std::exception& error) {
        // Stays loaded: the money is on the card and resume() reports it later.
        log::warning("order " + orderId + ": EC load report not settled yet: " + error.what());
        return false;
    }
}

bool EcLoadRecovery::reverse(const std::string& orderId, wire::ReversalReason reason) {
    const auto chipHold = ports_.chip.hold();
    auto record = journal_.find(orderId);
    if (!record || !isReversible(record->state)) {
        return record && journal::isFinal(record->state);
    }
    if (!record->has("nonce")) {
        return false;  // the authorization's answer was lost: replayAuthorization finds its nonce
    }
    if (!record->has("reversal")) {
        journal_.save(orderId, {{"reversal", signedMessage(reversalMessage(*record, reason))}});
        record = journal_.find(orderId);
    }
    try {
        return send(orderId, net::EcReport::Reversal, record->details.at("reversal"));
    } catch (const std::exception& error) {
        // Stays open, as report() does: resume() sends the same reversal until the server has
        // it, and the caller's failure stays the one that made the load stop.
        log::warning("order " + orderId + ": EC load reversal not decided yet: " + error.what());
        return false;
    }
}

std::optional<EcLoadRecovery::CardReading> EcLoadRecovery::readLoadCard(
    apdu::ApduChannel& card, const EcLoadRecord& record) {
    SameApplication chooser(record.bytes("aid"));
    const BankCard bank = readBankCard(card, chooser, record.bytes("txDate"));
    if (bank.panMasked != record.details.value("panMasked", "") ||
        bank.psn != record.bytes("psn").at(0)) {
        return std::nullopt;  // another card: not the one this load was writing
    }
    CardReading reading{bank.ecBalance, ""};
    if (record.state == EcLoadState::Arqc && record.has("authorizeRequest")) {
        reading.plainPan = readPlainPan(card, chooser, record.bytes("txDate"));
    }
    return reading;
}

bool EcLoadRecovery::settleOnCard(apdu::ApduChannel& card, const EcLoadRecord& record) {
    const auto reading = readLoadCard(card, record);
    return reading && settleByBalance(record, reading->ecBalance);
}

bool EcLoadRecovery::settleByBalance(const EcLoadRecord& record, std::uint64_t ecBalance) {
    if (ecBalance == record.integer("balanceBefore")) {
        reverse(record.orderId, wire::ReversalReason::CardGone);
        return true;
    }
    // The new balance (or, against the odds, another): the server decides by it.
    journal_.advance(record.orderId, EcLoadState::Loaded, {{"balanceAfter", ecBalance}});
    report(record.orderId, ecBalance);
    return true;
}

bool EcLoadRecovery::replayAuthorization(const EcLoadRecord& record, const std::string& pan) {
    if (!record.has("authorizeRequest")) {  // the server was never asked: no debit
        journal_.recordFailed(record.orderId, "interrupted before the authorization");
        return true;
    }
    json request = record.details.at("authorizeRequest");
    request["pan"] = pan;
    json answer;
    try {
        answer = ports_.server()->exchange(record.orderId, "ecload-authorize", request);
    } catch (const net::ServerRefusal& refusal) {  // the order is closed or was never debited
        journal_.recordFailed(record.orderId, refusal.what());
        return true;
    }
    if (!answer.contains("nonce")) {  // declined: nothing was debited
        journal_.recordFailed(record.orderId, "the issuer declined the authorization");
        return true;
    }
    journal_.save(record.orderId, {{"nonce", answer.at("nonce")}});
    reverse(record.orderId, wire::ReversalReason::CardGone);
    return true;
}

std::optional<EcLoadRecovery::CardReading> EcLoadRecovery::readLoadCardOn(
    const std::string& reader, const EcLoadRecord& record) {
    const auto connection = ports_.cards.connect(reader, CardAccess::Exclusive);
    return readLoadCard(*connection, record);
}

bool EcLoadRecovery::settleWithCard(const EcLoadRecord& record) {
    const std::string chipReader = ports_.chip.identity()->reader;
    for (const auto& reader : ports_.readers.readers()) {
        if (!reader.cardPresent || reader.name == chipReader) {
            continue;
        }
        try {
            // The card is let go before the server is asked, so that card.info and the next
            // load do not find it busy while the server answers.
            const auto reading = readLoadCardOn(reader.name, record);
            if (reading) {
                return record.state == EcLoadState::Arqc
                           ? replayAuthorization(record, reading->plainPan)
                           : settleByBalance(record, reading->ecBalance);
            }
        } catch (const std::exception& error) {  // another kind of card, it left, or no server
            log::info("order " + record.orderId + ": " + reader.name + ": " + error.what());
        }
    }
    return false;
}

void EcLoadRecovery::failIfOpen(const std::string& orderId, const std::string& reason) noexcept {
    failIfStillOpen(journal_, orderId, reason,
                    [](EcLoadState state) { return state == EcLoadState::OrderFetched; });
}

bool EcLoadRecovery::resumeOne(const EcLoadRecord& record) {
    switch (record.state) {
        case EcLoadState::OrderFetched:
            failIfOpen(record.orderId, "interrupted before the card made a cryptogram");
            break;
        case EcLoadState::Authorized:
            reverse(record.orderId, wire::ReversalReason::CardGone);
            break;
        case EcLoadState::Arqc:
            if (!record.has("authorizeRequest")) {  // the server was never asked
                journal_.recordFailed(record.orderId, "interrupted before the authorization");
                break;
            }
            if (record.has("nonce")) {
                reverse(record.orderId, wire::ReversalReason::CardGone);
                break;
            }
            [[fallthrough]];
        case EcLoadState::ScriptSending: {
            const auto chipHold = ports_.chip.hold();
            settleWithCard(record);
            break;
        }
        default:
            report(record.orderId);
    }
    const auto now = journal_.find(record.orderId);
    return now && !journal::isFinal(now->state);
}

std::optional<EcLoadOutcome> EcLoadRecovery::finishEarlierAttempt(const std::string& orderId) {
    auto existing = journal_.find(orderId);
    if (!existing || existing->state == EcLoadState::Failed) {
        return std::nullopt;
    }
    if (!journal::isFinal(existing->state)) {
        resumeOne(*existing);
        existing = journal_.find(orderId);
    }
    if (existing->state == EcLoadState::ScriptSending || existing->state == EcLoadState::Arqc) {
        throw ServiceError(api::ErrorCode::CardRemoved,
                           "an earlier attempt at order " + orderId +
                               " was interrupted while card " +
                               panForDisplay(existing->details.value("panMasked", "")) +
                               " was being loaded; present that card to finish it");
    }
    if (existing->state == EcLoadState::Reversed) {
        throw ServiceError(api::ErrorCode::Declined,
                           "order " + orderId +
                               " was reversed: the card never took the money and "
                               "the account was refunded");
    }
    if (existing->state == EcLoadState::OrderFetched || existing->state == EcLoadState::Failed) {
        return std::nullopt;
    }
    return ecOutcomeOf(*existing);
}

std::size_t EcLoadRecovery::resumeAll() noexcept {
    return resumeUnfinished([this] { return journal_.unfinished(); },
                            [this](const auto& record) { return resumeOne(record); });
}

}  // namespace taplink::service
