#include "cards/profiles.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

#include "applets/diag_applet.hpp"
#include "applets/epurse_applet.hpp"
#include "card/atr.hpp"
#include "cards/bank_card.hpp"
#include "cards/secure_chip.hpp"
#include "cards/test_issuer.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"

namespace taplink::sim {

namespace {

Bytes counting(std::size_t length, std::uint8_t start) {
    Bytes bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>((start + i) & 0xFFU);
    }
    return bytes;
}

// EF.DIR record (ISO/IEC 7816-4 clause 12.2.2): application template 61 { 4F AID, 50 label }.
Bytes dirRecord(const Bytes& aid, std::string_view label) {
    return tlv::Tlv::constructedOf(0x61,
                                   {tlv::Tlv::primitive(0x4F, aid),
                                    tlv::Tlv::primitive(0x50, Bytes(label.begin(), label.end()))})
        .encode();
}

DedicatedFile isoFiles() {
    DedicatedFile diagDf;
    diagDf.fid = 0x5000;
    diagDf.aid = diagAid();
    diagDf.applet = std::make_shared<DiagApplet>();
    diagDf.efs.push_back(ElementaryFile{0x0101, 0x01, false, counting(300, 0), {}});
    diagDf.efs.push_back(ElementaryFile{
        0x0102, 0x02, true, {}, {counting(23, 0x10), counting(23, 0x20), counting(23, 0x30)}});

    DedicatedFile mf;
    mf.efs.push_back(
        ElementaryFile{0x2F00, 0x1E, true, {}, {dirRecord(diagAid(), "TAPLINK DIAG")}});
    mf.efs.push_back(ElementaryFile{0x2F02, 0x02, false, counting(64, 0), {}});
    mf.dfs.push_back(std::move(diagDf));
    return mf;
}

namespace ep = cards::epurse;

Bytes publicInfoFor(const Issuer& issuer, ByteView serial) {
    ep::PublicInfo info;
    info.issuerId = issuer.issuerId;
    info.applicationType = 0x02;  // e-purse
    info.version = 0x01;
    info.serial = Bytes(serial.begin(), serial.end());
    info.startDate = fromHex("20260101");
    info.expiryDate = fromHex("20361231");
    info.reserved = fromHex("0000");
    return info.encode();
}

// A city profile: its suite and the algorithm id its card answers (JR/T 0025 e-purse).
struct CityProfile {
    std::string_view name;
    crypto::epurse::Suite suite;
    std::uint8_t algorithmId;
};

constexpr std::array<CityProfile, 3> kCityProfiles{{
    {"city-3des", crypto::epurse::Suite::TripleDes, 0x01},
    {"city-3des-00", crypto::epurse::Suite::TripleDes, 0x00},
    {"city-sm4", crypto::epurse::Suite::Sm4, 0x04},
}};

const CityProfile* findCityProfile(std::string_view name) {
    for (const CityProfile& profile : kCityProfiles) {
        if (profile.name == name) {
            return &profile;
        }
    }
    return nullptr;
}

EpurseKeys cardKeys(const Issuer& issuer, crypto::epurse::Suite suite, ByteView serial) {
    const IssuerMasterKeys* master = issuer.keysFor(suite);
    if (master == nullptr) {
        throw std::invalid_argument("issuer " + toHex(issuer.issuerId) + " has no " +
                                    std::string(suiteName(suite)) + " keys");
    }
    EpurseKeys keys;
    keys.suite = suite;
    keys.keyIndex = issuer.keyIndex;
    keys.keyVersion = issuer.keyVersion;
    keys.dlk = crypto::epurse::diversify(suite, master->load, serial);
    keys.dpk = crypto::epurse::diversify(suite, master->purchase, serial);
    keys.dtk = crypto::epurse::diversify(suite, master->tac, serial);
    return keys;
}

std::mutex defaultIssuerMutex;
std::shared_ptr<const Issuer>& defaultIssuerSlot() {
    static std::shared_ptr<const Issuer> issuer = std::make_shared<const Issuer>(testIssuer());
    return issuer;
}

EpurseState initialState(const EpurseConfig& config, const CardOptions& options) {
    if (!config.stateFile.empty()) {
        if (auto saved = EpurseState::load(config.stateFile)) {
            return *saved;  // the same card, back in the field
        }
    }
    EpurseState state;
    state.balance = options.balance.value_or(0);
    if (!config.stateFile.empty()) {
        state.save(config.stateFile);
    }
    return state;
}

// MF with EF.DIR, and DF 1001 = the e-purse application (EF 0x15 public information,
// EF 0x18 transaction log). Its FCI carries EF 0x15 in tag 9F0C (FCI issuer discretionary
// data), so a reader knows the card from the SELECT answer alone.
std::shared_ptr<VirtualCard> makeCityCard(const CityProfile& city, const CardOptions& options) {
    const std::string_view profile = city.name;
    const crypto::epurse::Suite suite = city.suite;
    const Bytes serial = options.serial.empty() ? defaultCitySerial() : options.serial;
    if (serial.size() != ep::kSerialSize) {
        throw std::invalid_argument("a city card serial is 10 bytes");
    }
    const std::shared_ptr<const Issuer> issuer =
        options.issuer ? options.issuer : defaultCityIssuer();
    EpurseConfig config;
    config.keys = cardKeys(*issuer, suite, serial);
    config.keys.algorithmId = city.algorithmId;
    config.pin = fromHex("123456");
    if (!options.stateDir.empty()) {
        config.stateFile = options.stateDir + "/city-" + toHex(serial) + ".json";
    }
    EpurseState state = initialState(config, options);

    const Bytes info = publicInfoFor(*issuer, serial);
    DedicatedFile purse;
    purse.fid = ep::kApplicationFid;
    purse.aid = ep::applicationId();
    purse.fci = tlv::Tlv::constructedOf(
                    0x6F, {tlv::Tlv::primitive(0x84, purse.aid),
                           tlv::Tlv::constructedOf(0xA5, {tlv::Tlv::primitive(0x9F0C, info)})})
                    .encode();
    purse.efs.push_back(ElementaryFile{0x0015, ep::kSfiPublicInfo, false, info, {}});
    purse.efs.push_back(ElementaryFile{0x0018, ep::kSfiTransactionLog, true, {}, state.log});
    purse.applet = std::make_shared<EpurseApplet>(std::move(config), std::move(state));

    DedicatedFile mf;
    mf.efs.push_back(
        ElementaryFile{0x2F00, 0x1E, true, {}, {dirRecord(ep::applicationId(), "CITY E-PURSE")}});
    mf.dfs.push_back(std::move(purse));
    const std::string label = suite == crypto::epurse::Suite::Sm4 ? "CITY-SM4" : "CITY-3DES";
    auto card = std::make_shared<VirtualCard>(std::string(profile), atrT1(historicalBytes(label)),
                                              std::move(mf), false);
    identifyAndMakeReopenable(*card, "city-" + toHex(serial), profile, options, serial);
    return card;
}

}  // namespace

