#include "card/virtual_card.hpp"

#include <algorithm>
#include <exception>
#include <utility>

namespace taplink::sim {

namespace sw = apdu::sw;

namespace {
constexpr std::uint8_t kReaderCla = 0xFF;  // PC/SC part 3 pseudo-APDUs, for the reader

// 61xx / 6Cxx carry a length in SW2 where 00 means 256 or more.
std::uint16_t withLength(std::uint8_t sw1, std::size_t length) {
    return static_cast<std::uint16_t>((std::size_t{sw1} << 8U) |
                                      (std::min(length, apdu::kMaxShortLe) & 0xFFU));
}

// Normal processing and warnings may come with data; errors may not (7816-4 clause 5.6).
bool carriesData(std::uint16_t status) {
    constexpr std::uint8_t kWarningUnchanged = 0x62;
    constexpr std::uint8_t kWarningChanged = 0x63;
    const auto sw1 = static_cast<std::uint8_t>(status >> 8U);
    return status == sw::kOk || sw1 == kWarningUnchanged || sw1 == kWarningChanged;
}
}  // namespace

VirtualCard::VirtualCard(std::string profile, Bytes atr, DedicatedFile mf, bool t0Transport)
    : profile_(std::move(profile)),
      atr_(std::move(atr)),
      files_(std::move(mf)),
      t0Transport_(t0Transport) {}

void VirtualCard::reset() {
    files_.reset();  // tells every applet
    pendingData_.clear();
}

Bytes VirtualCard::process(ByteView rawCommand) {
    CommandApdu command;
    try {
        command = CommandApdu::parse(rawCommand);
    } catch (const apdu::ApduError&) {
        pendingData_.clear();
        return ResponseApdu{{}, sw::kWrongLength}.encode();
    }
    if (command.ins == apdu::kInsGetResponse && command.cla != kReaderCla) {
        return getResponse(command).encode();
    }
    pendingData_.clear();
    try {
        return deliver(command, dispatch(command)).encode();
    } catch (const std::exception&) {
        // A fault inside the card (its storage failing, say) must not take the simulator
        // down: a real card answers "no precise diagnosis".
        return ResponseApdu{{}, sw::kNoPreciseDiagnosis}.encode();
    }
}

ResponseApdu VirtualCard::dispatch(const CommandApdu& command) {
    if (command.cla == kReaderCla) {
        return ResponseApdu{{}, sw::kClaNotSupported};  // reader pseudo-APDUs are not ours
    }
    DedicatedFile& df = files_.currentDf();
    if (command.ins != apdu::kInsSelect && df.applet) {
        if (auto handled = df.applet->process(command, df)) {
            return *handled;
        }
    }
    if (df.applet) {
        df.applet->onFileSystemCommand();
    }
    if (auto handled = files_.process(command)) {
        return *handled;
    }
    return ResponseApdu{{}, sw::kInsNotSupported};
}

// Hands the response over the way the transport allows (ISO/IEC 7816-4 clause 5.3.4 and
// ISO/IEC 7816-3 clause 10.3.5 for T=0).
ResponseApdu VirtualCard::deliver(const CommandApdu& command, ResponseApdu response) {
    if (!carriesData(response.sw)) {
        return ResponseApdu{{}, response.sw};  // an error answer carries no data
    }
    if (response.data.empty()) {
        return response;
    }
    if (t0Transport_ && !command.data.empty()) {
        // T=0 case 4: the data never comes with the command's answer.
        return chain(std::move(response.data), 0, response.sw);
    }
    const std::size_t ne = command.le.value_or(0);
    if (t0Transport_ && command.le && response.data.size() < ne) {
        return ResponseApdu{{}, withLength(sw::kWrongLeSw1, response.data.size())};
    }
    if (response.data.size() > ne) {
        return chain(std::move(response.data), ne, response.sw);
    }
    return response;
}

ResponseApdu VirtualCard::chain(Bytes data, std::size_t firstChunk, std::uint16_t finalSw) {
    ResponseApdu first{Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(firstChunk)),
                       0};
    pendingData_.assign(data.begin() + static_cast<std::ptrdiff_t>(firstChunk), data.end());
    pendingSw_ = finalSw;
    first.sw = withLength(sw::kMoreDataSw1, pendingData_.size());
    return first;
}

ResponseApdu VirtualCard::getResponse(const CommandApdu& command) {
    if (pendingData_.empty()) {
        return ResponseApdu{{}, sw::kConditionsNotSatisfied};
    }
    if (command.p1 != 0 || command.p2 != 0) {
        pendingData_.clear();
        return ResponseApdu{{}, sw::kIncorrectP1P2};
    }
    const std::size_t wanted = command.le.value_or(apdu::kMaxShortLe);
    Bytes data = std::exchange(pendingData_, {});
    if (data.size() <= wanted) {
        return ResponseApdu{std::move(data), pendingSw_};
    }
    return chain(std::move(data), wanted, pendingSw_);
}

}  // namespace taplink::sim
