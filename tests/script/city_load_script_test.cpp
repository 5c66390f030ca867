// The real scripts/recharge/city-epurse-load.json, signed in the test, run by the engine
// against taplink-sim's city card (both suites) and secure chip in process, with a server
// stand-in that seals load authorizations with the test issuer's keys. Covers the whole load
// (checkpoints, progress, outputs, the exact authorize request) and what happens when the
// journal, the card, the server or the caller stops it half-way.
#include <gtest/gtest.h>

#include <chrono>

#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "script/engine.hpp"
#include "script/signed_script.hpp"
#include "script_test_support.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/crypto/signatures.hpp"

namespace taplink::script {
namespace {

using crypto::epurse::Suite;
using testing::CardPulled;
using testing::LoadBed;
using testing::scriptErrorOf;

// Card APDUs of one load, in order (the select by FID is skipped: the card has the AID).
constexpr std::size_t kCardApduCredit = 5;  // select, read EF 0x15, balance, initialize, credit
constexpr std::size_t kCardApdusPerLoad = 6;
constexpr std::size_t kChipApdusPerLoad = 3;  // select, import, MAC2

class CityLoadScriptTest : public ::testing::TestWithParam<std::string> {
  protected:
    Suite suite() const { return GetParam() == "city-sm4" ? Suite::Sm4 : Suite::TripleDes; }

    Variables runLoad(std::uint32_t amount = LoadBed::kAmount) {
        RunContext context = bed.context(bed.inputs(amount));
        if (cancelled) {
            context.cancelled = cancelled;
        }
        if (clock) {
            context.clock = clock;
        }
        return run(script, context);
    }

    std::uint32_t cardBalance() {
        cards::epurse::EpurseCard purse(bed.cardLink);
        EXPECT_TRUE(purse.select().has_value());
        return purse.readBalance();
    }

    Bytes expectedTac(std::uint32_t balanceBefore, std::uint16_t onlineAtc) const {
        const Bytes dtk = crypto::epurse::diversify(suite(), sim::testIssuerKeys(suite()).tac,
                                                    sim::defaultCitySerial());
        return crypto::epurse::tac(
            suite(), dtk,
            cards::epurse::tacInputForLoad(balanceBefore + LoadBed::kAmount, onlineAtc,
                                           LoadBed::kAmount, LoadBed::terminalId(),
                                           LoadBed::txDate(), LoadBed::txTime()));
    }

    crypto::PkeyPtr signingKey = testing::makeSigningKey();
    Script script = verifySignedScript(
        testing::makeEnvelope(testing::readRechargeScript("city-epurse-load.json"),
                              signingKey.get()),
        {testing::trustedKeyOf(signingKey.get())});
    LoadBed bed{GetParam()};
    std::function<bool()> cancelled;
    Clock clock;
};

TEST_P(CityLoadScriptTest, LoadsTheCardWithCheckpointsBeforeEachMoneyStep) {
    const Variables outputs = runLoad();

    EXPECT_EQ(outputs.integer("balanceBefore"), LoadBed::kInitialBalance);
    EXPECT_EQ(outputs.integer("balanceAfter"), LoadBed::kInitialBalance + LoadBed::kAmount);
    EXPECT_EQ(outputs.bytes("cardSerial"), sim::defaultCitySerial());
    EXPECT_EQ(outputs.bytes("issuerId"), sim::testIssuerId());
    EXPECT_EQ(outputs.integer("algorithmId"), crypto::epurse::algorithmIdOf(suite()));
    EXPECT_EQ(outputs.integer("onlineAtc"), 0U);
    EXPECT_EQ(outputs.bytes("tac"), expectedTac(LoadBed::kInitialBalance, 0));
    EXPECT_EQ(outputs.bytes("nonce").size(), 16U);
    EXPECT_EQ(outputs.bytes("mac1").size(), 4U);
    EXPECT_TRUE(outputs.contains("keyVersion"));
    EXPECT_EQ(outputs.size(), 10U) << "exactly the declared outputs";
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance + LoadBed::kAmount);

