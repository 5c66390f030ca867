// What the script engine's tests share: signing scripts with a key made in the test, a
// counting (and failing) channel wrapper, a recording checkpoint sink, and a server stand-in
// that authorizes loads with the test issuer's keys the way taplink-server does.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "card/virtual_card.hpp"
#include "script/engine.hpp"
#include "script/script_error.hpp"
#include "script/signed_script.hpp"
#include "signed_scripts.hpp"
#include "taplink/apdu/apdu_channel.hpp"
#include "taplink/crypto/openssl_handles.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::script::testing {

using ::taplink::testing::makeEnvelope;
using ::taplink::testing::makeSigningKey;
using ::taplink::testing::readRechargeScript;
using ::taplink::testing::signBytes;
using ::taplink::testing::trustedKeyOf;

// A channel that counts and records what goes through it and can fail like a pulled card:
// the failAt-th APDU (1-based) throws CardPulled instead of reaching the card.
class CardPulled : public std::runtime_error {
  public:
    CardPulled() : std::runtime_error("card pulled") {}
};

class CountingChannel : public apdu::ApduChannel {
  public:
    explicit CountingChannel(apdu::ApduChannel& inner) : inner_(inner) {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;

    std::size_t count() const { return commands_.size(); }
    const std::vector<apdu::CommandApdu>& commands() const { return commands_; }
    std::optional<std::size_t> failAt;
    // Answers the answerAt-th APDU (1-based) with this status word instead of the card.
    std::optional<std::pair<std::size_t, std::uint16_t>> answerAt;

  private:
    apdu::ApduChannel& inner_;
    std::vector<apdu::CommandApdu> commands_;
};

class RecordingSink : public CheckpointSink {
  public:
    void checkpoint(std::string_view name, const Variables& saved) override;

    std::vector<std::string> names;
    std::vector<Variables> saved;
    // Throws (after recording) at this checkpoint.
    std::string failAt;
};

// Plays taplink-server's POST /v1/orders/{id}/authorize with the test issuer keys: seals a
// load authorization for the request's card, ATC and key version to the chip.
class TestServer : public ServerExchange {
  public:
    TestServer(Bytes chipSamPublicKey, Bytes chipSerial, std::uint32_t amount)
        : chipSamPublicKey_(std::move(chipSamPublicKey)),
          chipSerial_(std::move(chipSerial)),
          amount_(amount) {}

    nlohmann::json call(std::string_view name, const nlohmann::json& request) override;

    std::vector<std::string> calls;
    std::vector<nlohmann::json> requests;
    // Changes the answer before it is returned (tests of bad answers).
    std::function<void(nlohmann::json&)> tamper;
    // Thrown instead of answering.
    std::optional<std::string> failWith;

  private:
    Bytes chipSamPublicKey_;
    Bytes chipSerial_;
    std::uint32_t amount_;
};

// A city card and the secure chip (load SAM operational), in process, with counting
// channels, a test server and a recording sink: everything a run needs.
struct LoadBed {
    static constexpr std::uint32_t kInitialBalance = 1000;  // 10.00 yuan
    static constexpr std::uint32_t kAmount = 5000;          // 50.00 yuan

    explicit LoadBed(const std::string& cardProfile);

    static Bytes terminalId();
    static Bytes txDate();
    static Bytes txTime();
    Variables inputs(std::uint32_t amount = kAmount) const;
    // The run context over all of the above, with the given inputs.
    RunContext context(Variables runInputs);

    std::shared_ptr<sim::VirtualCard> card;
    std::shared_ptr<sim::VirtualCard> chip;
    taplink::testing::VirtualCardChannel cardLink{card};
    taplink::testing::VirtualCardChannel chipLink{chip};
    CountingChannel cardChannel{cardLink};
    CountingChannel chipChannel{chipLink};
    std::unique_ptr<TestServer> server;
    RecordingSink sink;
    std::vector<std::string> stages;
};

// Runs fn and returns the ScriptError it throws; fails the test when it throws none.
ScriptError scriptErrorOf(const std::function<void()>& fn);

}  // namespace taplink::script::testing
