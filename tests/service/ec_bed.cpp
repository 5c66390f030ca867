#include "ec_bed.hpp"

#include <stdexcept>

#include "cards/profiles.hpp"
#include "signed_scripts.hpp"

namespace taplink::service::testing {

EcBed::EcBed(const std::string& profile, Options options)
    : ServiceBed(options), bankCard(makeBankCard(profile)) {
    server->addScriptEnvelope(
        makeEnvelope(readRechargeScript("bank-ec-load.json"), signingKey.get()));
}

std::shared_ptr<sim::VirtualCard> EcBed::makeBankCard(const std::string& profile,
                                                      const std::string& expiry) {
    sim::CardOptions options;
    options.balance = kBankBalance;
    options.expiry = expiry;
    return sim::makeCard(profile, options);
}

void EcBed::addEcOrder(const std::string& orderId, std::uint32_t amount) {
    server->addOrder(orderId, amount, net::wire::OrderStatus::Open, "bank-ec");
}

EcLoadOutcome EcBed::runEc(const std::string& orderId, const std::function<bool()>& cancelled,
                           const TopupService::Confirm& confirm, const ApplicationChoice& choice) {
    const auto never = [] { return false; };
    return service.runEcLoad(
        orderId, "", [this](const std::string& stage) { stages.add(stage); },
        cancelled ? cancelled : std::function<bool()>(never), confirm, choice);
}

ServiceError EcBed::runEcError(const std::string& orderId, const std::function<bool()>& cancelled,
                               const TopupService::Confirm& confirm,
                               const ApplicationChoice& choice) {
    try {
        runEc(orderId, cancelled, confirm, choice);
    } catch (const ServiceError& error) {
        return error;
    }
    throw std::logic_error("the EC load of " + orderId + " did not fail");
}

BankCard EcBed::readCard() {
    const auto connection = port.connect(kCardReader, CardAccess::Shared);
    FirstApplication first;
    return readBankCard(*connection, first, fromHex("261206"));
}

journal::EcLoadRecord EcBed::ecRecord(const std::string& orderId) {
    auto found = ecJournal.find(orderId);
    if (!found) {
        throw std::logic_error("no EC journal record of " + orderId);
    }
    return *found;
}

std::vector<journal::EcLoadState> EcBed::ecHistory(const std::string& orderId) {
    return ecJournal.history(orderId);
}

std::string EcBed::plainPan() const {
    return server->ec.requests().at(0).at("pan").get<std::string>();
}

}  // namespace taplink::service::testing
