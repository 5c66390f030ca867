// The applets, their lifecycle rule, the management keys and the command builders of
// chip/chip_management.hpp. The MANAGE data and status layouts are in
// chip_management_data.cpp, the TSM session in chip_management_session.cpp.
#include <algorithm>
#include <array>
#include <utility>

#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/crypto/hkdf.hpp"

namespace taplink::chip::mgmt {
namespace {

constexpr std::size_t kManagementKeySize = 16;  // AES-128

constexpr std::array<std::pair<Applet, std::string_view>, 2> kAppletNames{{
    {Applet::LoadSam, "load-sam"},
    {Applet::Payment, "payment"},
}};

// info = "TapLink SCP03 v1" || role || AID || chip serial (docs/chip.md, "Management keys").
Bytes managementKey(ByteView master, char role, ByteView appletAid, ByteView chipSerial) {
    const Bytes info = ByteWriter()
                           .ascii(kManagementKdfLabel)
                           .u8(static_cast<std::uint8_t>(role))
                           .bytes(appletAid)
                           .bytes(chipSerial)
                           .take();
    return crypto::hkdfSha256(master, info, kManagementKeySize);
}

void requireKeyInputs(ByteView master, ByteView appletAid, ByteView chipSerial) {
    if (master.size() != kMasterKeySize) {
        throw ManagementFormatError("management keys: the TSM master key must be " +
                                    std::to_string(kMasterKeySize) + " bytes, got " +
                                    std::to_string(master.size()));
    }
    if (appletAid.size() < kMinAidSize || appletAid.size() > kMaxAidSize) {
        throw ManagementFormatError("management keys: an AID is 5..16 bytes");
    }
    if (chipSerial.empty() || chipSerial.size() > sam::kMaxChipSerialSize) {
        throw ManagementFormatError("management keys: a chip serial is 1..32 bytes");
    }
}

}  // namespace

std::string_view appletName(Applet applet) {
    for (const auto& [value, name] : kAppletNames) {
        if (value == applet) {
            return name;
        }
    }
    return "unknown";
}

std::optional<Applet> appletFromName(std::string_view name) {
    for (const auto& [value, known] : kAppletNames) {
        if (known == name) {
            return value;
        }
    }
    return std::nullopt;
}

std::optional<Applet> appletFromNumber(std::uint64_t number) {
    for (const auto& [value, name] : kAppletNames) {
        if (static_cast<std::uint64_t>(value) == number) {
            return value;
        }
    }
    return std::nullopt;
}

Bytes appletAid(Applet applet) {
    if (applet == Applet::LoadSam) {
        return sam::applicationId();
    }
    return {0xF0, 0x54, 0x41, 0x50, 0x4C, 0x49, 0x4E, 0x4B, 0x50, 0x41, 0x59};  // F0 "TAPLINKPAY"
}

bool isAllowedTransition(Lifecycle from, Lifecycle to) {
    switch (to) {
        case Lifecycle::Operational:
            return from == Lifecycle::Installed || from == Lifecycle::Locked;
        case Lifecycle::Locked:
            return from == Lifecycle::Installed || from == Lifecycle::Operational;
        case Lifecycle::Installed:
            return false;  // nothing goes back to installed
    }
    return false;
}

bool isAcceptedLifecycleTarget(Lifecycle current, Lifecycle target) {
    return target == current || isAllowedTransition(current, target);
}

gp::StaticKeys deriveManagementKeys(ByteView master, ByteView appletAid, ByteView chipSerial) {
    requireKeyInputs(master, appletAid, chipSerial);
    return gp::StaticKeys{managementKey(master, 'E', appletAid, chipSerial),
                          managementKey(master, 'M', appletAid, chipSerial),
                          managementKey(master, 'D', appletAid, chipSerial)};
}

Bytes diversificationData(ByteView chipSerial) {
    Bytes data(kDiversificationDataSize, 0x00);
    const std::size_t kept = std::min(chipSerial.size(), kDiversificationDataSize);
    std::copy(chipSerial.end() - static_cast<std::ptrdiff_t>(kept), chipSerial.end(),
              data.end() - static_cast<std::ptrdiff_t>(kept));
    return data;
}

// --- Commands

apdu::CommandApdu selectApplet(Applet applet) {
    return apdu::CommandApdu{0x00, apdu::kInsSelect,  0x04,
                             0x00, appletAid(applet), apdu::kMaxShortLe};
}

apdu::CommandApdu getStatus() {
    return apdu::CommandApdu{sam::kCla, ins::kGetStatus, 0x00, 0x00, {}, apdu::kMaxShortLe};
}

apdu::CommandApdu manage(ByteView plainData) {
    return apdu::CommandApdu{
        sam::kCla,        ins::kManage, 0x00, 0x00, Bytes(plainData.begin(), plainData.end()),
        apdu::kMaxShortLe};
}

}  // namespace taplink::chip::mgmt