    EXPECT_EQ(bed.sink.names,
              (std::vector<std::string>{"authorized", "card_initialized", "credited"}));
    EXPECT_EQ(bed.stages, (std::vector<std::string>{"authorizing", "writing", "confirming"}));
    const Variables& credited = bed.sink.saved.at(2);
    EXPECT_EQ(credited.bytes("tac"), outputs.bytes("tac"));
    EXPECT_EQ(credited.integer("balanceAfter"), LoadBed::kInitialBalance + LoadBed::kAmount);
    EXPECT_EQ(bed.sink.saved.at(1).integer("balanceBefore"), LoadBed::kInitialBalance);
    EXPECT_EQ(bed.cardChannel.count(), kCardApdusPerLoad);
    EXPECT_EQ(bed.chipChannel.count(), kChipApdusPerLoad);
}

TEST_P(CityLoadScriptTest, AuthorizeRequestHasTheContractsFieldsAndJsonTypes) {
    const Variables outputs = runLoad();
    ASSERT_EQ(bed.server->calls, std::vector<std::string>{"authorize"});
    const nlohmann::json expected = {{"issuerId", "5441504C494E4B31"},
                                     {"cardSerial", "00000000000000000042"},
                                     {"balance", LoadBed::kInitialBalance},
                                     {"onlineAtc", 0},
                                     {"algorithmId", crypto::epurse::algorithmIdOf(suite())},
                                     {"keyVersion", bed.server->requests[0].at("keyVersion")},
                                     {"terminalId", toHex(LoadBed::terminalId())},
                                     {"random", bed.server->requests[0].at("random")},
                                     {"mac1", bed.server->requests[0].at("mac1")}};
    EXPECT_EQ(bed.server->requests[0], expected);
    // The card's own random and MAC1 (INITIALIZE FOR LOAD, bytes 8-11 and 12-15), so that
    // the server can check the balance and ATC by MAC1.
    EXPECT_EQ(bed.server->requests[0].at("random").get<std::string>().size(), 8U);
    EXPECT_EQ(bed.server->requests[0].at("mac1").get<std::string>(), toHex(outputs.bytes("mac1")));
    EXPECT_TRUE(bed.server->requests[0].at("balance").is_number_unsigned());
    EXPECT_TRUE(bed.server->requests[0].at("keyVersion").is_number_unsigned());
}

TEST_P(CityLoadScriptTest, TheNonceAndExpiryAreJournaledAtAuthorized) {
    std::string nonceSent;
    bed.server->tamper = [&nonceSent](nlohmann::json& response) {
        nonceSent = response["nonce"].get<std::string>();
    };
    const Variables outputs = runLoad();
    const Variables& authorized = bed.sink.saved.at(0);
    EXPECT_EQ(toHex(authorized.bytes("nonce")), nonceSent);
    EXPECT_EQ(outputs.bytes("nonce"), authorized.bytes("nonce"));
    EXPECT_GT(authorized.integer("expiresAt"), 0U);
    EXPECT_EQ(authorized.integer("onlineAtc"), 0U);
}

TEST_P(CityLoadScriptTest, ASecondLoadRunsUnderTheNextOnlineAtc) {
    runLoad();
    const Variables second = runLoad();
    EXPECT_EQ(second.integer("onlineAtc"), 1U);
    EXPECT_EQ(second.integer("balanceBefore"), LoadBed::kInitialBalance + LoadBed::kAmount);
    EXPECT_EQ(second.bytes("tac"), expectedTac(LoadBed::kInitialBalance + LoadBed::kAmount, 1));
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance + 2 * LoadBed::kAmount);
}

TEST_P(CityLoadScriptTest, AJournalThatFailsBeforeTheCreditStopsTheRunBeforeTheNextApdu) {
    bed.sink.failAt = "card_initialized";
    try {
        runLoad();
        FAIL() << "the run went on";
    } catch (const ScriptError&) {
        FAIL() << "the sink's exception must reach the caller unchanged";
    } catch (const std::runtime_error& error) {
        EXPECT_STREQ(error.what(), "journal write failed at card_initialized");
    }
    ASSERT_GE(bed.cardChannel.count(), 4U);
    for (const auto& command : bed.cardChannel.commands()) {
        EXPECT_NE(command.ins, cards::epurse::kInsCreditForLoad) << "the card was credited";
    }
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance);
}

TEST_P(CityLoadScriptTest, AJournalThatFailsAtAuthorizedStopsBeforeTheChip) {
    bed.sink.failAt = "authorized";
    EXPECT_THROW(runLoad(), std::runtime_error);
    EXPECT_EQ(bed.chipChannel.count(), 0U);
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"authorized"});
}

TEST_P(CityLoadScriptTest, ACardPulledAtTheCreditPropagatesUnchanged) {
    bed.cardChannel.failAt = kCardApduCredit;
    EXPECT_THROW(runLoad(), CardPulled);
    EXPECT_EQ(bed.sink.names, (std::vector<std::string>{"authorized", "card_initialized"}));
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance);
}

TEST_P(CityLoadScriptTest, ACardPulledAtTheFirstApduPropagatesUnchanged) {
    bed.cardChannel.failAt = 1;
    EXPECT_THROW(runLoad(), CardPulled);
    EXPECT_TRUE(bed.sink.names.empty());
    EXPECT_EQ(bed.chipChannel.count(), 0U);
}

