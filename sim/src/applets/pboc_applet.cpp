#include "applets/pboc_applet.hpp"

#include <utility>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::sim {

namespace isw = apdu::sw;
namespace psw = pboc::sw;
namespace tag = emv::tag;

namespace {

constexpr int kPinTries = 3;
constexpr std::size_t kPinBlockSize = 8;  // EMV Book 3 6.5.12.3

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

// Plaintext offline PIN block (EMV Book 3 6.5.12.3, ISO 9564-1 format 2): 2N, N digits
// (4..12), F filler, 8 bytes. nullopt when the block is not one.
std::optional<std::string> pinOf(ByteView block) {
    const unsigned digits = block.size() == kPinBlockSize ? block[0] & 0x0FU : 0U;
    if (block.size() != kPinBlockSize || (block[0] >> 4U) != 2 || digits < 4 || digits > 12) {
        return std::nullopt;
    }
    std::string pin;
    for (std::size_t i = 0; i < (kPinBlockSize - 1) * 2; ++i) {
        const std::uint8_t byte = block[1 + i / 2];
        const unsigned nibble = i % 2 == 0 ? byte >> 4U : byte & 0x0FU;
        if (i < digits ? nibble > 9 : nibble != 0x0F) {
            return std::nullopt;
        }
        if (i < digits) {
            pin.push_back(static_cast<char>('0' + nibble));
        }
    }
    return pin;
}

// Why VERIFY is refused before any PIN is compared (EMV Book 3 6.5.12); nullopt when it is
// not.
std::optional<std::uint16_t> verifyRefusal(const CommandApdu& command, int pinTriesLeft) {
    constexpr std::uint8_t kPlaintextPin = 0x80;  // P2, EMV Book 3 table 23
    if (command.p1 != 0x00 || command.p2 != kPlaintextPin) {
        return isw::kIncorrectP1P2;
    }
    if (pinTriesLeft <= 0) {
        return psw::kPinBlocked;
    }
    if (command.data.size() != kPinBlockSize) {
        return isw::kWrongLength;
    }
    return std::nullopt;
}

}  // namespace

PbocApplet::PbocApplet(PbocConfig config, PbocState state)
    : config_(std::move(config)), state_(std::move(state)) {}

void PbocApplet::onSelect() {
    transaction_ = Transaction{};  // SELECT starts a new transaction
}

void PbocApplet::onDeselect() {
    onSelect();
}

void PbocApplet::onReset() {
    onSelect();
}

std::optional<ResponseApdu> PbocApplet::process(const CommandApdu& command, DedicatedFile& df) {
    if (command.cla == 0x00 && command.ins == pboc::kInsVerify) {
        return verifyPin(command);
    }
    if (command.cla == 0x00 && command.ins == pboc::kInsExternalAuthenticate) {
        return externalAuthenticate(command);
    }
    if (command.cla == pboc::kClaSecureMessaging && command.ins == pboc::kInsPutData) {
        return putData(command, df);
    }
    if (command.cla == pboc::kClaEmv) {
        return processEmv(command);
    }
    return std::nullopt;  // READ RECORD and the rest go to the file system
}

std::optional<ResponseApdu> PbocApplet::processEmv(const CommandApdu& command) {
    switch (command.ins) {
        case pboc::kInsGetProcessingOptions:
            return getProcessingOptions(command);
        case pboc::kInsGetData:
            return getData(command);
        case pboc::kInsGenerateAc:
            return generateAc(command);
        default:
            return status(isw::kInsNotSupported);
    }
}

// 80 A8 00 00 Lc 83 L <PDOL data> 00 -> 77 { 82 AIP, 94 AFL } (EMV Book 3 6.5.8)
ResponseApdu PbocApplet::getProcessingOptions(const CommandApdu& command) {
    if (command.p1 != 0x00 || command.p2 != 0x00) {
        return status(isw::kIncorrectP1P2);
    }
    if (transaction_.processing) {
        return status(isw::kConditionsNotSatisfied);  // once per transaction
    }
    // 83 L <PDOL data>: L is the data's length, and that is the PDOL's total.
    const ByteView data(command.data);
    if (data.size() < 2 || data[1] != data.size() - 2 ||
        !emv::dolDataFits(emv::parseDol(config_.pdol), data.subspan(2))) {
        return status(isw::kWrongLength);
    }
    if (data[0] != tag::kCommandTemplate) {
        return status(isw::kWrongData);
    }
    transaction_.processing = true;
    return ResponseApdu{pboc::processingOptions(config_.aip, config_.afl), isw::kOk};
}

// 80 CA P1 P2 00 -> the data object P1-P2 with its tag and length (EMV Book 3 6.5.7.4)
ResponseApdu PbocApplet::getData(const CommandApdu& command) const {
    const auto wanted = static_cast<std::uint32_t>((command.p1 << 8U) | command.p2);
    const std::optional<Bytes> value = dataObject(wanted);
    if (!value) {
        return status(psw::kDataNotFound);
    }
    return ResponseApdu{tlv::Tlv::primitive(wanted, *value).encode(), isw::kOk};
}

std::optional<Bytes> PbocApplet::dataObject(std::uint32_t wanted) const {
    switch (wanted) {
        case tag::kEcBalance:
            return emv::encodeAmount(state_.ecBalance);
        case tag::kEcBalanceLimit:
            return emv::encodeAmount(state_.ecBalanceLimit);
        case tag::kEcSingleTransactionLimit:
            return emv::encodeAmount(state_.ecSingleLimit);
        case tag::kEcResetThreshold:
            return emv::encodeAmount(state_.ecResetThreshold);
        case tag::kLastOnlineAtc:
            return ByteWriter().u16(state_.lastOnlineAtc).take();
        case tag::kAtc:
            return ByteWriter().u16(state_.atc).take();
        case tag::kPinTryCounter:
            return Bytes{static_cast<std::uint8_t>(state_.pinTriesLeft)};
        case tag::kLogFormat:
            return config_.logFormat;
        default:
            return std::nullopt;
    }
}

// 00 20 00 80 08 <plaintext PIN block> (EMV Book 3 6.5.12): 9000, 63Cx, or 6983 blocked.
ResponseApdu PbocApplet::verifyPin(const CommandApdu& command) {
    if (const std::optional<std::uint16_t> refusal = verifyRefusal(command, state_.pinTriesLeft)) {
        return status(*refusal);
    }
    const std::optional<std::string> pin = pinOf(command.data);
    if (!pin) {
        return status(isw::kWrongData);
    }
    const bool right = *pin == config_.pin;
    countPinTry(right);
    if (right) {
        return status(isw::kOk);
    }
    return status(
        static_cast<std::uint16_t>(psw::kTriesLeft | static_cast<unsigned>(state_.pinTriesLeft)));
}

// A right PIN resets the try counter, a wrong one uses a try; the CVR records either.
void PbocApplet::countPinTry(bool right) {
    PbocState next = state_;
    next.pinTriesLeft = right ? kPinTries : state_.pinTriesLeft - 1;
    if (next.pinTriesLeft != state_.pinTriesLeft) {
        commit(std::move(next));  // a pulled card must not forget a wrong try
    }
    transaction_.cvr.offlinePinPerformed = true;
    transaction_.cvr.offlinePinFailed = !right;
}

void PbocApplet::commit(PbocState next) {
    if (!config_.stateFile.empty()) {
        next.save(config_.stateFile);  // throws before anything changed: the card answers 6F00
    }
    state_ = std::move(next);
}

}  // namespace taplink::sim