void identifyAndMakeReopenable(VirtualCard& card, std::string identity, std::string_view profile,
                               const CardOptions& options, ByteView serial) {
    card.setIdentity(std::move(identity));
    if (options.stateDir.empty()) {
        return;  // state in memory only: the same object is the card
    }
    CardOptions again = options;
    again.serial = Bytes(serial.begin(), serial.end());
    card.setReopen([name = std::string(profile), again] { return makeCard(name, again); });
}

void setDefaultCityIssuer(std::shared_ptr<const Issuer> issuer) {
    if (!issuer) {
        throw std::invalid_argument("the default city issuer cannot be none");
    }
    const std::lock_guard lock(defaultIssuerMutex);
    defaultIssuerSlot() = std::move(issuer);
}

std::shared_ptr<const Issuer> defaultCityIssuer() {
    const std::lock_guard lock(defaultIssuerMutex);
    return defaultIssuerSlot();
}

std::vector<std::string> profileNames() {
    return {"iso-t1",    "iso-t0",   "city-3des", "city-3des-00", "city-sm4",
            "bank-3des", "bank-sm4", "bank-dual", "secure-chip"};
}

Bytes defaultCitySerial() {
    return fromHex("00000000000000000042");
}

std::shared_ptr<VirtualCard> makeCard(std::string_view profile, const CardOptions& options) {
    if (const CityProfile* city = findCityProfile(profile)) {
        return makeCityCard(*city, options);
    }
    if (isBankProfile(profile)) {
        return makeBankCard(profile, options);
    }
    if (profile == "secure-chip") {
        return makeSecureChip(profile, options);
    }
    if (profile == "iso-t1") {
        return std::make_shared<VirtualCard>(
            std::string(profile), atrT1(historicalBytes("TAPLINK-T1")), isoFiles(), false);
    }
    if (profile == "iso-t0") {
        return std::make_shared<VirtualCard>(
            std::string(profile), atrT0(historicalBytes("TAPLINK-T0")), isoFiles(), true);
    }
    throw std::invalid_argument("unknown card profile '" + std::string(profile) + "'");
}

}  // namespace taplink::sim