TEST_P(CityLoadScriptTest, CancelIsHonouredBetweenSteps) {
    cancelled = [this] { return !bed.sink.names.empty(); };  // once authorized is journaled
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.chipChannel.count(), 0U) << "nothing after the cancel";
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"authorized"});
}

TEST_P(CityLoadScriptTest, NoCancelBetweenTheCreditAndItsCheckpoint) {
    // Cancelled from the moment the CREDIT has gone out: the credited checkpoint still runs.
    cancelled = [this] { return bed.cardChannel.count() >= kCardApduCredit; };
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.sink.names,
              (std::vector<std::string>{"authorized", "card_initialized", "credited"}));
    EXPECT_EQ(bed.sink.saved.at(2).bytes("tac"), expectedTac(LoadBed::kInitialBalance, 0));
}

TEST_P(CityLoadScriptTest, NoTimeLimitBetweenTheCreditAndItsCheckpoint) {
    const auto start = std::chrono::steady_clock::now();
    clock = [this, start] {
        return bed.cardChannel.count() >= kCardApduCredit ? start + std::chrono::hours(1) : start;
    };
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(bed.sink.names.back(), "credited");
}

TEST_P(CityLoadScriptTest, AServerThatFailsIsAServerErrorCarryingTheCause) {
    bed.server->failWith = "connection refused";
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::Server);
    EXPECT_NE(error.step().find("authorize"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("connection refused"), std::string::npos);
    ASSERT_TRUE(error.cause());
    try {
        std::rethrow_exception(error.cause());
    } catch (const std::runtime_error& cause) {
        EXPECT_STREQ(cause.what(), "connection refused");
    }
    EXPECT_EQ(bed.chipChannel.count(), 0U);
    EXPECT_TRUE(bed.sink.names.empty());
}

TEST_P(CityLoadScriptTest, AnAnswerWithoutTheNonceIsAServerError) {
    bed.server->tamper = [](nlohmann::json& response) { response["nonce"] = "00112233"; };
    EXPECT_EQ(scriptErrorOf([this] { runLoad(); }).code(), ErrorCode::Server);
    bed.server->tamper = [](nlohmann::json& response) { response.erase("expiresAt"); };
    EXPECT_EQ(scriptErrorOf([this] { runLoad(); }).code(), ErrorCode::Server);
    bed.server->tamper = [](nlohmann::json& response) { response["expiresAt"] = -1; };
    EXPECT_EQ(scriptErrorOf([this] { runLoad(); }).code(), ErrorCode::Server);
    EXPECT_EQ(bed.chipChannel.count(), 0U);
    EXPECT_TRUE(bed.sink.names.empty());
}

TEST_P(CityLoadScriptTest, ADataScriptOfTheWrongKindTargetSchemeOrItemsIsRefused) {
    const std::vector<std::function<void(nlohmann::json&)>> tampers = {
        [](nlohmann::json& data) { data["kind"] = "command"; },
        [](nlohmann::json& data) { data["target"] = "card"; },
        [](nlohmann::json& data) { data["scheme"] = "bank-ecash"; },
        [](nlohmann::json& data) { data["format"] = "taplink-script/2"; },
        [](nlohmann::json& data) { data["extra"] = 1; },
        [](nlohmann::json& data) { data["items"]["more"] = "00"; },
        [](nlohmann::json& data) {
            data["items"] = {{"other", "00"}};
        },
        [](nlohmann::json& data) { data["items"]["loadAuthorization"] = "0011"; },
        [](nlohmann::json& data) { data["items"]["loadAuthorization"] = "not hex"; },
        [](nlohmann::json& data) { data["items"].erase("allowanceSignature"); },
        [](nlohmann::json& data) { data = "a string"; },
    };
    for (std::size_t i = 0; i < tampers.size(); ++i) {
        bed.server->tamper = [&tampers, i](nlohmann::json& response) {
            tampers[i](response["dataScript"]);
        };
        const ScriptError error = scriptErrorOf([this] { runLoad(); });
        EXPECT_EQ(error.code(), ErrorCode::DataScriptInvalid) << i << ": " << error.what();
    }
    EXPECT_EQ(bed.chipChannel.count(), 0U);
    EXPECT_TRUE(bed.sink.names.empty());
}

TEST_P(CityLoadScriptTest, AStatusWordTheStepMapsStopsWithItsOutcome) {
    bed.cardChannel.answerAt = std::pair<std::size_t, std::uint16_t>{4, 0x9403};  // INITIALIZE
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.statusWord(), 0x9403);
    EXPECT_EQ(error.outcome(), "key_index_unsupported");
    EXPECT_NE(error.step().find("initialize-for-load"), std::string::npos);
    EXPECT_EQ(bed.chipChannel.count(), 0U);
}

