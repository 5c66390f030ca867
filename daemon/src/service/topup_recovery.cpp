#include "service/topup_recovery.hpp"

#include "service/journal_recovery.hpp"
#include "service/topup_errors.hpp"
#include "taplink/base/log.hpp"
#include "taplink/base/masking.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::service {

namespace {

using journal::TopupState;
using nlohmann::json;

net::wire::TopupResult resultOf(const journal::TopupRecord& record) {
    net::wire::TopupResult result;
    result.orderId = record.orderId;
    result.algorithmId = record.algorithmId;
    result.cardSerial = fromHex(record.cardSerial);
    result.balanceBefore = *record.balanceBefore;
    result.amount = record.amount;
    result.balanceAfter = *record.balanceAfter;
    result.onlineAtc = *record.onlineAtc;
    result.terminalId = record.terminalId;
    result.date = record.txDate;
    result.time = record.txTime;
    result.tac = record.tac;
    result.nonce = record.nonce;
    return result;
}

}  // namespace

TopupOutcome outcomeOf(const journal::TopupRecord& record) {
    TopupOutcome outcome;
    outcome.orderId = record.orderId;
    outcome.amount = record.amount;
    outcome.balanceBefore = record.balanceBefore.value_or(0);
    outcome.balanceAfter = record.balanceAfter.value_or(0);
    outcome.tac = record.tac;
    outcome.settled = record.state == TopupState::Reported;
    outcome.receipt =
        outcome.settled && !record.receipt.empty() ? json::parse(record.receipt) : json(nullptr);
    return outcome;
}

std::optional<TopupOutcome> TopupRecovery::finishEarlierAttempt(const std::string& orderId) {
    auto existing = ports_.journal.find(orderId);
    if (!existing) {
        return std::nullopt;
    }
    if (existing->state == TopupState::CardInitialized) {
        settleWithCard(*existing);
        existing = ports_.journal.find(orderId);
        if (existing->state == TopupState::CardInitialized) {
            throw ServiceError(api::ErrorCode::CardRemoved,
                               "an earlier attempt at order " + orderId +
                                   " was interrupted while card " +
                                   maskSerial(std::string_view(existing->cardSerial)) +
                                   " was written; present that card to finish it");
        }
    }
    if (existing->state == TopupState::Credited) {
        report(orderId);
        existing = ports_.journal.find(orderId);
    }
    if (existing->state == TopupState::Credited || existing->state == TopupState::Reported) {
        return outcomeOf(*existing);
    }
    failIfOpen(orderId, "interrupted before the card was written");
    return std::nullopt;
}

std::string TopupRecovery::chipReader() const {
    return ports_.chip.identity()->reader;
}

bool TopupRecovery::settleWithCard(const journal::TopupRecord& record) {
    for (const auto& reader : ports_.readers.readers()) {
        if (!reader.cardPresent || reader.name == chipReader()) {
            continue;
        }
        const auto connection = ports_.cards.connect(reader.name, CardAccess::SharedAtomic);
        if (proveOnCard(*connection, record)) {
            return true;
        }
    }
    return false;
}

bool TopupRecovery::proveOnCard(apdu::ApduChannel& card, const journal::TopupRecord& record) {
    cards::epurse::EpurseCard purse(card);
    if (!purse.select() || toHex(purse.readPublicInfo().serial) != record.cardSerial) {
        return false;  // another card: not the one this top-up was writing
    }
    // GET TRANSACTION PROVE answers for the load at that online ATC only if it happened.
    const auto proof = purse.proveTransaction(cards::epurse::kTypeLoad, *record.onlineAtc);
    if (proof) {
        ports_.journal.recordCredited(record.orderId, proof->tac,
                                      *record.balanceBefore + record.amount);
    } else {
        ports_.journal.recordFailed(record.orderId,
                                    "the card was not credited (it has no load at online ATC " +
                                        std::to_string(*record.onlineAtc) + ")");
    }
    return true;
}

void TopupRecovery::settleOthersOnCard(apdu::ApduChannel& card, const std::string& orderId) {
    for (const auto& open : ports_.journal.unfinished()) {
        if (open.state == TopupState::CardInitialized && open.orderId != orderId) {
            proveOnCard(card, open);
        }
    }
}

bool TopupRecovery::report(const std::string& orderId, json* receipt) {
    // Lock order everywhere: the chip, then the HTTPS client (whose TLS handshake signs
    // through the chip).
    const auto chipHold = ports_.chip.hold();
    const auto record = ports_.journal.find(orderId);
    if (!record || record->state != TopupState::Credited) {
        return record && record->state == TopupState::Reported;
    }
    try {
        const Bytes message = net::wire::encodeResult(resultOf(*record));
        const Bytes signature = ports_.chip.sign(message);
        const auto outcome = ports_.server()->reportResult(orderId, message, signature);
        const json settled = net::wire::toJson(outcome.receipt);
        ports_.journal.recordReported(orderId, settled.dump());
        if (receipt != nullptr) {
            *receipt = settled;
        }
        return true;
    } catch (const std::exception& error) {
        // Stays credited: the money is on the card and resume() reports it later.
        log::warning("order " + orderId + ": report not settled yet: " + error.what());
        return false;
    }
}

void TopupRecovery::failIfOpen(const std::string& orderId, const std::string& reason) noexcept {
    failIfStillOpen(ports_.journal, orderId, reason, [](TopupState state) {
        return state == TopupState::OrderFetched || state == TopupState::Authorized;
    });
}

bool TopupRecovery::resumeOne(const journal::TopupRecord& record) {
    if (record.state == TopupState::OrderFetched || record.state == TopupState::Authorized) {
        failIfOpen(record.orderId, "interrupted before the card was written");
        return false;
    }
    if (record.state == TopupState::CardInitialized) {
        const auto chipHold = ports_.chip.hold();
        settleWithCard(record);
    }
    report(record.orderId);
    const auto now = ports_.journal.find(record.orderId);
    return now && !journal::isFinal(now->state);
}

std::size_t TopupRecovery::resumeAll() noexcept {
    return resumeUnfinished([this] { return ports_.journal.unfinished(); },
                            [this](const auto& record) { return resumeOne(record); });
}

}  // namespace taplink::service
