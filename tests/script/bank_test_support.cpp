#include "bank_test_support.hpp"

#include <gtest/gtest.h>

#include "cards/bank_card.hpp"
#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::script::testing {

namespace {

namespace cemv = crypto::emv;
using nlohmann::json;

Bytes approvedArc() {
    return {0x30, 0x30};  // 8A "00", EMV Book 4 A6
}
Bytes insufficientFundsArc() {
    return {0x35, 0x31};  // 8A "51", ISO 8583 response code
}
Bytes scriptId() {
    return {0x00, 0x00, 0x00, 0x01};
}
Bytes putBalanceHeader() {
    return {0x04, 0xDA, 0x9F, 0x79, 0x0A};  // docs/bank-cards.md step 9
}

Bytes hexField(const json& request, const char* name) {
    return fromHex(request.at(name).get<std::string>());
}

IssuerCryptogram cryptogramOf(const json& request) {
    // The request exactly as the script sent it, through the server's own parser.
    const auto parsed = net::wire::EcAuthorizeRequest::fromJson(request);
    return {cemv::suiteFromAlgorithmIndicator(parsed.iad.at(7)), parsed.pan, parsed.psn, parsed.atc,
            parsed.arqc};
}

bool verifies(const IssuerCryptogram& cryptogram, const json& request) {
    return cryptogram.verifies(hexField(request, "cdol1Data"), hexField(request, "aip"),
                               hexField(request, "iad"));
}

Bytes putBalance(const IssuerCryptogram& cryptogram, std::uint64_t balance, bool spoilMac) {
    const Bytes value = emv::encodeAmount(balance);
    const Bytes key = cryptogram.sessionKey(sim::testBankIssuerKeys(cryptogram.suite).smi);
    Bytes mac = cemv::scriptMac(
        cryptogram.suite, key,
        cemv::scriptMacInput(putBalanceHeader(), cryptogram.atc, cryptogram.arqc, value));
    if (spoilMac) {
        mac[0] ^= 0x01U;
    }
    return ByteWriter().bytes(putBalanceHeader()).bytes(value).bytes(mac).take();
}

// 72 { 9F18 id, 86 command ... } (EMV Book 3 10.10, Annex A1).
Bytes script72(const std::vector<Bytes>& commands) {
    std::vector<tlv::Tlv> children{
        tlv::Tlv::primitive(emv::tag::kIssuerScriptIdentifier, scriptId())};
    for (const Bytes& command : commands) {
        children.push_back(tlv::Tlv::primitive(emv::tag::kIssuerScriptCommand, command));
    }
    return tlv::Tlv::constructedOf(emv::tag::kIssuerScriptAfterFinalGac, std::move(children))
        .encode();
}

}  // namespace

Bytes IssuerCryptogram::sessionKey(ByteView imk) const {
    return cemv::sessionKey(suite, cemv::iccMasterKey(suite, imk, pan, psn), atc);
}

// ARQC = AC(SK-AC, CDOL1 data || AIP || ATC || CVR), the CVR being IAD bytes 4-7 (CVN 01).
bool IssuerCryptogram::verifies(ByteView cdol1Data, ByteView aip, ByteView iad) const {
    const Bytes input =
        ByteWriter().bytes(cdol1Data).bytes(aip).u16(atc).bytes(iad.subspan(3, 4)).take();
    const Bytes key = sessionKey(sim::testBankIssuerKeys(suite).ac);
    return cemv::applicationCryptogram(suite, key, input) == arqc;
}

// ARPC method 1 (EMV Book 2 8.2.1) over the ARQC and the ARC, under SK-AC.
Bytes IssuerCryptogram::arpc(ByteView arc) const {
    return cemv::arpcMethod1(suite, sessionKey(sim::testBankIssuerKeys(suite).ac), arqc, arc);
}

json BankIssuerServer::call(std::string_view name, const json& request) {
    calls.emplace_back(name);
    requests.push_back(request);
    if (name != "ecload-authorize") {
        throw std::runtime_error("no such endpoint: " + std::string(name));
    }
    const IssuerCryptogram cryptogram = cryptogramOf(request);
    arqcVerified = verifies(cryptogram, request);
    if (!arqcVerified) {
        throw std::runtime_error("the ARQC does not verify");
    }
    const Bytes arc = decline ? insufficientFundsArc() : approvedArc();
    Bytes arpc = cryptogram.arpc(arc);
    if (spoilArpc) {
        arpc[0] ^= 0x01U;
    }
    if (decline) {
        return {{"arc", toHex(arc)},
                {"issuerAuthenticationData", toHex(ByteWriter().bytes(arpc).bytes(arc).take())}};
    }
    const std::uint64_t newBalance = request.at("ecBalance").get<std::uint64_t>() + amount;
    const std::vector<Bytes> commands =
        scriptCommands.empty()
            ? std::vector<Bytes>{putBalance(cryptogram, newBalance, spoilScriptMac)}
            : scriptCommands;
    json response = {
        {"nonce", toHex(crypto::randomBytes(16))},
        {"arc", toHex(approvedArc())},
        {"issuerAuthenticationData", toHex(ByteWriter().bytes(arpc).bytes(approvedArc()).take())},
        {"issuerScript", toHex(script72(commands))},
        {"newBalance", newBalance}};
    if (tamper) {
        tamper(response);
    }
    return response;
}

BankBed::BankBed(const BankCase& bankCaseToRun, std::string expiry)
    : bankCase(bankCaseToRun),
      card(sim::makeCard(bankCase.profile,
                         [&expiry] {
                             sim::CardOptions options;
                             options.balance = kInitialBalance;
                             options.expiry = std::move(expiry);
                             return options;
                         }())),
      chip(sim::makeCard("secure-chip")) {}

Variables BankBed::inputs(std::uint32_t amount) const {
    Variables variables;
    const std::string orderId = "ORD-BANK";
    variables.setBytes("orderId", Bytes(orderId.begin(), orderId.end()));
    variables.setInteger("amount", amount);
    variables.setBytes("aid", fromHex(bankCase.aid));
    variables.setBytes("terminalId", fromHex("434800000001"));
    variables.setBytes("txDate", fromHex("261206"));
    variables.setBytes("unpredictableNumber", fromHex("1A2B3C4D"));
    return variables;
}

RunContext BankBed::context(Variables runInputs) {
    RunContext context{cardChannel, chipChannel, server, sink};
    context.progress = [this](std::string_view stage) { stages.emplace_back(stage); };
    context.inputs = std::move(runInputs);
    return context;
}

std::uint64_t BankBed::cardBalance() {
    apdu::CommandApdu select;
    select.ins = apdu::kInsSelect;
    select.p1 = 0x04;
    select.data = fromHex(bankCase.aid);
    select.le = 256;
    EXPECT_EQ(cardLink.transmit(select).sw, apdu::sw::kOk);
    return emv::readEcAmount(cardLink, static_cast<std::uint16_t>(emv::tag::kEcBalance));
}

std::string BankBed::pan() const {
    return sim::defaultBankPan(bankCase.profile, sim::testBankIssuer());
}

std::vector<BankCase> bankCases() {
    return {{"bank-3des", "A000000333010101", crypto::emv::Suite::TripleDes},
            {"bank-sm4", "A000000333010101", crypto::emv::Suite::Sm4},
            {"bank-dual", "A000000333010101", crypto::emv::Suite::TripleDes},
            {"bank-dual", "A000000333010102", crypto::emv::Suite::TripleDes}};
}

}  // namespace taplink::script::testing
