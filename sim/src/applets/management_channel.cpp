#include "applets/management_channel.hpp"

#include <utility>

#include "taplink/apdu/apdu.hpp"
#include "taplink/gp/gp_error.hpp"

namespace taplink::sim {
namespace {

namespace mgmt = chip::mgmt;

constexpr std::uint8_t kClaPlain = gp::kClaGp;                              // 80
constexpr std::uint8_t kClaSecured = gp::kClaGp | gp::kClaSecureMessaging;  // 84
using apdu::sw::kIncorrectP1P2;
using apdu::sw::kInsNotSupported;
using apdu::sw::kOk;
using apdu::sw::kSecurityNotSatisfied;

ResponseApdu status(std::uint16_t word) {
    return ResponseApdu{{}, word};
}

// docs/chip.md, "Management keys": key version of the TSM file, i = 70 (pseudo-random card
// challenge, R-MAC, R-ENC), the chip serial as diversification data, level 33 at least.
gp::CardChannelConfig channelConfig(const protocol::TsmMasterKey& tsmKeys, mgmt::Applet applet,
                                    ByteView chipSerial) {
    gp::CardChannelConfig config;
    config.aid = mgmt::appletAid(applet);
    config.keys = mgmt::deriveManagementKeys(tsmKeys.master, config.aid, chipSerial);
    config.keyVersion = tsmKeys.keyVersion;
    config.iParameter = gp::iparam::kPseudoRandom | gp::iparam::kRmac | gp::iparam::kRenc;
    config.diversificationData = mgmt::diversificationData(chipSerial);
    config.minimumSecurityLevel = mgmt::kSecurityLevel;
    return config;
}

}  // namespace

ManagementChannel::ManagementChannel(const protocol::TsmMasterKey& tsmKeys, mgmt::Applet applet,
                                     ByteView chipSerial, std::uint32_t sequenceCounter,
                                     CounterStore store)
    : channel_(channelConfig(tsmKeys, applet, chipSerial), sequenceCounter),
      store_(std::move(store)) {}

std::optional<ResponseApdu> ManagementChannel::process(const CommandApdu& command,
                                                       const ManageHandler& manage) {
    if (command.cla == kClaPlain && command.ins == gp::kInsInitializeUpdate) {
        return initializeUpdate(command);
    }
    if (command.cla == kClaPlain &&
        (command.ins == mgmt::ins::kManage || command.ins == chip::sam::ins::kSetLifecycle)) {
        return status(kSecurityNotSatisfied);  // only inside the channel, and only as MANAGE
    }
    if (command.cla != kClaSecured) {
        return std::nullopt;
    }
    if (command.ins == gp::kInsExternalAuthenticate) {
        return externalAuthenticate(command);
    }
    return secured(command, manage);
}

ResponseApdu ManagementChannel::initializeUpdate(const CommandApdu& command) {
    Bytes answer;
    try {
        answer = channel_.initializeUpdate(command);
    } catch (const gp::GpError& error) {
        return status(gp::statusWordFor(error.code()));
    }
    try {
        store_(channel_.sequenceCounter());  // Amendment D 6.2.2.1: never the same counter twice
    } catch (...) {
        channel_.close();
        throw;
    }
    return ResponseApdu{std::move(answer), kOk};
}

ResponseApdu ManagementChannel::externalAuthenticate(const CommandApdu& command) {
    try {
        channel_.externalAuthenticate(command);
    } catch (const gp::GpError& error) {
        return status(gp::statusWordFor(error.code()));  // the channel is closed
    }
    return status(kOk);
}

// A command with secure messaging: MANAGE goes to the applet, nothing else is known. A C-MAC
// that does not verify (a replay, a changed byte) closes the channel.
ResponseApdu ManagementChannel::secured(const CommandApdu& command, const ManageHandler& manage) {
    CommandApdu plain;
    try {
        plain = channel_.unwrap(command);
    } catch (const gp::GpError& error) {
        return status(gp::statusWordFor(error.code()));
    }
    if (plain.ins != mgmt::ins::kManage) {
        return status(kInsNotSupported);
    }
    if (plain.p1 != 0x00 || plain.p2 != 0x00) {
        return status(kIncorrectP1P2);
    }
    return channel_.wrap(manage(plain.data));
}

}  // namespace taplink::sim
