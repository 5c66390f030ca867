#include "script_test_support.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <ctime>

#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "chip_management.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::script::testing {

namespace {

constexpr std::uint64_t kAuthorizationLifetime = 300;  // seconds, as the server's default

sim::CardOptions cityCardOptions() {
    sim::CardOptions options;
    options.balance = LoadBed::kInitialBalance;
    return options;
}

}  // namespace

apdu::ResponseApdu CountingChannel::transmit(const apdu::CommandApdu& command) {
    commands_.push_back(command);
    if (failAt && commands_.size() == *failAt) {
        throw CardPulled();
    }
    if (answerAt && commands_.size() == answerAt->first) {
        return apdu::ResponseApdu{{}, answerAt->second};
    }
    return inner_.transmit(command);
}

void RecordingSink::checkpoint(std::string_view name, const Variables& variables) {
    names.emplace_back(name);
    saved.push_back(variables);
    if (name == failAt) {
        throw std::runtime_error("journal write failed at " + failAt);
    }
}

nlohmann::json TestServer::call(std::string_view name, const nlohmann::json& request) {
    calls.emplace_back(name);
    requests.push_back(request);
    if (failWith) {
        throw std::runtime_error(*failWith);
    }
    if (name != "authorize") {
        throw std::runtime_error("no such endpoint: " + std::string(name));
    }
    const auto suite =
        crypto::epurse::suiteFromAlgorithmId(request.at("algorithmId").get<std::uint8_t>());
    chip::sam::LoadAuthorization authorization;
    authorization.algorithmId = request.at("algorithmId").get<std::uint8_t>();
    authorization.cardSerial = fromHex(request.at("cardSerial").get<std::string>());
    authorization.amount = amount_;
    authorization.terminalId = fromHex(request.at("terminalId").get<std::string>());
    authorization.onlineAtc = request.at("onlineAtc").get<std::uint16_t>();
    authorization.nonce = crypto::randomBytes(chip::sam::kNonceSize);
    authorization.expiry = static_cast<std::uint64_t>(std::time(nullptr)) + kAuthorizationLifetime;
    authorization.keyIndex = 0x01;
    authorization.keyVersion = request.at("keyVersion").get<std::uint8_t>();
    authorization.dlk =
        crypto::epurse::diversify(suite, sim::testIssuerKeys(suite).load, authorization.cardSerial);
    const Bytes envelope =
        chip::sam::sealLoadAuthorization(chipSamPublicKey_, chipSerial_, authorization);
    nlohmann::json response = {{"orderId", "ORD-TEST"},
                               {"nonce", toHex(authorization.nonce)},
                               {"expiresAt", authorization.expiry},
                               {"dataScript",
                                {{"format", "taplink-script/1"},
                                 {"kind", "data"},
                                 {"target", "chip"},
                                 {"scheme", "city-epurse"},
                                 {"items",
                                  {{"loadAuthorization", toHex(envelope)},
                                   {"allowanceSignature", toHex(taplink::testing::signTestAllowance(
                                                              chipSerial_, envelope))}}}}}};
    if (tamper) {
        tamper(response);
    }
    return response;
}

LoadBed::LoadBed(const std::string& cardProfile)
    : card(sim::makeCard(cardProfile, cityCardOptions())), chip(sim::makeCard("secure-chip")) {
    taplink::testing::activateLoadSam(chipLink);  // as the TSM's activate job does
    chip::LoadSam sam(chipLink);
    const chip::sam::ChipInfo info = sam.info();
    server = std::make_unique<TestServer>(info.samPublicKey, info.chipSerial, kAmount);
}

Bytes LoadBed::terminalId() {
    return fromHex("434800000001");  // rightmost 6 bytes of the chip serial 544C434800000001
}

Bytes LoadBed::txDate() {
    return fromHex("20261121");
}

Bytes LoadBed::txTime() {
    return fromHex("195000");
}

Variables LoadBed::inputs(std::uint32_t amount) const {
    Variables variables;
    const std::string orderId = "ORD-TEST";
    variables.setBytes("orderId", Bytes(orderId.begin(), orderId.end()));
    variables.setInteger("amount", amount);
    variables.setBytes("terminalId", terminalId());
    variables.setBytes("txDate", txDate());
    variables.setBytes("txTime", txTime());
    return variables;
}

RunContext LoadBed::context(Variables runInputs) {
    RunContext context{cardChannel, chipChannel, *server, sink};
    context.progress = [this](std::string_view stage) { stages.emplace_back(stage); };
    context.inputs = std::move(runInputs);
    return context;
}

ScriptError scriptErrorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const ScriptError& error) {
        return error;
    }
    ADD_FAILURE() << "no ScriptError was thrown";
    return ScriptError(ErrorCode::Malformed, "", "none thrown");
}

}  // namespace taplink::script::testing
