#include "script/purchase_steps.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "taplink/chip/payment_protocol.hpp"
#include "taplink/emv/emv_tlv.hpp"

namespace taplink::script::purchase_steps {

namespace {

namespace pay = chip::pay;

constexpr std::string_view kPinInvalid = "pin_invalid";

// The command's data wiped when it goes away: the PIN's copy in the APDU.
class WipedCommand {
  public:
    explicit WipedCommand(apdu::CommandApdu command) : command_(std::move(command)) {}
    WipedCommand(const WipedCommand&) = delete;
    WipedCommand& operator=(const WipedCommand&) = delete;
    ~WipedCommand() { OPENSSL_cleanse(command_.data.data(), command_.data.size()); }
    const apdu::CommandApdu& command() const { return command_; }

  private:
    apdu::CommandApdu command_;
};

void requireOk(const apdu::ResponseApdu& answer, const std::string& commandName,
               const std::string& step, std::string outcomeOf6A80 = "") {
    if (answer.sw == apdu::sw::kOk) {
        return;
    }
    const bool wrongData = answer.sw == apdu::sw::kWrongData;
    throw ScriptError::statusWord(step, answer.sw, commandName,
                                  wrongData ? std::move(outcomeOf6A80) : "");
}

}  // namespace

std::vector<Bytes> cardDataCommands(const std::vector<tlv::Tlv>& objects, const std::string& step) {
    std::vector<Bytes> commands;
    for (const tlv::Tlv& object : objects) {
        const Bytes encoded = object.encode();
        if (encoded.size() > kMaxCardDataPerCommand) {
            throw ScriptError(ErrorCode::ResponseInvalid, step,
                              emv::tagName(object.tag) + " does not fit one PUT CARD DATA");
        }
        if (commands.empty() || commands.back().size() + encoded.size() > kMaxCardDataPerCommand) {
            commands.emplace_back();
        }
        commands.back().insert(commands.back().end(), encoded.begin(), encoded.end());
    }
    return commands;
}

std::vector<tlv::Tlv> relayedObjects(const RelayCardDataStep& relay,
                                     const emv_steps::CardObjects& seen, const std::string& step) {
    std::vector<tlv::Tlv> objects;
    for (const std::uint32_t tag : relay.tags) {
        const auto found = seen.find(tag);
        if (found == seen.end()) {
            throw ScriptError(ErrorCode::ResponseInvalid, step,
                              "the card gave no " + emv::tagName(tag) + " in this run");
        }
        objects.push_back(tlv::Tlv::primitive(tag, found->second));
    }
    for (const std::uint32_t tag : relay.optionalTags) {
        if (const auto found = seen.find(tag); found != seen.end()) {
            objects.push_back(tlv::Tlv::primitive(tag, found->second));
        }
    }
    return objects;
}

void relayCardData(apdu::ApduChannel& chip, const RelayCardDataStep& relay,
                   const emv_steps::CardObjects& seen, const std::string& step) {
    for (const Bytes& data : cardDataCommands(relayedObjects(relay, seen, step), step)) {
        requireOk(chip.transmit(pay::putCardData(data)), "PUT CARD DATA", step);
    }
}

void putPin(apdu::ApduChannel& chip, const SecretString& pin, const std::string& step) {
    const std::string_view digits = pin.view();
    if (!pay::isValidPin(digits)) {
        // Says nothing of the PIN itself, not even its length.
        throw ScriptError::notAccepted(step, std::string(kPinInvalid),
                                       "the PIN entered is not 4 to 12 digits");
    }
    const WipedCommand command(pay::putPin(digits));
    requireOk(chip.transmit(command.command()), "PUT PIN", step, std::string(kPinInvalid));
}

}  // namespace taplink::script::purchase_steps
