#include "purchase_bed.hpp"

#include <stdexcept>
#include <thread>

#include "cards/secure_chip.hpp"
#include "chip_management.hpp"
#include "signed_scripts.hpp"
#include "taplink/crypto/random.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::service::testing {

namespace mgmt = chip::mgmt;

PurchaseBed::PurchaseBed()
    : tsm(std::make_shared<TestTsmServer>(
          makeEnvelope(readRechargeScript("chip-manage.json"), signingKey.get()))),
      management(
          chip, [this] { return tsm; }, {trustedKeyOf(signingKey.get())}, journal) {
    requireParameters = [this](std::uint32_t version) {
        management.requirePaymentParameters(version);
    };
    server->addScriptEnvelope(
        makeEnvelope(readRechargeScript("bank-purchase.json"), signingKey.get()));
    mgmt::ManageRequest personalisation;
    personalisation.keys = mgmt::PaymentKeys{crypto::randomBytes(mgmt::kChannelKeySize),
                                             crypto::randomBytes(mgmt::kPinKeySize),
                                             crypto::randomBytes(mgmt::kTokenSeedSize)};
    personalisation.parameters = ::taplink::testing::testPaymentParameters(1);
    personalisation.lifecycle = mgmt::Lifecycle::Operational;
    ::taplink::testing::VirtualCardChannel channel(chipCard.card);
    ::taplink::testing::manageWithTestKey(channel, sim::defaultChipSerial(), mgmt::Applet::Payment,
                                          personalisation);
    tokenSeed = personalisation.keys->tokenSeed;
    server->ec.paymentKeys = ScriptedEcIssuer::PaymentKeys{
        personalisation.keys->channelKey, personalisation.keys->pinKey, sim::defaultChipSerial()};
}

void PurchaseBed::addPurchaseOrder(const std::string& orderId, std::uint32_t amount) {
    server->addOrder(orderId, amount, net::wire::OrderStatus::Open,
                     std::string(net::wire::kBankPurchaseScheme));
}

void PurchaseBed::queueParameters(std::uint32_t version) {
    mgmt::ManageRequest update;
    update.parameters = ::taplink::testing::testPaymentParameters(version);
    tsm->queue("TSM-PARAMS-" + std::to_string(version), mgmt::Applet::Payment, "update-params",
               update, sim::defaultChipSerial());
}

std::uint32_t PurchaseBed::chipParametersVersion() {
    for (const AppletState& applet : management.status()) {
        if (applet.applet == mgmt::Applet::Payment) {
            return applet.parametersVersion.value_or(0);
        }
    }
    throw std::logic_error("the chip has no payment applet");
}

PurchaseOutcome PurchaseBed::pay(const std::string& orderId) {
    PinEntry pin;
    if (pinToEnter) {
        pin = [this](const PinRequest& request, const std::function<bool()>&) {
            pinAsks.push_back(request);
            std::this_thread::sleep_for(pinTypingTime);
            return script::SecretString(std::string_view(*pinToEnter));
        };
    }
    return service.runPurchase(
        orderId, "", [this](const std::string& stage) { stages.add(stage); }, [] { return false; },
        {}, {}, pin);
}

ServiceError PurchaseBed::payError(const std::string& orderId) {
    try {
        pay(orderId);
    } catch (const ServiceError& error) {
        return error;
    }
    throw std::logic_error("the purchase of " + orderId + " did not fail");
}

journal::PurchaseRecord PurchaseBed::purchaseRecord(const std::string& orderId) {
    auto found = purchases.find(orderId);
    if (!found) {
        throw std::logic_error("no purchase journal record of " + orderId);
    }
    return *found;
}

std::vector<journal::PurchaseState> PurchaseBed::purchaseHistory(const std::string& orderId) {
    return purchases.history(orderId);
}

}  // namespace taplink::service::testing