TEST_P(CityLoadScriptTest, AnUnexpectedStatusWordNamesTheStep) {
    bed.cardChannel.answerAt = std::pair<std::size_t, std::uint16_t>{2, 0x6F00};  // READ BINARY
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.statusWord(), 0x6F00);
    EXPECT_TRUE(error.outcome().empty());
    EXPECT_NE(std::string(error.what()).find("read-public-info"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("6F00"), std::string::npos);
    EXPECT_EQ(bed.cardChannel.count(), 2U);
}

// The chip checks the allowance itself: an envelope signed by another key than the one the
// TSM set is refused at the import (6984), before any MAC2 or card write.
TEST_P(CityLoadScriptTest, AnAllowanceAnotherKeySignedIsRefusedByTheChip) {
    bed.server->tamper = [](nlohmann::json& response) {
        const crypto::PkeyPtr stranger = crypto::generateKey("EC", crypto::kP256Group);
        auto& items = response["dataScript"]["items"];
        const Bytes envelope = fromHex(items["loadAuthorization"].get<std::string>());
        items["allowanceSignature"] = toHex(crypto::signSha256(
            stranger.get(),
            chip::sam::encodeAllowanceStatement(fromHex("544C434800000001"), envelope), "test"));
    };
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.statusWord(), chip::sam::sw::kAllowanceSignatureInvalid);
    EXPECT_EQ(error.outcome(), "authorization_invalid");
    EXPECT_NE(error.step().find("import-load-authorization"), std::string::npos);
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"authorized"});
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance);
}

TEST_P(CityLoadScriptTest, AnotherAmountThanAuthorizedGetsNoMac2) {
    // The daemon's input says 40.00, the server authorized 50.00: the chip refuses MAC2.
    const ScriptError error = scriptErrorOf([this] { runLoad(4000); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.outcome(), "authorization_mismatch");
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"authorized"});
    EXPECT_EQ(cardBalance(), LoadBed::kInitialBalance);
}

TEST_P(CityLoadScriptTest, InputsMustBeExactlyTheDeclaredOnes) {
    const auto refused = [this](Variables inputs) {
        RunContext context = bed.context(std::move(inputs));
        return scriptErrorOf([this, &context] { run(script, context); }).code();
    };
    Variables tooLarge = bed.inputs();
    tooLarge.setInteger("amount", 0x100000000ULL);
    EXPECT_EQ(refused(tooLarge), ErrorCode::InvalidInput);
    Variables missing = bed.inputs();
    Variables withoutDate;
    for (const auto& [name, value] : missing) {
        if (name != "txDate") {
            withoutDate.set(name, value);
        }
    }
    EXPECT_EQ(refused(withoutDate), ErrorCode::InvalidInput);
    Variables extra = bed.inputs();
    extra.setInteger("discount", 1);
    EXPECT_EQ(refused(extra), ErrorCode::InvalidInput);
    Variables shortTerminal = bed.inputs();
    shortTerminal.setBytes("terminalId", fromHex("0001"));
    EXPECT_EQ(refused(shortTerminal), ErrorCode::InvalidInput);
    Variables wrongType = bed.inputs();
    wrongType.setBytes("amount", fromHex("00001388"));
    EXPECT_EQ(refused(wrongType), ErrorCode::InvalidInput);
    EXPECT_EQ(bed.cardChannel.count(), 0U);
}

INSTANTIATE_TEST_SUITE_P(BothSuites, CityLoadScriptTest,
                         ::testing::Values("city-3des", "city-sm4"));

// A card without the e-purse: the script falls back to 3F00/1001 and then names the outcome.
TEST(CityLoadScriptOtherCards, ACardWithoutTheEpurseIsNotACityCard) {
    auto signingKey = testing::makeSigningKey();
    const Script script = verifySignedScript(
        testing::makeEnvelope(testing::readRechargeScript("city-epurse-load.json"),
                              signingKey.get()),
        {testing::trustedKeyOf(signingKey.get())});
    LoadBed bed("city-3des");
    auto other = sim::makeCard("iso-t1");
    taplink::testing::VirtualCardChannel otherLink(other);
    testing::CountingChannel otherChannel(otherLink);
    RunContext context{otherChannel, bed.chipChannel, *bed.server, bed.sink};
    context.inputs = bed.inputs();
    const ScriptError error = scriptErrorOf([&] { run(script, context); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.outcome(), "not_a_city_card");
    EXPECT_NE(error.step().find("select-purse-by-fid"), std::string::npos);
    EXPECT_EQ(otherChannel.count(), 2U);
    EXPECT_EQ(bed.chipChannel.count(), 0U);
}

}  // namespace
}  // namespace taplink::script
