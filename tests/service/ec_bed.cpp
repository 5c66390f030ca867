#include "ec_bed.hpp"

#include <stdexcept>

#include "card/atr.hpp"
#include "cards/profiles.hpp"
#include "signed_scripts.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/emv/ec_checks.hpp"

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

std::shared_ptr<sim::VirtualCard> EcBed::makeForeignBankCard() {
    using tlv::Tlv;
    const Bytes visa = fromHex("A0000000031010");  // Visa's RID A000000003, credit/debit 1010
    const std::string ppseName = "2PAY.SYS.DDF01";
    // 6F { 84 name, A5 { BF0C { 61 { 4F AID, 50 label, 87 priority } } } } (EMV Contactless
    // Book B 3.3.1)
    const Tlv entry = Tlv::constructedOf(
        0x61, {Tlv::primitive(0x4F, visa), Tlv::primitive(0x50, fromHex("56495341")),  // "VISA"
               Tlv::primitive(0x87, Bytes{0x01})});
    sim::DedicatedFile ppse;
    ppse.fid = 0x3F01;
    ppse.aid = Bytes(ppseName.begin(), ppseName.end());
    ppse.fci =
        Tlv::constructedOf(0x6F, {Tlv::primitive(0x84, ppse.aid),
                                  Tlv::constructedOf(0xA5, {Tlv::constructedOf(0xBF0C, {entry})})})
            .encode();
    sim::DedicatedFile application;  // answers SELECT with 6F { 84 AID }
    application.fid = 0x3F02;
    application.aid = visa;
    sim::DedicatedFile mf;
    mf.dfs = {ppse, application};
    return std::make_shared<sim::VirtualCard>("visa", sim::atrT1(sim::historicalBytes("VISA")),
                                              std::move(mf), false);
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

apdu::CommandApdu selectDebit() {
    return {0x00, 0xA4, 0x04, 0x00, fromHex("A000000333010101"), 256};
}

std::string EcBed::cardObject(std::uint16_t tag) {
    const auto connection = port.connect(kCardReader, CardAccess::Shared);
    if (connection->transmit(selectDebit()).sw != apdu::sw::kOk) {
        throw std::logic_error("the card in the bed has no debit application");
    }
    return toHex(connection->transmit(emv::getDataCommand(tag)).data);
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
