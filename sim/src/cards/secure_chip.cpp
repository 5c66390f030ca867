#include "cards/secure_chip.hpp"

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "applets/load_sam_applet.hpp"
#include "applets/payment_applet.hpp"
#include "applets/piv_applet.hpp"
#include "card/atr.hpp"
#include "cards/profiles.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/private_file.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/chip/piv_protocol.hpp"

namespace taplink::sim {

namespace {

constexpr std::size_t kChipSerialSize = 8;
constexpr std::uint16_t kPivFid = 0x5F00;  // the PIV DF's file id (not used by PIV readers)

// <stateDir>/chip-<serial>/piv.json, the folder made on the way; empty without a state dir.
std::string pivStateFile(const std::string& stateDir, ByteView serial) {
    if (stateDir.empty()) {
        return {};
    }
    const std::filesystem::path folder =
        std::filesystem::path(stateDir) / ("chip-" + toHex(serial));
    createPrivateDirectory(folder.string());
    return (folder / "piv.json").string();
}

// The chip as it was left, or a new one: the key is generated here, on first creation.
PivState pivStateFor(const PivConfig& config) {
    if (!config.stateFile.empty()) {
        if (auto saved = PivState::load(config.stateFile)) {
            return *saved;
        }
    }
    PivState state = manufacturePivState(config.chipSerial);
    if (!config.stateFile.empty()) {
        state.save(config.stateFile);
    }
    return state;
}

// The PIV application DF: selected by AID, answering the application property template.
DedicatedFile pivApplication(ByteView serial, const std::string& stateDir) {
    PivConfig config;
    config.chipSerial = Bytes(serial.begin(), serial.end());
    config.stateFile = pivStateFile(stateDir, serial);
    PivState state = pivStateFor(config);

    DedicatedFile piv;
    piv.fid = kPivFid;
    piv.aid = chip::piv::applicationId();
    piv.fci = chip::piv::applicationPropertyTemplate();
    piv.applet = std::make_shared<PivApplet>(std::move(config), std::move(state));
    return piv;
}

// EF.DIR record (ISO/IEC 7816-4 clause 12.2.2): 61 { 4F AID, 50 label }.
Bytes directoryRecord(const Bytes& aid, std::string_view label) {
    return tlv::Tlv::constructedOf(0x61,
                                   {tlv::Tlv::primitive(0x4F, aid),
                                    tlv::Tlv::primitive(0x50, Bytes(label.begin(), label.end()))})
        .encode();
}

std::mutex defaultTsmKeysMutex;
std::shared_ptr<const protocol::TsmMasterKey>& defaultTsmKeysSlot() {
    static std::shared_ptr<const protocol::TsmMasterKey> keys =
        std::make_shared<const protocol::TsmMasterKey>(protocol::testTsmMasterKey());
    return keys;
}

}  // namespace

void setDefaultTsmKeys(std::shared_ptr<const protocol::TsmMasterKey> keys) {
    if (!keys) {
        throw std::invalid_argument("the default TSM master key cannot be none");
    }
    const std::lock_guard lock(defaultTsmKeysMutex);
    defaultTsmKeysSlot() = std::move(keys);
}

std::shared_ptr<const protocol::TsmMasterKey> defaultTsmKeys() {
    const std::lock_guard lock(defaultTsmKeysMutex);
    return defaultTsmKeysSlot();
}

Bytes defaultChipSerial() {
    return fromHex("544C434800000001");
}

std::shared_ptr<VirtualCard> makeSecureChip(std::string_view profile, const CardOptions& options) {
    const Bytes serial = options.serial.empty() ? defaultChipSerial() : options.serial;
    if (serial.size() != kChipSerialSize) {
        throw std::invalid_argument("a secure chip serial is 8 bytes");
    }
    DedicatedFile mf;
    mf.efs.push_back(ElementaryFile{
        0x2F00,
        0x1E,
        true,
        {},
        {directoryRecord(chip::piv::applicationId(), "PIV"),
         directoryRecord(chip::sam::applicationId(), "TAPLINK LOAD SAM"),
         directoryRecord(chip::mgmt::appletAid(chip::mgmt::Applet::Payment), "TAPLINK PAYMENT")}});
    const std::shared_ptr<const protocol::TsmMasterKey> tsmKeys =
        options.tsmKeys ? options.tsmKeys : defaultTsmKeys();
    mf.dfs.push_back(pivApplication(serial, options.stateDir));
    mf.dfs.push_back(loadSamApplication(serial, options.stateDir, *tsmKeys));
    mf.dfs.push_back(paymentApplication(serial, options.stateDir, *tsmKeys));
    auto chip = std::make_shared<VirtualCard>(
        std::string(profile), atrT1(historicalBytes("TL-CHIP")), std::move(mf), false);
    identifyAndMakeReopenable(*chip, "chip-" + toHex(serial), profile, options, serial);
    return chip;
}

}  // namespace taplink::sim
