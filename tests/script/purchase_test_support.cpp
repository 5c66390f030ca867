#include "purchase_test_support.hpp"

#include <gtest/gtest.h>

#include "cards/bank_card.hpp"
#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "cards/test_issuer.hpp"
#include "chip_management.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::script::testing {

namespace {

namespace pay = chip::pay;
namespace mgmt = chip::mgmt;
using nlohmann::json;

Bytes approvedArc() {
    return {0x30, 0x30};  // 8A "00", EMV Book 4 A6
}
Bytes insufficientFundsArc() {
    return {0x35, 0x31};  // 8A "51", ISO 8583 response code
}

const Bytes& cardObject(const pay::SealedPurchase& sealed, std::uint32_t tag) {
    const tlv::Tlv* found = tlv::find(sealed.cardData, tag);
    if (found == nullptr) {
        throw std::runtime_error("the seal has no " + toHex(tlv::encodeTag(tag)));
    }
    return found->value;
}

// The terminal data the ARQC covers, from the sealed values only: docs/bank-cards.md,
// "Purchase: the terminal data" (written here from the contract, not from the script).
emv::TerminalData terminalDataOf(const pay::SealedPurchase& sealed) {
    const pay::PurchaseRequest& request = sealed.request;
    return {{0x9F02, emv::encodeAmount(request.amount)},
            {0x9F03, emv::encodeAmount(0)},
            {0x9F1A, fromHex("0156")},
            {0x95, fromHex("0000000000")},
            {0x5F2A, emv::encodeNumeric(request.currency, pay::kCurrencySize)},
            {0x9A, request.date},
            {0x9C, Bytes{request.type}},
            {0x9F37, sealed.unpredictableNumber},
            {0x9F66, fromHex("10800000")}};
}

IssuerCryptogram cryptogramOf(const pay::SealedPurchase& sealed, const std::string& pan) {
    const Bytes& iad = cardObject(sealed, emv::tag::kIssuerApplicationData);
    const Bytes& atc = cardObject(sealed, emv::tag::kAtc);
    return {crypto::emv::suiteFromAlgorithmIndicator(iad.at(7)), pan,
            cardObject(sealed, 0x5F34).at(0),
            static_cast<std::uint16_t>((atc.at(0) << 8U) | atc.at(1)),
            cardObject(sealed, emv::tag::kApplicationCryptogram)};
}

}  // namespace

json PurchaseIssuerServer::call(std::string_view name, const json& request) {
    calls.emplace_back(name);
    requests.push_back(request);
    if (name != "purchase-authorize") {
        throw std::runtime_error("no such endpoint: " + std::string(name));
    }
    opened = pay::openSealedPurchase(keys_.channelKey, chipSerial_,
                                     fromHex(request.at("sealed").get<std::string>()));
    const std::string pan = *pay::panDigits(cardObject(*opened, emv::tag::kPan));
    if (opened->pinBlock) {
        pin = crypto::decipherFormat4(keys_.pinKey, *opened->pinBlock, pan);
    }
    cdol1Data = emv::buildDolData(emv::parseDol(cardObject(*opened, emv::tag::kCdol1)),
                                  terminalDataOf(*opened));
    const IssuerCryptogram cryptogram = cryptogramOf(*opened, pan);
    arqcVerified = cryptogram.verifies(cdol1Data, cardObject(*opened, emv::tag::kAip),
                                       cardObject(*opened, emv::tag::kIssuerApplicationData));
    if (!arqcVerified) {
        throw std::runtime_error("the ARQC does not verify");
    }
    const Bytes arc = decline ? insufficientFundsArc() : approvedArc();
    const Bytes iad = ByteWriter().bytes(cryptogram.arpc(arc)).bytes(arc).take();
    json answer = {{"arc", toHex(arc)}, {"issuerAuthenticationData", toHex(iad)}};
    if (!decline) {
        answer["nonce"] = toHex(crypto::randomBytes(16));
        answer["authCode"] = "A1B2C3";
    }
    if (tamper) {
        tamper(answer);
    }
    return answer;
}

mgmt::PaymentParameters purchaseParameters() {
    return taplink::testing::testPaymentParameters(1);
}

PurchaseBed::PurchaseBed(const BankCase& bankCaseToRun, const mgmt::PaymentParameters& parameters,
                         bool personalise)
    : bankCase(bankCaseToRun),
      keys{crypto::randomBytes(mgmt::kChannelKeySize), crypto::randomBytes(mgmt::kPinKeySize),
           crypto::randomBytes(mgmt::kTokenSeedSize)},
      card(sim::makeCard(bankCase.profile)),
      chip(sim::makeCard("secure-chip")),
      server(keys, sim::defaultChipSerial()) {
    if (personalise) {
        mgmt::ManageRequest personalisation;
        personalisation.keys = keys;
        personalisation.parameters = parameters;
        personalisation.lifecycle = mgmt::Lifecycle::Operational;
        taplink::testing::manageWithTestKey(chipLink, sim::defaultChipSerial(),
                                            mgmt::Applet::Payment, personalisation);
    }
}

Variables PurchaseBed::inputs(std::uint32_t amount) const {
    Variables variables;
    const std::string orderId = kOrderId;
    variables.setBytes("orderId", Bytes(orderId.begin(), orderId.end()));
    variables.setBytes("orderReference", orderReference());
    variables.setInteger("amount", amount);
    variables.setBytes("aid", fromHex(bankCase.aid));
    variables.setBytes("terminalId", fromHex("434800000001"));
    variables.setBytes("txDate", fromHex("261206"));
    return variables;
}

RunContext PurchaseBed::context(Variables runInputs) {
    RunContext context{cardChannel, chipChannel, server, sink};
    context.progress = [this](std::string_view stage) { stages.emplace_back(stage); };
    context.pinEntry = [this] {
        ++pinEntries;
        return SecretString(std::string_view(pinToEnter));
    };
    context.inputs = std::move(runInputs);
    return context;
}

std::string PurchaseBed::pan() const {
    return sim::defaultBankPan(bankCase.profile, sim::testBankIssuer());
}

Bytes PurchaseBed::orderReference() {
    // SHA-256("ORD-PAY-1"), by Python's hashlib.
    return fromHex("9750e10847ea202ed29c4d1e61cfee6fb7ec53daf926e93f5c28826e8872ac24");
}

}  // namespace taplink::script::testing
